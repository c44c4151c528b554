import os

from .base import *  # noqa: F403
from .base import env

# The tests read the primary; those that prove the routing on a replica (DATABASE_REPLICA_URL,
# `make replica`) turn its reads on (tests/config/test_db_router.py).
PORTAL_REPLICA_READS = False
# No cache in front to purge, unless a test starts one.
PORTAL_CACHE_PURGE_URLS = []
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-secret")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The rate limit keeps counting in the real Redis (base.py), as it does in production.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                  "LOCATION": "fragments"},
    "answers": CACHES["answers"],  # noqa: F405
    "ratelimit": CACHES["ratelimit"],  # noqa: F405
}  # fmt: skip
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# Under pytest-xdist each test process has its own test database, and so its own counters.
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    CACHES["ratelimit"] = {**CACHES["ratelimit"],  # noqa: F405
                           "KEY_PREFIX": f"{CACHES['ratelimit']['KEY_PREFIX']}-{_worker}"}  # noqa: F405  # fmt: skip
# Hundreds of API requests come from one test client in a run; the tests of the limit set
# their own.
PORTAL_API_RATE_LIMIT = "1000000/m"

# Tasks run at once, in the test's own process and transaction.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
