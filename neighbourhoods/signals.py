"""Keep stored answers and cached maps true whenever what they show is saved or deleted,
in the admin or elsewhere.

Every postcode row holds its whole answer (neighbourhoods.stored_answer), so a change to a
practice, a membership, a neighbourhood or a local authority works out again the answers of
the postcodes it can touch, in the same transaction as the change, through the one entry
point, services.answers.answers_recompute. Raw saves (loaddata) are skipped: whatever loads
them calls it once itself.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from config import surrogates

from .audit import trail
from .models import Practice
from .selectors import area_authority_codes
from .services.answers import answers_recompute
from .services.publishing import caches_clear, release_keys


def _clear_after_commit(sender=None, instance=None, **kwargs):
    """Once the change commits: drop the cached pages, and purge from the shared cache the
    answers that show what changed (config/surrogates.py). The postcode answers a change
    works out again are purged by their own keys as they are stored (services.answers)."""
    keys = _keys_of(sender.__name__ if sender is not None else "", instance)
    if keys is None:  # content no API answer shows
        caches_clear(pages_only=True)
    else:
        caches_clear(*keys)


def _keys_of(model: str, instance) -> list[str] | None:
    """The surrogate keys of the answers a saved or deleted row shows in: [] for every
    answer, None for none."""
    if model == "Practice":
        return [surrogates.practice(instance.ods_code), surrogates.PRACTICES]
    if model == "Membership":
        neighbourhoods = {instance.neighbourhood_id, getattr(instance, "_previous", None)}
        ods_code = (
            Practice.objects.filter(pk=instance.practice_id)
            .values_list("ods_code", flat=True)
            .first()
        )
        return [
            *(surrogates.neighbourhood(pk) for pk in neighbourhoods - {None}),
            *([surrogates.practice(ods_code)] if ods_code else []),
            surrogates.PRACTICES, surrogates.NEIGHBOURHOODS, surrogates.AS_ON,
        ]  # fmt: skip
    if model == "Neighbourhood":
        return [surrogates.neighbourhood(instance.pk), surrogates.NEIGHBOURHOODS,
                surrogates.AS_ON, surrogates.DOWNLOAD]  # fmt: skip
    if model == "Lsoa":
        keys = [surrogates.NEIGHBOURHOODS, surrogates.DOWNLOAD]
        if instance.neighbourhood_id is not None:
            keys.append(surrogates.neighbourhood(instance.neighbourhood_id))
        return keys
    if model == "Postcode":
        return [surrogates.postcode(instance.postcode), surrogates.district(instance.outcode),
                surrogates.DOWNLOAD]  # fmt: skip
    if model == "ImportRun":
        return release_keys(instance.source)
    if model == "LocalAuthority":  # its name is in nearly every answer
        return []
    return None  # the partnership's and workstreams' content, partners: pages alone


def _place_saved(raw=False, **kwargs):
    """Which local authorities are in the area may have changed: answer every postcode again."""
    if raw:
        return
    answers_recompute(everything=True)


def _remember_previous(sender, instance, raw=False, **kwargs):
    """Keep the values a save may change away from, so the answers they were in are redone."""
    if raw or instance.pk is None:
        return
    field = {"Membership": "neighbourhood_id", "LocalAuthority": "gss_code"}[sender.__name__]
    instance._previous = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def _practice_changed(instance, raw=False, **kwargs):
    """A practice's name, address, location or note shows in the answers of the postcodes it
    is, or may now be, nearest, whatever their neighbourhood. Deleted, it leaves them: its
    memberships are deleted first, and until the practice itself is gone the answers would
    list it as a practice in no neighbourhood."""
    if raw:
        return
    points = [instance.location, getattr(instance, "_previous_location", None)]
    answers_recompute(practice=(instance.ods_code, points))


def _remember_practice_location(sender, instance, raw=False, **kwargs):
    """Where a practice was, so the answers near its old place are redone when it moves."""
    if raw or instance.pk is None:
        return
    instance._previous_location = (
        sender.objects.filter(pk=instance.pk).values_list("location", flat=True).first()
    )


def _membership_changed(instance, raw=False, **kwargs):
    """A practice joined, left or moved: whether it is offered, and the neighbourhood it is
    shown with, change in the answers of the postcodes it may be nearest."""
    if raw:
        return
    practice = instance.practice
    answers_recompute(practice=(practice.ods_code, [practice.location]))


def _remember_neighbourhood_name(sender, instance, raw=False, **kwargs):
    """Its name and slug before the save: only a new one shows beyond its own postcodes."""
    if raw or instance.pk is None:
        return
    instance._previous_name = (
        sender.objects.filter(pk=instance.pk).values_list("name", "slug").first()
    )


def _neighbourhood_saved(instance, raw=False, **kwargs):
    """Its postcodes' answers are worked out again; a new name or slug shows, too, in the
    district answers and beside its practices in the answer of every postcode in City and
    Hackney that lists them."""
    if raw:
        return
    previous = getattr(instance, "_previous_name", None)
    renamed = previous is None or tuple(previous) != (instance.name, instance.slug)
    answers_recompute(
        neighbourhood_ids=[instance.pk],
        authority_codes=area_authority_codes() if renamed else (),
    )


def _neighbourhood_deleted(**kwargs):
    """Its LSOAs and postcodes are left without one: decide every answer again."""
    answers_recompute(everything=True)


def _authority_changed(instance, raw=False, **kwargs):
    """Its name shows in its postcodes' answers, and as the borough beside each practice in
    it in the answer of every postcode in City and Hackney that lists it."""
    if raw:
        return
    codes = {instance.gss_code, getattr(instance, "_previous", None)} - {None}
    answers_recompute(authority_codes=codes | set(area_authority_codes()))


def connect():
    from partnership.models import ContactMessage, Draft, Place

    from .models import (
        ImportRun,
        LocalAuthority,
        Lsoa,
        Membership,
        Neighbourhood,
        Postcode,
        Practice,
    )

    post_save.connect(_place_saved, sender=Place, dispatch_uid="place-saved")
    post_delete.connect(_place_saved, sender=Place, dispatch_uid="place-deleted")

    for model in (Membership, LocalAuthority):
        pre_save.connect(_remember_previous, sender=model, dispatch_uid=f"previous-{model}")
    pre_save.connect(_remember_practice_location, sender=Practice, dispatch_uid="prev-practice")
    post_save.connect(_practice_changed, sender=Practice, dispatch_uid="answers-practice")
    post_delete.connect(_practice_changed, sender=Practice, dispatch_uid="answers-practice-del")
    for signal in (post_save, post_delete):
        signal.connect(_membership_changed, sender=Membership, dispatch_uid="answers-membership")
        signal.connect(_authority_changed, sender=LocalAuthority, dispatch_uid="answers-la")
    pre_save.connect(_remember_neighbourhood_name, sender=Neighbourhood, dispatch_uid="prev-nbh")
    post_save.connect(_neighbourhood_saved, sender=Neighbourhood, dispatch_uid="answers-nbh")
    post_delete.connect(_neighbourhood_deleted, sender=Neighbourhood, dispatch_uid="answers-del")

    # A postcode saved in the admin keeps, first, the version the imports left (docs/history.md).
    trail.connect()

    # Cached pages (the home page's content) show every app's content, but for drafts and
    # residents' messages, which no page shows; an import run that finishes changes the
    # release dates pages give.
    content = [
        model
        for model in [*apps.get_app_config("partnership").get_models(),
                      *apps.get_app_config("workstreams").get_models()]
        if model not in (Draft, ContactMessage)
    ]  # fmt: skip
    watched = (ImportRun, LocalAuthority, Lsoa, Membership, Neighbourhood, Postcode, Practice)
    for model in (*watched, *content):
        post_save.connect(_clear_after_commit, sender=model, dispatch_uid=f"clear-{model}")
        post_delete.connect(_clear_after_commit, sender=model, dispatch_uid=f"clear-del-{model}")
    m2m_changed.connect(
        _clear_after_commit, sender=Neighbourhood.partners.through, dispatch_uid="clear-m2m"
    )
