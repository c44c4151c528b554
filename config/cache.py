"""The cache the API's rate limit counts in (settings.CACHES["ratelimit"])."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# Increment a counter only while it exists, so it keeps the expiry its window gave it.
_INCREMENT_IF_PRESENT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class CounterClient(RedisCacheClient):
    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        value = client.eval(_INCREMENT_IF_PRESENT, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class CounterRedisCache(RedisCache):
    """Django's RedisCache, whose incr() takes one round trip rather than two.

    django-ratelimit counts a request with add() (SET NX), then incr() once the window's
    counter exists. Django's incr() asks EXISTS, then INCRBY: two round trips to Redis, so
    each counted request made three. Here the check and the increment are one script, run
    atomically by Redis, as Django's own incr() means them (a counter that has expired is
    not created again without its expiry)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = CounterClient
