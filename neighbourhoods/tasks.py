"""Tasks the scheduler runs (django-q2's cluster: `manage.py qcluster`, started by `make run`).
A front door like a command: each calls one service and says what it did.

The schedule itself is a row of django-q2's Schedule table, made by a migration
(neighbourhoods 0015) and listed in the admin under "Scheduled tasks".
"""

from .importers.releases import release_apply, release_check
from .services.dated import dated_changes_apply


def apply_dated_changes() -> str:
    """Memberships that start or end today change the postcode answers today."""
    return dated_changes_apply().summary


def check_release(release_id: int) -> str:
    """Check an uploaded release and preview what applying it would change."""
    release = release_check(release_id)
    return f"{release}: {release.get_status_display()}"


def apply_release(release_id: int) -> str:
    """Apply a checked release, as a Data manager asked."""
    release = release_apply(release_id)
    return f"{release}: {release.get_status_display()}"
