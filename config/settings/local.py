from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# runserver serves static files itself in development; WhiteNoise serves them in production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# Emails (a password reset) are printed in runserver's terminal, unless EMAIL_BACKEND says;
# `make dev` runs no scheduler, so its queued tasks (those emails) run at once instead.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
# runserver starts a thread per request: a connection kept per thread would pile up.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
