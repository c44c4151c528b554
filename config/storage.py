"""Static files as WhiteNoise serves them in production: compressed, with hashed names."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Keeps the manifest (staticfiles.json, the list of every static file) outside
    STATIC_ROOT, so WhiteNoise, which serves all of STATIC_ROOT, never serves it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "manifest_storage", FileSystemStorage(location=settings.STATIC_MANIFEST_DIR)
        )
        super().__init__(*args, **kwargs)
