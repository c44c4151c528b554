"""What an import could change, summed up so a test can tell "nothing changed" for certain:
each table's row count and a digest of all its rows."""

from django.db import connection

from neighbourhoods.models import (
    BoundaryVersion,
    BoundaryVersionArea,
    DistrictAnswer,
    ImportRun,
    Lsoa,
    Membership,
    Neighbourhood,
    Postcode,
    Practice,
)

# Practices, memberships and their history, every stored answer, the areas and their
# published versions, and the run records.
TABLES = [
    model._meta.db_table
    for model in (
        Practice,
        Practice.history.model,
        Membership,
        Membership.history.model,
        Postcode,
        DistrictAnswer,
        Lsoa,
        Neighbourhood,
        BoundaryVersion,
        BoundaryVersionArea,
        ImportRun,
    )
]


def table_digests() -> dict[str, tuple[int, str]]:
    """Table -> (rows, MD5 of every row's text, in order)."""
    digests = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT count(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {connection.ops.quote_name(table)} AS t"
            )
            digests[table] = cursor.fetchone()
    return digests
