"""Production settings plus the benchmark's two comparison views (config/bench_urls.py).

Used only by `make bench` (scripts/bench.py), never in a deployment: the comparison views
exist to measure the portal against a floor and a request-time lookup, not to serve anyone.
"""

from .production import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"
