"""Which database a query goes to: public reads to the replica when one is configured
(DATABASE_REPLICA_URL), everything else to the primary.

Only a public request's reads may leave the primary, and only while nothing pins it there.
A read is public when `ReplicaReadsMiddleware` has said so for the request being served: a
GET or HEAD, outside the admin, from a client with no session cookie (staff are signed in,
so all of staff's reads, the move preview and history included, stay on the primary) and
no pin cookie. The pin cookie is set on the answer to any write a client makes outside the
API (a form posted, a sign-in) and lasts a few seconds: the reads that follow someone's
own write see it, whatever the replica's lag. Management commands, the scheduler's tasks
and the tests read the primary unless they ask otherwise, since nothing marks them public;
and inside a transaction every read is the primary's, so what a write reads back is what it
wrote.
"""

import contextvars
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
# Set on the answer to a write, for as long as a replica may lag behind it.
PIN_COOKIE = "portal_primary"
PIN_SECONDS = 10
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_public_read = contextvars.ContextVar("public_read", default=False)


def replica_configured() -> bool:
    return settings.PORTAL_REPLICA_READS


@contextmanager
def public_reads():
    """Reads in this block may go to the replica (a public request, or a benchmark)."""
    token = _public_read.set(True)
    try:
        yield
    finally:
        _public_read.reset(token)


def read_database() -> str:
    """The alias a read goes to now."""
    if not (_public_read.get() and replica_configured()):
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


# Django's database cache (CACHE_URL=dbcache://…) is written on the primary and cleared there
# on every publish: read back from anywhere else, it could lag behind its own clear.
PRIMARY_ONLY_APPS = frozenset({"django_cache"})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return read_database()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def is_public_read(request) -> bool:
    """Whether a request's reads may go to the replica (see the module's docstring)."""
    return (
        request.method in SAFE_METHODS
        and not request.path.startswith("/admin/")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and PIN_COOKIE not in request.COOKIES
    )


class ReplicaReadsMiddleware:
    """Marks a public request's reads for the replica, and pins a client that has just
    written to the primary for PIN_SECONDS. Not used when no replica is configured, so the
    answers are the same with and without one."""

    def __init__(self, get_response):
        if not replica_configured():
            # Not in the chain at all: every request of a portal without a replica pays
            # nothing for it.
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        if is_public_read(request):
            with public_reads():
                return self.get_response(request)
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and not request.path.startswith(settings.API_PREFIX):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def reading():
    """The connection a raw read (a cursor's SQL, which no router sees) goes to now."""
    return connections[read_database()]


REPLICA_WAIT_S = 5.0


def replica_wait(timeout: float = REPLICA_WAIT_S) -> bool:
    """Wait until the replica has replayed everything the primary has committed so far (at
    most `timeout` seconds); True when it has, or when there is no replica. A cache purged
    before then could be filled again from the replica's past."""
    if not replica_configured():
        return True
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    try:
        with connections[REPLICA].cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
                if cursor.fetchone()[0]:
                    return True
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)
    except DatabaseError as exc:
        logger.error("The replica could not be asked how far it has replayed: %s", exc)
        return False
    logger.error("The replica had not replayed %s after %.0f s.", lsn, timeout)
    return False
