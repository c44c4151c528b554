"""A page whose slug changes keeps answering at its old address, with a 301 to the new one.

django.contrib.redirects does the answering (its middleware looks a path up only when the
page would otherwise be a 404); this module records a redirect whenever a slug changes.
"""

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.db.models.signals import pre_save


def _slug_changed(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    previous = sender.objects.filter(pk=instance.pk).first()
    if previous is None or previous.slug == instance.slug:
        return
    record(old_path=previous.get_absolute_url(), new_path=instance.get_absolute_url())


def record(*, old_path: str, new_path: str) -> None:
    if old_path == new_path:
        return
    site_id = settings.SITE_ID
    # Earlier renames now lead straight to the newest address, never through a chain.
    Redirect.objects.filter(site_id=site_id, new_path=old_path).update(new_path=new_path)
    Redirect.objects.filter(site_id=site_id, old_path=new_path).delete()
    Redirect.objects.update_or_create(
        site_id=site_id, old_path=old_path, defaults={"new_path": new_path}
    )


def connect():
    from neighbourhoods.models import Neighbourhood
    from workstreams.models import Workstream

    from .models import PartnerOrganisation, Place

    for model in (Neighbourhood, PartnerOrganisation, Place, Workstream):
        pre_save.connect(_slug_changed, sender=model, dispatch_uid=f"slug-redirect-{model}")
