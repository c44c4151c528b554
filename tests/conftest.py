from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture
def shared_data() -> Path:
    """The open data folder the imports read (../shared/data unless PORTAL_DATA_DIR says)."""
    path = Path(settings.PORTAL_DATA_DIR)
    if not path.is_dir():
        pytest.fail(f"The open data folder {path} is missing; set PORTAL_DATA_DIR.")
    return path
