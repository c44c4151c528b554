"""GeoDjango's PostGIS backend, with two savings on the round trips of a kept connection.

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

**Statements prepared once per connection.** `execute_prepared` runs a statement that
PostgreSQL parsed and planned once, on the connection's first use of it (`PREPARE`), rather
than on every request. A prepared statement lasts as long as its session and is not undone
by a rollback; PostgreSQL plans it again by itself when a table it reads is altered.
"""

import select

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper

READABLE = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


class DatabaseWrapper(PostGISDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared = {}  # each statement prepared on the current connection: its EXECUTE

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self.prepared = {}
        return connection

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

    def execute_prepared(self, cursor, name: str, sql: str, params: list):
        """Run `sql` (its parameters written $1, $2, …, each passed as text) as the statement
        `name`, preparing it on this connection first if it is not yet.

        The `PREPARE`, once per connection, goes straight to psycopg2: what Django counts
        and logs per request is the `EXECUTE`, the one round trip a request costs."""
        execute = self.prepared.get(name)
        if execute is None:
            types = ", ".join("text" for _ in params)
            cursor.cursor.execute(f"PREPARE {name}({types}) AS {sql}")
            execute = self.prepared[name] = f"EXECUTE {name}({', '.join('%s' for _ in params)})"
        cursor.execute(execute, params)
