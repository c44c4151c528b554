"""Clear cached maps whenever anything they show is saved or deleted, in the admin or elsewhere."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


def _clear_after_commit(**kwargs):
    transaction.on_commit(cache.clear)


def _place_saved(**kwargs):
    """Which local authorities are in the area may have changed: answer every postcode again."""
    from . import services

    services.recompute_postcode_answers()


def connect():
    from partnership.models import Place

    from .models import LocalAuthority, Lsoa, Membership, Neighbourhood, Postcode, Practice

    post_save.connect(_place_saved, sender=Place, dispatch_uid="place-saved")
    post_delete.connect(_place_saved, sender=Place, dispatch_uid="place-deleted")

    for model in (LocalAuthority, Lsoa, Membership, Neighbourhood, Postcode, Practice):
        post_save.connect(_clear_after_commit, sender=model, dispatch_uid=f"clear-{model}")
        post_delete.connect(_clear_after_commit, sender=model, dispatch_uid=f"clear-del-{model}")
    m2m_changed.connect(
        _clear_after_commit, sender=Neighbourhood.partners.through, dispatch_uid="clear-m2m"
    )
