"""Publishing: what happens whenever content that answers lookups changes. The areas as
published are kept as a boundary version (if they differ from the last one), and every
cached page, map and download is dropped once the change commits: the one cache clear."""

import hashlib
import json

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..audit import trail
from ..models import BoundaryVersion, BoundaryVersionArea, Lsoa, Neighbourhood

# The key of the transaction-level advisory lock that boundaries_snapshot takes, so two
# publishes at once cannot both see the areas differ from the latest version and both keep one.
BOUNDARY_VERSION_LOCK = 4_173_250_981


def caches_clear():
    """Drop every cached page, map, download and answer once the transaction commits (at
    once outside one), so nobody is shown what was true before the change."""
    transaction.on_commit(cache.clear)


def boundaries_publish(*, areas_may_have_changed=True):
    """Content that answers lookups changed: keep the areas as published now as a boundary
    version (if they differ from the last one), and drop every cached answer. A change to
    postcodes alone cannot change what a version holds (LSOA assignments, and neighbourhoods'
    names, slugs and areas), so it skips comparing them all again."""
    if areas_may_have_changed:
        boundaries_snapshot()
    caches_clear()


def _published_state():
    """The LSOA assignments and each neighbourhood's name, slug and area, and a fingerprint of
    them all. A neighbourhood deleted in the admin (removed) is not published."""
    assignments = dict(Lsoa.objects.order_by("code").values_list("code", "neighbourhood_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT id, name, slug, md5(COALESCE(ST_AsEWKB(boundary), ''::bytea))
                FROM {Neighbourhood._meta.db_table} WHERE removed_at IS NULL ORDER BY id"""
        )
        areas = cursor.fetchall()
    digest = hashlib.sha256(json.dumps([assignments, areas]).encode()).hexdigest()
    return assignments, digest


@transaction.atomic
def boundaries_snapshot(*, reason: str = "") -> BoundaryVersion | None:
    """Keep the areas as they are now as a new boundary version, dated now, naming who or
    which import made the change; None when they are the same as the latest version's.
    Publishes at once wait for each other here (an advisory lock held until the transaction
    ends), so the second sees the version the first kept."""
    with connection.cursor() as cursor:  # one publish at a time compares and keeps a version
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOUNDARY_VERSION_LOCK])
    assignments, fingerprint = _published_state()
    latest = BoundaryVersion.objects.order_by("-published_at", "-pk").first()
    if latest is not None and latest.fingerprint == fingerprint:
        return None
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    version = BoundaryVersion.objects.create(
        published_at=timezone.now(),
        changed_by=user if user is not None and user.is_authenticated else None,
        import_run=trail.current_import_run(),
        reason=reason or trail.current_reason() or "",
        assignments=assignments,
        fingerprint=fingerprint,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {BoundaryVersionArea._meta.db_table}
                (version_id, neighbourhood_id, name, slug, lsoas, boundary)
            SELECT %s, n.id, n.name, n.slug,
                   (SELECT count(*) FROM {Lsoa._meta.db_table} AS l
                    WHERE l.neighbourhood_id = n.id),
                   n.boundary
            FROM {Neighbourhood._meta.db_table} AS n
            WHERE n.removed_at IS NULL
            """,
            [version.pk],
        )
    return version
