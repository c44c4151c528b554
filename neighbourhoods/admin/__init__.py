"""The admin for the neighbourhoods app: a front door. Each page parses what staff sent,
calls one service (services/) or read, and renders. Django's autodiscovery imports this
package; each module registers its models.

- practices.py: neighbourhoods, their aims, practices and memberships;
- geography.py: LSOAs and moving them (with the preview), local authorities, postcodes;
- records.py: import runs and boundary versions, read-only;
- releases.py: new releases of the open data: upload, preview, apply, undo;
- removals.py: deleting a practice or neighbourhood (removing it), Deleted records, restoring;
- widgets.py: the map widgets they share.

The audit trail's admin (history, recent changes) is neighbourhoods.audit, for all apps.
"""

from . import geography, practices, records, releases  # noqa: F401 (each registers its models)
