"""The cache the API's rate limit counts in (settings.CACHES["ratelimit"]): Redis, one round
trip for each request counted.

django-ratelimit counts a request by asking the cache to add() the window's counter (SET
NX) and, when it is already there, to incr() it. Through Django's own RedisCache that is
three round trips (SET NX, then EXISTS and INCRBY), and each call also builds a new
`redis.Redis` client, whose constructor alone (it fills a table of ~170 reply parsers)
cost more than the round trip did. Here:

- the client is made once per connection pool and kept (a `redis.Redis` is thread-safe);
- add() is one script, run atomically by Redis, that counts: it adds `value` to the
  counter, creating it with the window's expiry when it is new, and answers whether it was
  new (as add() does). When it was not, the count it reached is kept for this thread, and
  the incr() django-ratelimit makes next for the same key answers it without asking Redis
  again. Any other incr() is one script of its own.

So this cache is for counters only: add() of a number to a key that exists counts, where
Django's add() would leave the key alone. Nothing else uses it (settings.CACHES).
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# Count, creating the counter with its expiry when it is new: [count, was it new].
_COUNT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {count, 1}
end
return {count, 0}
"""
# Increment a counter only while it exists, so it keeps the expiry its window gave it.
_INCREMENT_IF_PRESENT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class CounterClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # connection pool's index -> its redis.Redis
        self._counted = threading.local()  # (key, count) of this thread's last add()
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client

    def _script(self, client, source):
        """Sent once, then run by its digest (EVALSHA, reloaded by redis-py if Redis lost it)."""
        script = self._scripts.get(source)
        if script is None:
            script = self._scripts[source] = client.register_script(source)
        return script

    def add(self, key, value, timeout):
        if not isinstance(value, int) or isinstance(value, bool) or not timeout or timeout < 0:
            return super().add(key, value, timeout)
        client = self.get_client(key, write=True)
        count, created = self._script(client, _COUNT)(
            keys=[key], args=[value, int(timeout * 1000)], client=client
        )
        self._counted.last = None if created else (key, count)
        return bool(created)

    def incr(self, key, delta):
        last = getattr(self._counted, "last", None)
        self._counted.last = None
        if last is not None and last[0] == key and delta == 1:
            return last[1]  # counted by the add() just before
        client = self.get_client(key, write=True)
        value = self._script(client, _INCREMENT_IF_PRESENT)(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class CounterRedisCache(RedisCache):
    """Django's RedisCache with CounterClient: one round trip per counted request."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = CounterClient
