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

from .audit import trail
from .services.answers import answers_recompute
from .services.publishing import caches_clear


def _clear_after_commit(**kwargs):
    caches_clear()


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
    """A practice's name, address, phone or location shows in its neighbourhoods' answers."""
    if raw:
        return
    neighbourhoods = instance.memberships.values_list("neighbourhood_id", flat=True)
    answers_recompute(neighbourhood_ids=set(neighbourhoods))


def _membership_changed(instance, raw=False, **kwargs):
    """A practice joined, left or moved: the answers of both neighbourhoods change."""
    if raw:
        return
    affected = {instance.neighbourhood_id, getattr(instance, "_previous", None)} - {None}
    answers_recompute(neighbourhood_ids=affected)


def _neighbourhood_saved(instance, raw=False, **kwargs):
    """A new name or slug shows in its postcodes' answers and in the district answers."""
    if raw:
        return
    answers_recompute(neighbourhood_ids=[instance.pk])


def _neighbourhood_deleted(**kwargs):
    """Its LSOAs and postcodes are left without one: decide every answer again."""
    answers_recompute(everything=True)


def _authority_changed(instance, raw=False, **kwargs):
    if raw:
        return
    codes = {instance.gss_code, getattr(instance, "_previous", None)} - {None}
    answers_recompute(authority_codes=codes)


def connect():
    from partnership.models import Place

    from .models import LocalAuthority, Lsoa, Membership, Neighbourhood, Postcode, Practice

    post_save.connect(_place_saved, sender=Place, dispatch_uid="place-saved")
    post_delete.connect(_place_saved, sender=Place, dispatch_uid="place-deleted")

    for model in (Membership, LocalAuthority):
        pre_save.connect(_remember_previous, sender=model, dispatch_uid=f"previous-{model}")
    post_save.connect(_practice_changed, sender=Practice, dispatch_uid="answers-practice")
    for signal in (post_save, post_delete):
        signal.connect(_membership_changed, sender=Membership, dispatch_uid="answers-membership")
        signal.connect(_authority_changed, sender=LocalAuthority, dispatch_uid="answers-la")
    post_save.connect(_neighbourhood_saved, sender=Neighbourhood, dispatch_uid="answers-nbh")
    post_delete.connect(_neighbourhood_deleted, sender=Neighbourhood, dispatch_uid="answers-del")

    # A postcode saved in the admin keeps, first, the version the imports left (docs/history.md).
    trail.connect()

    # Cached pages (the home page's content) show every app's content.
    content = [*apps.get_app_config("partnership").get_models(),
               *apps.get_app_config("workstreams").get_models()]  # fmt: skip
    for model in (LocalAuthority, Lsoa, Membership, Neighbourhood, Postcode, Practice, *content):
        post_save.connect(_clear_after_commit, sender=model, dispatch_uid=f"clear-{model}")
        post_delete.connect(_clear_after_commit, sender=model, dispatch_uid=f"clear-del-{model}")
    m2m_changed.connect(
        _clear_after_commit, sender=Neighbourhood.partners.through, dispatch_uid="clear-m2m"
    )
