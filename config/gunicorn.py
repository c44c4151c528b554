"""gunicorn's settings for `make run`: the application server behind nginx.

nginx faces the clients: it reads each request in full, however slowly it arrives, before
handing it on, so gunicorn's threads only ever wait on the database. Values can be changed
from the environment; `scripts/serve.py` sets the socket.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Two cores: one process each, with threads to overlap the waits on PostgreSQL. Each thread
# keeps at most one database connection, so the pool is workers x threads (16), far below
# PostgreSQL's default limit of 100.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# nginx reads request lines of up to 8 kB (large_client_header_buffers) and answers a longer
# one itself, in the API's error shape under /api/. gunicorn's own limit (4 kB unless set)
# would answer a 4-8 kB one first, in HTML: its limit is raised to the most it allows, so
# every request line nginx passes on fits and nginx alone refuses the rest.
limit_request_line = 8190
# A request the portal cannot answer in 30 s is a fault: the worker is restarted.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Restart workers now and then, so no slow leak can grow for ever.
max_requests = 10_000
max_requests_jitter = 1_000
# A socket file is reachable by nginx's workers whichever user they run as.
umask = 0o000
accesslog = None  # nginx writes the access log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
proc_name = "neighbourhoods-portal"

# gunicorn would take X-Forwarded-Proto (and its kin) from any client on 127.0.0.1 as the
# scheme the request came by, so a client on the same machine could claim HTTPS. The scheme
# is Django's to decide, from the one header a proxy in front overwrites, and only when
# DJANGO_SECURE_PROXY_SSL_HEADER says there is one (`make run`'s nginx): gunicorn trusts
# no address unless GUNICORN_FORWARDED_ALLOW_IPS names it.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "")
secure_scheme_headers = {} if not forwarded_allow_ips else {
    "X-FORWARDED-PROTO": "https", "X-FORWARDED-PROTOCOL": "ssl", "X-FORWARDED-SSL": "on"
}  # fmt: skip
