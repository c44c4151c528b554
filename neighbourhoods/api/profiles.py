"""Each neighbourhood's profile, as JSON and as CSV, with every release's date and
attribution."""

import datetime
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from ninja import Path

from config import surrogates

from .. import csv_cells, profiles
from ..models import Neighbourhood
from . import errors
from .app import SAFE, answered, api, download, keyed
from .neighbourhoods import SLUG_RE
from .schemas import Error, ProfileAnswer

NOT_FOUND = "No neighbourhood has that name. See /api/neighbourhoods."
NO_PROFILE = (
    "The profile statistics have not been imported yet, so there is no profile to give. Try "
    "again later."
)


def _answer(slug: str):
    neighbourhood = None
    if SLUG_RE.match(slug):
        neighbourhood = Neighbourhood.objects.not_removed().filter(slug=slug).first()
    if neighbourhood is None:
        return None, None, errors.error(404, "neighbourhood_not_found", NOT_FOUND)
    answer = profiles.profile_answer(neighbourhood)
    if answer is None:
        return None, None, errors.error(404, "profile_not_found", NO_PROFILE)
    return answer, _keys(neighbourhood, answer), None


def _keys(neighbourhood: Neighbourhood, answer: dict) -> list[str]:
    """What a profile shows: today's areas (a move keeps a new boundary version, and every
    release applied purges `neighbourhoods`), the neighbourhood (a membership begun or ended
    changes its registered patients) and the practices (a list size edited)."""
    return [
        surrogates.NEIGHBOURHOODS,
        surrogates.areas(answer["boundary_version"]),
        surrogates.neighbourhood(neighbourhood.pk),
        surrogates.PRACTICES,
        *(surrogates.release(source) for source in profiles.PROFILE_SOURCES),
    ]


@api.api_operation(
    SAFE,
    "/neighbourhoods/{slug}/profile",
    response={200: ProfileAnswer, 400: Error, 404: Error},
    summary="A neighbourhood's profile",
    description=(
        "Census 2021 residents, age and ethnic groups and the Indices of Deprivation 2025 of "
        "the people living in the neighbourhood's indicative area, beside City and Hackney's, "
        "with the registered patients and their IMD 2019, each release's date and attribution. "
        "Counts under 10 are null and listed in `suppressed`. 404: no such neighbourhood "
        "(neighbourhood_not_found), or no statistics imported (profile_not_found)."
    ),
    url_name="neighbourhood-profile",
)
def neighbourhood_profile(request, slug: str = Path(..., examples=["london-fields"])):
    answer, keys, refusal = _answer(slug)
    if refusal is not None:
        return refusal
    return keyed(answered(json.loads(json.dumps(answer, cls=DjangoJSONEncoder))), keys)


@api.api_operation(
    SAFE,
    "/neighbourhoods/{slug}/profile.csv",
    response={200: str, 400: Error, 404: Error},
    summary="A neighbourhood's profile, as CSV",
    description=(
        "Columns: section, measure, residents, share_percent, city_and_hackney_residents, "
        "city_and_hackney_share_percent. The lines before the header begin with # and give "
        "the attribution and each release's date."
    ),
    url_name="neighbourhood-profile-csv",
)
def neighbourhood_profile_csv(request, slug: str = Path(..., examples=["london-fields"])):
    answer, keys, refusal = _answer(slug)
    if refusal is not None:
        return refusal
    out = io.StringIO()
    csv_cells.comment(out, f"Profile of {answer['neighbourhood']['name']}. {answer['description']}")
    for release in answer["releases"]:
        date = release["release_date"]
        when = date.isoformat() if isinstance(date, datetime.date) else "not imported"
        csv_cells.comment(
            out,
            f"{release['source']} ({release['publisher']}), released {when}. "
            f"{release['attribution']}",
        )
    for note in answer["neighbourhood"]["suppressed"]:
        csv_cells.comment(out, f"Left out: {note}")
    writer = csv_cells.writer(out, lineterminator="\n")
    writer.writerows(profiles.profile_csv_rows(answer))
    body = download(out.getvalue(), "text/csv; charset=utf-8", f"{slug}-profile.csv")
    return keyed(body, keys)
