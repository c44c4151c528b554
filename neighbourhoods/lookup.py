"""The one place that decides what a postcode lookup answers.

The public page and the JSON API both render a `LookupResult`, so they can never disagree.
Every answer is read from precomputed rows: no geometry is worked out during a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.gis.db.models.functions import Distance
from django.db.models import Count

from .models import LocalAuthority, Neighbourhood, Practice, current_membership_q
from .models import Postcode as PostcodeRecord
from .postcodes import COVERED_AREAS, Postcode

COVERED_AREAS_TEXT = ", ".join(sorted(COVERED_AREAS)[:-1]) + " or " + sorted(COVERED_AREAS)[-1]


class Outcome(StrEnum):
    IN_AREA = "in_area"
    OUT_OF_AREA = "out_of_area"
    TERMINATED = "terminated"
    NOT_FOUND = "not_found"
    DISTRICT = "district"
    INVALID = "invalid"
    EMPTY = "empty"


# (HTTP status, API error code) for the outcomes that are errors.
ERRORS = {
    Outcome.TERMINATED: (404, "postcode_terminated"),
    Outcome.NOT_FOUND: (404, "postcode_not_found"),
    Outcome.INVALID: (400, "invalid_postcode"),
    Outcome.EMPTY: (400, "empty_postcode"),
}


@dataclass(frozen=True)
class DistrictShare:
    neighbourhood: Neighbourhood
    postcodes: int


@dataclass(frozen=True)
class District:
    outcode: str
    shares: list[DistrictShare]
    outside: int  # live postcodes in the district outside City and Hackney

    @property
    def total(self) -> int:
        return sum(s.postcodes for s in self.shares) + self.outside


@dataclass(frozen=True)
class LookupResult:
    outcome: Outcome
    query: str
    postcode: Postcode | None = None
    record: PostcodeRecord | None = None
    neighbourhood: Neighbourhood | None = None
    local_authority: LocalAuthority | None = None
    practices: list[Practice] = field(default_factory=list)  # nearest first, with .distance
    district: District | None = None
    partial: bool = False  # typed in part ("E8 1D"): answered for its district

    @property
    def status_code(self) -> int:
        return ERRORS.get(self.outcome, (200, None))[0]

    @property
    def error_code(self) -> str | None:
        return ERRORS.get(self.outcome, (200, None))[1]

    @property
    def is_error(self) -> bool:
        return self.outcome in ERRORS

    @property
    def is_input_error(self) -> bool:
        """The resident needs to correct what they typed (not a postcode, or nothing)."""
        return self.outcome in (Outcome.INVALID, Outcome.EMPTY)

    @property
    def authority_name(self) -> str:
        if self.local_authority:
            return self.local_authority.name
        return "another area"

    @property
    def headline(self) -> str:
        pc = self.postcode
        match self.outcome:
            case Outcome.IN_AREA if self.neighbourhood is None:
                return f"{pc} is in City and Hackney"
            case Outcome.IN_AREA:
                return f"{pc} is in the {self.neighbourhood.name} neighbourhood"
            case Outcome.OUT_OF_AREA if self.local_authority is None:
                return f"{pc} is outside City and Hackney"
            case Outcome.OUT_OF_AREA:
                return f"{pc} is in {self.authority_name}, outside City and Hackney"
            case Outcome.TERMINATED:
                return f"{pc} is no longer in use"
            case Outcome.NOT_FOUND:
                return f"We could not find {pc}"
            case Outcome.DISTRICT:
                return f"Neighbourhoods in the {pc.outcode} postcode district"
            case Outcome.INVALID:
                return "Enter a real postcode, like E8 1DY"
            case Outcome.EMPTY:
                return "Enter a postcode"

    @property
    def detail(self) -> str:
        """What the resident can do next, after the headline."""
        pc = self.postcode
        match self.outcome:
            case Outcome.IN_AREA if self.neighbourhood is None:
                return (
                    "The area around it has not been given a neighbourhood yet. Find your "
                    "neighbourhood by your GP practice instead."
                )
            case Outcome.IN_AREA:
                return (
                    "Your neighbourhood is the one your GP practice belongs to, so if your "
                    "practice is in another neighbourhood, find it by your practice's name."
                )
            case Outcome.OUT_OF_AREA if self.local_authority is None:
                return (
                    f"City and Hackney's postcodes all begin with {COVERED_AREAS_TEXT}. "
                    "Use Find a GP on the NHS website to find a GP practice near you."
                )
            case Outcome.OUT_OF_AREA:
                body = self.local_authority.nhs_body if self.local_authority else ""
                where = f"Its NHS services are planned by {body}. " if body else ""
                return f"{where}Use Find a GP on the NHS website to find a GP practice near you."
            case Outcome.TERMINATED:
                when = f" in {self.record.terminated_on:%B %Y}" if self.record.terminated_on else ""
                return (
                    f"It was terminated{when} and is no longer used for addresses. Check your "
                    "postcode, or see the neighbourhoods its district falls in."
                )
            case Outcome.NOT_FOUND:
                return (
                    "It may be new, or it may have a typo. Check it, see the neighbourhoods its "
                    "district falls in, or find your neighbourhood by your GP practice."
                )
            case Outcome.DISTRICT if not self.district.shares:
                return f"No postcodes in {pc.outcode} are in City and Hackney."
            case Outcome.DISTRICT if self.partial:
                names = ", ".join(s.neighbourhood.name for s in self.district.shares)
                return (
                    f"{self.query} is only part of a postcode. Postcodes in {pc.outcode} are in "
                    f"these neighbourhoods: {names}. Enter your full postcode, like "
                    f"{pc.outcode} 1AA, for your own answer."
                )
            case Outcome.DISTRICT:
                names = ", ".join(s.neighbourhood.name for s in self.district.shares)
                return (
                    f"Postcodes in {pc.outcode} are in these neighbourhoods: {names}. Enter your "
                    "full postcode for your own answer."
                )
            case Outcome.INVALID:
                return "A postcode has letters and numbers, in two parts."
            case Outcome.EMPTY:
                return "A postcode looks like E8 1DY."

    @property
    def _district_hint(self) -> str:
        """Points to the district's neighbourhoods only when there are some to show."""
        if self.district and self.district.shares:
            return f", see the neighbourhoods {self.postcode.outcode} falls in"
        return ""

    @property
    def message(self) -> str:
        """The whole answer in plain English: the same words in the page and the API."""
        return f"{self.headline}. {self.detail}"


