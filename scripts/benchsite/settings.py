"""Production settings plus the benchmark's two comparison views (urls.py beside it).

Used only by `make bench` (scripts/bench.py), never in a deployment: the comparison views
exist to measure the portal against a floor and a request-time lookup, not to serve anyone.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "scripts.benchsite.urls"
