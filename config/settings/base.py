"""Settings shared by every environment. Values come from the environment (see README)."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)  # required in production.py
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    # Django's admin, open only to a session that has given its second factor
    # (config/second_factor.py).
    "config.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "config.apps.PortalStaticFilesConfig",  # django.contrib.staticfiles, ignoring more
    "django.contrib.gis",
    "django.contrib.postgres",
    # Old addresses of renamed pages answer with a 301 (partnership/redirects.py).
    "django.contrib.sites",
    "django.contrib.redirects",
    "leaflet",
    "axes",
    # The staff's second factor: an authenticator app (TOTP) and recovery codes (docs/security.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "corsheaders",
    "csp",
    # The audit trail: every change to content and geography, with undo (docs/history.md).
    "simple_history",
    # The scheduler and background tasks (docs/operations.md "The scheduler").
    "django_q",
    "partnership",
    "workstreams",
    "neighbourhoods",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Answers CORS preflights on /api/ before anything else runs (docs/security.md).
    "corsheaders.middleware.CorsMiddleware",
    # django-csp's, with the policy written once per process (config/middleware.py).
    "config.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Cache-Control and Cross-Origin-Resource-Policy on every answer, static files included.
    "config.middleware.ResponseHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The API's rate limit, and its JSON error shape for every error status.
    "neighbourhoods.api.middleware.ApiMiddleware",
    # Public reads to the replica, if there is one; staff and the reads after a write not.
    "config.db_router.ReplicaReadsMiddleware",
    # Sessions, sign-in and messages are for the pages and the admin: the API, which uses
    # none of them, passes through these three untouched (config/middleware.py SiteOnly).
    "config.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.AuthenticationMiddleware",
    # Whether the signed-in user has given their second factor (django-otp); then every admin
    # address sends staff who have not to give it, or to set up an app (docs/security.md).
    "config.middleware.OTPMiddleware",
    "config.second_factor.SecondFactorMiddleware",
    # Lets every history row name the signed-in user who made the change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django.contrib.redirects' fallback, keeping the redirect rule (partnership/redirects.py).
    "partnership.redirects.PortalRedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]
SITE_ID = 1
# The portal's own address, where links made outside a page's request lead: the admin's
# "View on site" and the links in emails (config/portal.py). The Sites framework's one site
# is set from it whenever the database is migrated.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
_portal = urlsplit(PORTAL_BASE_URL)
if _portal.scheme not in ("http", "https") or not _portal.netloc or _portal[2:] != ("", "", ""):
    raise ImproperlyConfigured(
        f"PORTAL_BASE_URL={PORTAL_BASE_URL!r} is not the portal's address: give its scheme "
        "and host alone, like https://neighbourhoods.example.nhs.uk"
    )
# The outside sites a redirect set in the admin may lead to, by host name, comma-separated
# ("www.nhs.uk,www.hackney.gov.uk"); none unless listed. Redirects otherwise lead only to the
# portal's own paths (partnership/redirects.py).
PORTAL_REDIRECT_DOMAINS = env.list("PORTAL_REDIRECT_DOMAINS", default=[])

ROOT_URLCONF = "config.urls"
# Where the JSON API lives (config.clients.is_api); its answers and errors are JSON.
API_PREFIX = "/api/"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnership.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgis:///portal")}
# GeoDjango's PostGIS backend, whose check of a kept connection asks its socket rather
# than send PostgreSQL a query, and which prepares statements once per connection
# (config/postgis/base.py).
DATABASES["default"]["ENGINE"] = "config.postgis"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Under gunicorn each thread keeps one connection for a minute (workers x threads in all,
# see config/gunicorn.py), checked before each request's first query and after an error.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica of the same database, for public reads (config/db_router.py): set
# DATABASE_REPLICA_URL to use one. In tests it mirrors the test database: the same name, on
# the replica's server, so a test can read what the primary wrote once it has replayed.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db("DATABASE_REPLICA_URL"),
        "ENGINE": "config.postgis",
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
# Whether public reads go to it (the tests turn this on only where they prove the routing).
PORTAL_REPLICA_READS = "replica" in DATABASES
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Staff sign in through the admin; its sign-in page is where a password reset ends.
LOGIN_URL = "admin:login"

# Email, for the admin's password reset (config/password_reset.py): Django's own settings,
# each from the environment variable of its name. `make run` writes each email to a file in
# .run/emails/ (scripts/serve.py); `make dev` prints it in the terminal (local.py).
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A mail server that stops answering must not hold the scheduler's one worker for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / ".run" / "emails"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

# Staff passwords: 12 characters at least, not one of the 20,000 most common (Django's list),
# and not the name of a place, the partnership or the NHS with digits or symbols added
# (config/passwords.py), which the common lists miss but a guesser tries first.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "config.passwords.PlaceWordsValidator"},
]

# Only staff have sessions (residents get no cookie). One ends after a working day without a
# request, as every request moves its end on: a session left open on a shared computer
# does not last the 14 days of Django's default.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_HOURS", default=8) * 3600
SESSION_SAVE_EVERY_REQUEST = True

# The second factor (django-otp). The issuer names the account in the staff's app; the admin
# never shows a device's secret or its QR code again, to anyone.
OTP_TOTP_ISSUER = "City and Hackney Neighbourhoods"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}
# The manifest of hashed names is kept beside STATIC_ROOT, not in it, so it is never served.
STATIC_MANIFEST_DIR = BASE_DIR / "staticfiles-manifest"

# Where the import commands read the open data from (see data/SOURCES.md beside it).
PORTAL_DATA_DIR = Path(env("PORTAL_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data")))

MAP_TILES_URL = env("MAP_TILES_URL", default="https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (51.545, -0.07),
    "DEFAULT_ZOOM": 12,
    "MIN_ZOOM": 10,
    "MAX_ZOOM": 18,
    # The tile licence requires its credit on every map: change both together.
    "TILES": [
        (
            "Map",
            MAP_TILES_URL,
            {
                "attribution": env(
                    "MAP_TILES_ATTRIBUTION",
                    default='&copy; <a href="https://www.openstreetmap.org/copyright">'
                    "OpenStreetMap</a> contributors",
                )
            },
        )
    ],
    "ATTRIBUTION_PREFIX": "",
    "RESET_VIEW": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A postcode in the API's path is never written (the privacy notice; config/log_privacy.py).
    "filters": {"no_postcodes": {"()": "config.log_privacy.PostcodesOutOfPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"filters": ["no_postcodes"]},
        "django.server": {"filters": ["no_postcodes"], "handlers": ["console"],
                          "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}  # fmt: skip
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Debian 12's GDAL is 3.6. GDAL is only ever given our own files and SRIDs, never a user's
# spatial reference or path, so the hardening GDAL 3.9 adds has nothing to guard here.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Shared by every worker, so clearing it on a change reaches them all. A lookup's answer is
# one indexed read and is not cached (its rendered page is, below); map GeoJSON is.
CACHES = {
    "default": env.cache("CACHE_URL", default="dbcache://portal_cache"),
    # Page fragments that depend only on the code and settings (map assets, the footer):
    # each process keeps its own, and a deployment's restart is what renews them.
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                  "LOCATION": "fragments"},
    # The lookup page's answer, rendered once per distinct answer (and keyed by everything
    # it shows, so never stale: templatetags/portal.py answer_cache), in each process. About
    # 6 kB an answer: at most ~25 MB a process.
    "answers": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "answers", "TIMEOUT": 24 * 3600,
                "OPTIONS": {"MAX_ENTRIES": 4000, "CULL_FREQUENCY": 4}},
}  # fmt: skip

# Abuse and browsers: the settings behind docs/security.md.

# The request header that holds the client's address, when a proxy we run sets it (nginx
# overwrites X-Real-IP: DJANGO_CLIENT_IP_HEADER=HTTP_X_REAL_IP). Unset: the socket's peer.
# Never set it to a header a client can send straight to the application.
CLIENT_IP_HEADER = env("DJANGO_CLIENT_IP_HEADER", default="") or None

# Trusted only when configured, and only when the proxy in front overwrites the header.
_proxy_ssl_header = env("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https")

# The API's rate limit per client (django-ratelimit): "<count>/<s|m|h|d>"; empty turns it off.
PORTAL_API_RATE_LIMIT = env("PORTAL_API_RATE_LIMIT", default="300/m") or None
# The contact form's limit per client address, counted the same way (docs/security.md).
PORTAL_CONTACT_RATE_LIMIT = env("PORTAL_CONTACT_RATE_LIMIT", default="10/h") or None
# Days the web server's access log and error log are kept under `make run` (scripts/serve.py
# rotates them daily and deletes older days); the privacy notice states it.
PORTAL_ACCESS_LOG_DAYS = env.int("PORTAL_ACCESS_LOG_DAYS", default=14)
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True
# Counters in Redis, shared by every worker. Each database's site counts apart, so two
# checkouts on one Redis never share a limit. A Redis that is down or slow costs at most
# the timeouts below, and the API answers without its limit (logged) rather than fail.
# The shared caches in front (Varnish under `make run`) to purge on every publish, each an
# address that takes PURGE with an xkey-purge header (config/surrogates.py). None: no purge.
PORTAL_CACHE_PURGE_URLS = env.list("PORTAL_CACHE_PURGE_URLS", default=[])

CACHES["ratelimit"] = {
    # Under `make run` nginx counts the limit before a request reaches the application; this
    # counts it where nothing is in front (docs/security.md).
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": env("RATELIMIT_CACHE_URL", default="redis://127.0.0.1:6379/0"),
    "KEY_PREFIX": f"portal-{DATABASES['default']['NAME']}",
    "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
}
# Django's own RedisCache increments atomically (INCRBY); django-ratelimit only lists
# django-redis's by name.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.W001"]

# Admin sign-in lockout (django-axes): after this many failures for one username from one
# address, that pair is refused, even with the right password, until the cool-off ends or
# staff reset it (`manage.py axes_reset_username NAME`, or the admin's Access attempts).
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
# ...and after this many failures from one address, whatever the usernames, the address is
# refused: someone trying many usernames is stopped too. Higher, as colleagues in one office
# share an address (config/sign_in_limits.py).
AXES_ADDRESS_FAILURE_LIMIT = env.int("DJANGO_AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=15))
# In this order: the handler takes the first count as the username's, the second as the
# address's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "config.sign_in_limits.SignInLimitsHandler"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429

# Content-Security-Policy (django-csp): nothing inline runs or styles without this
# response's nonce. Map tiles are the only images from elsewhere; NHS.UK's fonts the only
# fonts.
_tiles = urlsplit(MAP_TILES_URL)
MAP_TILES_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", MAP_TILES_ORIGIN],
        "font-src": [SELF, "https://assets.nhs.uk"],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Permissions-Policy (django-permissions-policy): location for "Use my location", nothing
# else.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "geolocation": ["self"],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "sync-xhr": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# CORS (django-cors-headers): any site may read the API with GET; pages and the admin
# send no CORS headers at all.
CORS_URLS_REGEX = rf"^{API_PREFIX}.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 86400
# WhiteNoise would otherwise let every site read the static files too.
WHITENOISE_ALLOW_ALL_ORIGINS = False
# Releases of the open data uploaded in the admin are kept here, named by their SHA-256: a
# folder the web server does not serve. Uploads larger than the limit are refused, and so is
# a zip (Code-Point Open) that would unzip to more than its limit: all of Great Britain's
# Code-Point Open unzips to about 200 MB.
PORTAL_RELEASES_DIR = Path(env("PORTAL_RELEASES_DIR", default=str(BASE_DIR / ".run" / "releases")))
PORTAL_RELEASE_MAX_BYTES = env.int("PORTAL_RELEASE_MAX_BYTES", default=2 * 1024**3)
PORTAL_RELEASE_MAX_UNZIPPED_BYTES = env.int(
    "PORTAL_RELEASE_MAX_UNZIPPED_BYTES", default=2 * 1024**3
)
# The largest share of what is there (0.02 = 2%) an import may terminate, remove or blank
# before it refuses; `--allow-shrink` lets a larger, intended shrink through (docs/imports.md).
PORTAL_IMPORT_MAX_SHRINK = env.float("PORTAL_IMPORT_MAX_SHRINK", default=0.02)
# A postcode import refuses a point that moves further than this from where the portal has
# it, or that lies further than the tolerance outside its own local authority's boundary
# (boundaries are generalised, to about 20 m); `--allow-moves` lets intended moves through,
# and the run records them (docs/imports.md).
PORTAL_IMPORT_MAX_MOVE_METRES = env.int("PORTAL_IMPORT_MAX_MOVE_METRES", default=1000)
PORTAL_IMPORT_BOUNDARY_TOLERANCE_METRES = env.int(
    "PORTAL_IMPORT_BOUNDARY_TOLERANCE_METRES", default=250
)
# An ePCN file that would leave out more than this share of the practices that are in a
# neighbourhood now is refused as cut short, unless `--allow-shrink` (docs/imports.md).
PORTAL_IMPORT_MAX_UNLISTED = env.float("PORTAL_IMPORT_MAX_UNLISTED", default=1 / 3)

# A page a person reviewed more than this many months ago is listed in the admin's "Due for
# review", with the pages nobody has reviewed yet (partnership/reviews.py).
PORTAL_REVIEW_AFTER_MONTHS = env.int("PORTAL_REVIEW_AFTER_MONTHS", default=12)

# The audit trail (django-simple-history, docs/history.md): seeing an object's history needs
# the "view historical …" permission, restoring an earlier version "change historical …".
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# The scheduler (django-q2): dated changes happen on their date (neighbourhoods.tasks). Its
# queue and schedules live in this database (the ORM broker), so it needs nothing else
# running; `manage.py qcluster` works through them, one process on one machine.
Q_CLUSTER = {
    "name": "portal",
    "orm": "default",
    "workers": 1,
    "timeout": 30 * 60,  # a national import, at the most
    "retry": 31 * 60,  # must be longer than the timeout
    "max_attempts": 1,
    "catch_up": False,  # a missed day is caught up by the task itself (services/dated.py)
    "save_limit": 250,
    "label": "Scheduled tasks",
}
