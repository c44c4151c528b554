"""The portal's URLs plus two views that exist only for `make bench` (settings.py beside it).

- floor: one indexed read of the postcode row, a tiny JSON answer. Nothing can be faster
  through Django and PostgreSQL, so it is the limit the real answers are measured against.
- covers: what a MapIt-style service does on every request: read the postcode's point,
  then ask which neighbourhood and which borough cover it (ST_Covers, GiST indexes).

Each is served twice: outside /api/, through the site's whole middleware, and under
/api/bench/, through what the API's answers pass (the API's error shape, and its rate limit
where the application counts it; no session, sign-in or messages).
"""

from django.db import connection
from django.http import JsonResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as portal_urlpatterns
from neighbourhoods.models import LocalAuthority, Neighbourhood, Postcode


def with_space(compact: str) -> str:
    """Enough normalising for the benchmark's own well-formed sample ("E81DY" -> "E8 1DY")."""
    text = compact.replace(" ", "").upper()
    return f"{text[:-3]} {text[-3:]}"


def not_found():
    return JsonResponse({"error": "not found"}, status=404)


def floor(request, postcode):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT postcode, neighbourhood_id FROM {Postcode._meta.db_table} WHERE postcode = %s",
            [with_space(postcode)],
        )
        row = cursor.fetchone()
    if row is None:
        return not_found()
    return JsonResponse({"postcode": row[0], "neighbourhood": row[1]})


def covers(request, postcode):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT location FROM {Postcode._meta.db_table} WHERE postcode = %s",
            [with_space(postcode)],
        )
        row = cursor.fetchone()
        if row is None:
            return not_found()
        cursor.execute(
            f"""
            SELECT 'neighbourhood', slug, name FROM {Neighbourhood._meta.db_table}
            WHERE ST_Covers(boundary, %(point)s::geometry)
            UNION ALL
            SELECT 'borough', gss_code, name FROM {LocalAuthority._meta.db_table}
            WHERE ST_Covers(boundary, %(point)s::geometry)
            """,
            {"point": row[0]},
        )
        areas = [{"type": t, "code": code, "name": name} for t, code, name in cursor.fetchall()]
    return JsonResponse({"postcode": with_space(postcode), "areas": areas})


urlpatterns = [
    path("bench/floor/<str:postcode>", floor),
    path("bench/covers/<str:postcode>", covers),
    # The same two behind what every API answer passes through (neighbourhoods/api/
    # middleware.py, config/middleware.py SiteOnly), so the API can also be set beside them
    # like for like.
    path("api/bench/floor/<str:postcode>", floor),
    path("api/bench/covers/<str:postcode>", covers),
    *portal_urlpatterns,
]
