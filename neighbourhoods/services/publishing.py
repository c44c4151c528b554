"""Publishing: what happens whenever content that answers lookups changes. The areas as
published are kept as a boundary version (if they differ from the last one), and once the
change commits every cached page is dropped and the shared cache in front is purged of the
answers that showed what changed (their surrogate keys): the one cache clear."""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from config import db_router, surrogates

from ..audit import trail
from ..models import BoundaryVersion, BoundaryVersionArea, Lsoa, Neighbourhood, Postcode
from ..selectors import DATA_SOURCE_IMPORTS
from .profiles import profiles_recompute

# The key of the transaction-level advisory lock that boundaries_snapshot takes, so two
# publishes at once cannot both see the areas differ from the latest version and both keep one.
BOUNDARY_VERSION_LOCK = 4_173_250_981


class _Clear:
    """One cache clear after a commit, and the keys it purges. Each call of caches_clear
    registers its own (a purge costs about a millisecond): merged into one registered
    earlier in the transaction, a clear would be lost wherever only the callbacks since a
    point are run, as Django's captureOnCommitCallbacks runs them in tests."""

    def __init__(self):
        self.keys: dict = {}
        self.everything = False

    def add(self, keys):
        if keys is None:
            self.everything = True
        else:
            self.keys.update(dict.fromkeys(keys))

    def __call__(self):
        db_router.replica_wait()
        cache.clear()  # and with it the generation: config/generation.py
        if settings.PORTAL_CACHE_PURGE_URLS and (self.everything or self.keys):
            surrogates.purge(*(() if self.everything else self.keys))


def caches_clear(*keys: str, pages_only: bool = False):
    """Once the transaction commits (at once outside one), drop every cached page, map and
    download in Django's cache, and purge the shared cache in front of the answers carrying
    any of `keys` (every answer, when none is given; none with pages_only, for content no
    API answer shows), so nobody is shown what was true before the change. With a replica,
    both wait until it has replayed the change (db_router.replica_wait), so nothing refills
    them from the replica's past. A purge that fails is logged, not raised into the publish.
    Which publish purges which keys: docs/performance.md."""
    clear = _Clear()
    clear.add(() if pages_only else (keys or None))
    transaction.on_commit(clear)


# Beyond this many postcodes (a national import's), purging every API answer at once is
# cheaper than naming each: a dozen purges of 6,000 characters name about 10,000.
POSTCODE_KEYS_MAX = 10_000


def postcode_keys(postcode_ids) -> list[str]:
    """The keys of the answers of these postcodes: their own, and their districts'."""
    if not postcode_ids:
        return []
    if len(postcode_ids) > POSTCODE_KEYS_MAX:
        return [surrogates.API]
    keys = []
    rows = Postcode.objects.filter(pk__in=list(postcode_ids)).values_list("postcode", "outcode")
    for postcode, outcode in rows:
        keys += [surrogates.postcode(postcode), surrogates.district(outcode)]
    return keys


def release_keys(import_source: str) -> list[str]:
    """A release applied (an import run, or the day's dated changes): the releases of its
    sources, and the answers that list every practice or neighbourhood, the downloads and the
    answers as on a date; the postcode answers it changed are purged by their own keys."""
    sources = [key for key, (source, _) in DATA_SOURCE_IMPORTS.items() if source == import_source]
    return [
        *(surrogates.release(source) for source in sources or [import_source]),
        surrogates.PRACTICES,
        surrogates.NEIGHBOURHOODS,
        surrogates.DOWNLOAD,
        surrogates.AS_ON,
    ]


def boundaries_publish(*, areas_may_have_changed=True, changed_postcode_ids=()):
    """Content that answers lookups changed: keep the areas as published now as a boundary
    version (if they differ from the last one), and purge the answers of the postcodes whose
    answer changed and, with a new version, every answer showing today's areas. A change to
    postcodes alone cannot change what a version holds (LSOA assignments, and neighbourhoods'
    names, slugs and areas), so it skips comparing them all again."""
    keys = postcode_keys(changed_postcode_ids)
    if areas_may_have_changed:
        version = boundaries_snapshot()
        if version is not None:
            keys += [surrogates.NEIGHBOURHOODS, surrogates.AS_ON, surrogates.DOWNLOAD]
            if version.previous_id is not None:
                keys.append(surrogates.areas(version.previous_id))
    caches_clear(*keys, pages_only=not keys)


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
    version.previous_id = latest.pk if latest is not None else None
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
    # The version keeps the profiles of the areas it holds, worked out in this transaction.
    profiles_recompute(version=version)
    return version