def lookup_postcode(raw: str | None) -> LookupResult:
    query = (raw or "").strip()
    if not query:
        return LookupResult(Outcome.EMPTY, query)
    postcode = Postcode.parse(query)
    partial = False
    if postcode is None:
        postcode, partial = Postcode.parse_partial(query), True
    if postcode is None:
        return LookupResult(Outcome.INVALID, query[:100])
    if not postcode.is_full:
        district = district_answer(postcode.outcode)
        if district.total == 0 and not postcode.in_covered_area:
            return LookupResult(Outcome.OUT_OF_AREA, query, postcode, district=district)
        if district.total == 0:
            return LookupResult(Outcome.NOT_FOUND, query, postcode, district=district)
        return LookupResult(Outcome.DISTRICT, query, postcode, district=district, partial=partial)

    record = (
        PostcodeRecord.objects.select_related("neighbourhood")
        .defer("neighbourhood__boundary")
        .filter(postcode=postcode.with_space)
        .first()
    )
    if record is None and not postcode.in_covered_area:
        return LookupResult(Outcome.OUT_OF_AREA, query, postcode)
    if record is None:
        return LookupResult(
            Outcome.NOT_FOUND, query, postcode, district=district_answer(postcode.outcode)
        )
    authority = (
        LocalAuthority.objects.defer("boundary")
        .filter(gss_code=record.local_authority_code)
        .first()
    )
    if record.terminated:
        return LookupResult(
            Outcome.TERMINATED,
            query,
            postcode,
            record=record,
            local_authority=authority,
            district=district_answer(postcode.outcode),
        )
    # Precomputed: a postcode has an LSOA exactly when its local authority is in the area.
    if record.lsoa_id is None:
        return LookupResult(
            Outcome.OUT_OF_AREA, query, postcode, record=record, local_authority=authority
        )
    return LookupResult(
        Outcome.IN_AREA,
        query,
        postcode,
        record=record,
        neighbourhood=record.neighbourhood,
        local_authority=authority,
        practices=nearest_practices(record) if record.neighbourhood else [],
    )


def nearest_practices(record: PostcodeRecord, limit: int = 10) -> list[Practice]:
    """The postcode's neighbourhood's current practices, nearest first, with .distance."""
    return list(
        Practice.objects.filter(
            current_membership_q(prefix="memberships__"),
            memberships__neighbourhood=record.neighbourhood,
            location__isnull=False,
        )
        .annotate(distance=Distance("location", record.location))
        .order_by("distance", "name")[:limit]
    )


def district_answer(outcode: str) -> District:
    """How a district's live postcodes split between the neighbourhoods (and the outside)."""
    counts = (
        PostcodeRecord.objects.live()
        .in_outcode(outcode)
        .values("neighbourhood")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_neighbourhood = {row["neighbourhood"]: row["n"] for row in counts}
    outside = by_neighbourhood.pop(None, 0)
    neighbourhoods = Neighbourhood.objects.in_bulk(list(by_neighbourhood))
    shares = sorted(
        (DistrictShare(neighbourhoods[pk], n) for pk, n in by_neighbourhood.items()),
        key=lambda s: (-s.postcodes, s.neighbourhood.name),
    )
    return District(outcode=outcode, shares=shares, outside=outside)
