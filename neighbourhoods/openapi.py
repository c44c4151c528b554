"""The API's OpenAPI 3.1 description, served at /api/openapi.json."""


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _geojson(description):
    return {
        "description": description,
        "content": {"application/geo+json": {"schema": {"type": "object"}}},
    }


RATE_LIMITED = {
    **_error(
        "Too many requests from one client address (rate_limited). Every API address counts "
        "towards one limit per client; wait for the seconds in Retry-After."
    ),
    "headers": {
        "Retry-After": {
            "description": "Seconds until the client may ask again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


def schema(server_url: str) -> dict:
    ref = {"$ref": "#/components/schemas/NeighbourhoodRef"}
    doc = {
        "openapi": "3.1.0",
        "info": {
            "title": "City and Hackney Neighbourhoods API",
            "version": "1.0.0",
            "description": (
                "Which City and Hackney neighbourhood a postcode is in, and the neighbourhoods' "
                "areas and GP practices. The areas are indicative: a resident's GP practice "
                "decides their neighbourhood. Coverage: every postcode in the City of London "
                "and Hackney lies in the E, EC, N or WC postcode areas, and we hold those areas' "
                "postcodes around City and Hackney. A well-formed postcode in any other area "
                "(SW1A 1AA, for example) is answered as outside City and Hackney (200, status "
                "out_of_area, with a null neighbourhood, local_authority and location). "
                "Contains OS data © Crown copyright and database "
                "right 2025; Royal Mail data © Royal Mail copyright and database right 2025; "
                "National Statistics data © Crown copyright and database right 2025; information "
                "from NHS England (Organisation Data Service), licensed under the Open "
                "Government Licence v3.0."
            ),
            "license": {
                "name": "Open Government Licence v3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            },
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": {
            "/api/postcodes/{postcode}": {
                "get": {
                    "summary": "The neighbourhood a postcode is in",
                    "description": (
                        "Case, spaces and punctuation in the postcode do not matter. A postcode "
                        "outside the E, EC, N and WC postcode areas is out_of_area; a postcode "
                        "typed in part (E8 1D) is a 400 pointing to its district."
                    ),
                    "parameters": [
                        {
                            "name": "postcode",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 40},
                            "example": "E8 1DY",
                        }
                    ],  # fmt: skip
                    "responses": {
                        "200": {
                            "description": (
                                "A live postcode in City and Hackney (in_area), or a postcode "
                                "outside it (out_of_area): either one we hold, with its local "
                                "authority, or any well-formed postcode outside the E, EC, N "
                                "and WC areas, with null local_authority and location."
                            ),
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/PostcodeAnswer"}
                                }
                            },  # fmt: skip
                        },
                        "400": _error(
                            "Not a postcode, or only part of one (invalid_postcode), or "
                            "nothing (empty_postcode)."
                        ),
                        "404": _error(
                            "Well formed but not in our data (postcode_not_found), or no "
                            "longer in use (postcode_terminated)."
                        ),
                    },
                }
            },
            "/api/outcodes/{outcode}": {
                "get": {
                    "summary": "The neighbourhoods a postcode district's postcodes fall in",
                    "parameters": [
                        {
                            "name": "outcode",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 40},
                            "example": "E8",
                        }
                    ],  # fmt: skip
                    "responses": {
                        "200": {
                            "description": "Counts of live postcodes by neighbourhood.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/DistrictAnswer"}
                                }
                            },  # fmt: skip
                        },
                        "400": _error("Not a postcode district (invalid_outcode)."),
                        "404": _error("No postcodes in that district (outcode_not_found)."),
                    },
                }
            },
            "/api/neighbourhoods": {
                "get": {
                    "summary": "The eight neighbourhood areas",
                    "parameters": [
                        {
                            "name": "simplified",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["1", "true"]},
                            "description": "Boundaries simplified (about 2 m) for display.",
                        }
                    ],  # fmt: skip
                    "responses": {"200": _geojson("A GeoJSON FeatureCollection.")},
                }
            },
            "/api/neighbourhoods/{slug}": {
                "get": {
                    "summary": "One neighbourhood area",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "example": "london-fields",
                        }
                    ],  # fmt: skip
                    "responses": {
                        "200": _geojson("A GeoJSON Feature."),
                        "404": _error("No such neighbourhood (neighbourhood_not_found)."),
                    },
                }
            },
            "/api/practices": {
                "get": {
                    "summary": "GP practices and their neighbourhoods",
                    "responses": {"200": _geojson("A GeoJSON FeatureCollection of points.")},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "NeighbourhoodRef": {
                    "type": "object",
                    "required": ["name", "slug", "url"],
                    "properties": {
                        "name": {"type": "string"},
                        "slug": {"type": "string"},
                        "url": {"type": "string", "format": "uri-reference"},
                    },
                },
                "PostcodeAnswer": {
                    "type": "object",
                    "required": [
                        "postcode",
                        "status",
                        "neighbourhood",
                        "local_authority",
                        "location",
                        "practices",
                    ],  # fmt: skip
                    "properties": {
                        "postcode": {"type": "string", "example": "E8 1DY"},
                        "status": {"type": "string", "enum": ["in_area", "out_of_area"]},
                        "message": {"type": "string"},
                        "neighbourhood": {"oneOf": [ref, {"type": "null"}]},
                        "local_authority": {
                            "type": ["object", "null"],
                            "properties": {
                                "code": {"type": "string"},
                                "name": {"type": ["string", "null"]},
                                "nhs_body": {"type": ["string", "null"]},
                            },
                        },
                        "location": {
                            "type": ["object", "null"],
                            "properties": {
                                "latitude": {"type": "number"},
                                "longitude": {"type": "number"},
                            },
                        },
                        "practices": {
                            "type": "array",
                            "description": "The neighbourhood's practices, nearest first.",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "ods_code": {"type": "string"},
                                    "name": {"type": "string"},
                                    "postcode": {"type": "string"},
                                    "phone": {"type": "string"},
                                    "distance_m": {"type": "integer"},
                                },
                            },
                        },
                        "indicative": {"type": "boolean"},
                    },
                },
                "DistrictAnswer": {
                    "type": "object",
                    "properties": {
                        "outcode": {"type": "string"},
                        "status": {"type": "string", "enum": ["district"]},
                        "postcodes": {"type": "integer"},
                        "outside_area": {"type": "integer"},
                        "neighbourhoods": {
                            "type": "array",
                            "items": {
                                "allOf": [
                                    ref,
                                    {
                                        "type": "object",
                                        "properties": {"postcodes": {"type": "integer"}},
                                    },
                                ]
                            },  # fmt: skip
                        },
                    },
                },
            }
        },
    }
    # Every endpoint shares the per-client rate limit (settings.PORTAL_API_RATE_LIMIT).
    for path in doc["paths"].values():
        path["get"]["responses"]["429"] = RATE_LIMITED
    return doc
