"""Tasks the scheduler runs (django-q2's cluster: `manage.py qcluster`, started by `make run`).
A front door like a command: each calls one service and says what it did.

The schedule itself is a row of django-q2's Schedule table, made by a migration
(neighbourhoods 0015) and listed in the admin under "Scheduled tasks".
"""

from .services.dated import dated_changes_apply


def apply_dated_changes() -> str:
    """Memberships that start or end today change the postcode answers today."""
    return dated_changes_apply().summary
