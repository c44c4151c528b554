"""The JSON API for partners: the same answers as the pages, with an OpenAPI 3.1 description
generated from its types by django-ninja (docs/api.md).

- schemas.py: the shapes of every answer (pydantic), which the description is made from;
- endpoints.py: the operations, each rendering a result of neighbourhoods.answers;
- downloads.py: the postcode CSV and the areas' GeoJSON, cached until the next publish;
- errors.py: the one error shape, {"error": {"code", "message"}}, for every error status;
- middleware.py: the per-client rate limit, and JSON errors for what Django answers itself;
- urls.py: /api/v1/, and /api/ as its alias.
"""
