"""The JSON API for partners: the same answers as the pages, with an OpenAPI 3.1 description
generated from its types by django-ninja (docs/api.md). A front door: each operation parses
its input, calls one selector, and renders the result with the serialisers.

- app.py: the NinjaAPI object, its description, and the answers' shared headers;
- one module per resource: postcodes.py, points.py, districts.py, neighbourhoods.py,
  practices.py, downloads.py, boundary_versions.py;
- serialisers.py: one serialiser for a neighbourhood, authority, practice and point;
- schemas.py: the shapes of every answer (pydantic), which the description is made from;
- as_on.py: answers as on a date (?on=YYYY-MM-DD);
- errors.py and handlers.py: the one error shape, {"error": {"code", "message"}};
- middleware.py: the per-client rate limit, and JSON errors for what Django answers itself;
- urls.py: /api/v1/, and /api/ as its alias.
"""
