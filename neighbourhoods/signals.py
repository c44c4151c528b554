"""Clear cached maps whenever anything they show is saved or deleted, in the admin or elsewhere."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


def _clear_after_commit(**kwargs):
    transaction.on_commit(cache.clear)


def connect():
    from .models import LocalAuthority, Lsoa, Membership, Neighbourhood, Postcode, Practice

    for model in (LocalAuthority, Lsoa, Membership, Neighbourhood, Postcode, Practice):
        post_save.connect(_clear_after_commit, sender=model, dispatch_uid=f"clear-{model}")
        post_delete.connect(_clear_after_commit, sender=model, dispatch_uid=f"clear-del-{model}")
    m2m_changed.connect(
        _clear_after_commit, sender=Neighbourhood.partners.through, dispatch_uid="clear-m2m"
    )
