"""What Django's cache keeps of published data (the maps' GeoJSON, the downloads, the release
dates), kept true across a publish.

A publish clears Django's cache once it commits (neighbourhoods/services/publishing.py). A
request that read the data before the commit, and stores what it made after the clear,
would put back what the publish replaced, for as long as the value is kept (for some values,
until the next publish). So every value is stored with the cache's generation as it was
before the value was worked out. The clear drops the generation too, and the first read
after it begins a new one: a value from before the publish no longer matches, and is worked
out again.

    token, value = generation.kept(key)
    if value is None:
        value = ...  # read the data
        generation.keep(key, token, value, timeout)

The generation is a random token, not a counter: the clear drops it too, and a counter
begun again could come back to a value stored before the clear.
"""

import uuid

from django.core.cache import cache

KEY = "portal:generation"


def current() -> str:
    """The cache's generation now, begun if there is none."""
    token = cache.get(KEY)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(KEY, token, None):  # another request began one first
            token = cache.get(KEY) or token
    return token


def kept(key: str):
    """(the generation now, the value stored under `key` in it, or None), in one read."""
    values = cache.get_many([KEY, key])
    token = values.get(KEY) or current()
    stored = values.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == token:
        return token, stored[1]
    return token, None


def keep(key: str, token: str, value, timeout) -> None:
    """Store `value`, worked out in generation `token` (read before the data was)."""
    cache.set(key, (token, value), timeout)
