"""The shared cache in front of the application (Varnish under `make run`): the surrogate
keys an answer carries, and the purge that drops every answer carrying a key.

An answer the cache may keep names what it depends on in its `xkey` header (Varnish's xkey
vmod; the same keys are a CDN's tags: Fastly's Surrogate-Key, Cloudflare's Cache-Tag, see
docs/operations.md): the coarse keys (`portal`, and its kind), then the things it shows: its
postcode and district, its neighbourhood(s), its practices, the boundary version, each
source's release. Every publish purges the keys of what it changed once its transaction
commits (neighbourhoods/services/publishing.py, caches_clear; which publish purges which
keys: docs/performance.md). A purge that fails is logged, never raised: the publish has
happened, and the answers' s-maxage bounds how long a cache that missed it can keep them.
"""

import logging
import urllib.error
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)

HEADER = "xkey"
# Every answer the cache keeps depends on the published data as a whole: a move, a
# membership, a practice's edit, a content change and a data release each purge it.
EVERYTHING = "portal"
# What each kind of answer is, so one kind can be purged alone (and a CDN's purge told apart).
API = "api"
GEOJSON = "geojson"
DOWNLOAD = "download"
# How long a shared cache may keep an answer it was never told to drop: the second line of
# defence, should a purge be lost.
SHARED_MAX_AGE = 600
PURGE_TIMEOUT_S = 2.0
# Keys of collections: every answer that lists all neighbourhoods or all practices (so a
# neighbourhood or practice added, which no answer names yet, still purges them).
NEIGHBOURHOODS = "neighbourhoods"
PRACTICES = "practices"
# Answers as on a date (?on=): what was in force then can change with any membership or
# boundary version, so they are purged by every publish that changes either.
AS_ON = "as-on"
# A purge's keys go in one header: Varnish reads headers of up to 8 kB by default.
PURGE_HEADER_CHARS = 6000


def neighbourhood(pk) -> str:
    return f"nbh-{pk}"


def practice(ods_code: str) -> str:
    return f"practice-{ods_code}"


def postcode(with_space: str) -> str:
    return "pc-" + with_space.replace(" ", "")


def district(outcode: str) -> str:
    return f"district-{outcode}"


def areas(version_id) -> str:
    return f"areas-{version_id}"


def release(source: str, release_id=None) -> str:
    """`release-<source>` names every release of a source (what a new release purges);
    with an id, the one release an answer shows."""
    return f"release-{source}" if release_id is None else f"release-{source}-{release_id}"


def keys_header(*keys: str) -> str:
    return " ".join(dict.fromkeys((EVERYTHING, *keys)))


def _batches(keys) -> list[str]:
    """The keys as few space-separated headers as fit Varnish's header length."""
    batches, batch, size = [], [], 0
    for key in dict.fromkeys(keys):
        if batch and size + len(key) + 1 > PURGE_HEADER_CHARS:
            batches.append(" ".join(batch))
            batch, size = [], 0
        batch.append(key)
        size += len(key) + 1
    if batch:
        batches.append(" ".join(batch))
    return batches


def purge(*keys: str) -> bool:
    """Drop every answer carrying any of the keys from each cache in
    settings.PORTAL_CACHE_PURGE_URLS; True when every one said so. Never raises."""
    keys = keys or (EVERYTHING,)
    ok = True
    for url in settings.PORTAL_CACHE_PURGE_URLS:
        for batch in _batches(keys):
            request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": batch})
            try:
                with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT_S) as response:
                    response.read()
            except (OSError, urllib.error.HTTPError) as exc:
                ok = False
                logger.error("The cache at %s was not purged of %s: %s", url, batch[:200], exc)
                break
    return ok
