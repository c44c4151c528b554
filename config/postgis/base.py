"""GeoDjango's PostGIS backend, with one saving on the round trips of a kept connection.

**A health check that costs no round trip.** With `CONN_HEALTH_CHECKS`, Django checks a
kept connection before the first query of each request by sending `SELECT 1` and waiting
for the answer: a round trip to PostgreSQL on every request, as long as a lookup's own
read. A connection that PostgreSQL has closed (a restart, `pg_terminate_backend`, an idle
timeout) leaves its socket readable: the server sent its last message and the end of the
stream. An idle connection that is still open has nothing to read. So the check here first
asks the socket, without waiting (`select.poll`, under a microsecond), and sends `SELECT 1`
only when something is there to read. That is either the end of the connection, which the
query then finds, or a message a live server may send an idle session (a notice, a
`NOTIFY`), which the query reads past. Only the check before a request's first query
changes: after a query fails, Django still asks with `SELECT 1` whether the connection is
usable.
"""

import select

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper

READABLE = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


class DatabaseWrapper(PostGISDatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self.is_quiet() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def is_quiet(self) -> bool:
        """Whether the connection is open on our side and nothing waits to be read from it."""
        if self.connection.closed:
            return False
        waiting = select.poll()
        waiting.register(self.connection.fileno(), READABLE)
        return not waiting.poll(0)
