"""What a request reads: the one place that decides what a lookup answers, by postcode or by
point, and the district answers.

A postcode's answer is read from its row, worked out ahead of time (`stored_answer`, written by
`services.answers`): one indexed read of its row, a district's one read of its row, and
nothing is joined or worked out during the request. A point cannot be known ahead of time,
so its answer is worked out when it is asked, in one query: the neighbourhood and the
borough that cover it (`ST_Covers`, so a point on an edge still counts) and the
neighbourhood's practices nearest it, by the same SQL the stored answers use.
"""

from __future__ import annotations

import calendar
import datetime
import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from config import generation
from config.db_router import reading
from partnership.data_sources import DATA_SOURCES
from partnership.models import Place

from . import stored_answer
from .answers import District, Location, LookupResult, NearbyPractice, Outcome
from .models import DistrictAnswer, ImportRun, LocalAuthority, Neighbourhood, Postcode
from .postcodes import ParsedPostcode


def postcodes_a_practice_may_touch(ods_code: str, points) -> list[int]:
    """The postcodes whose nearest practices a change to one practice can change: those whose
    answer lists it, and those at least as near one of `points` (where it is, and where it
    was) as their farthest practice listed, or listing fewer than the most; only postcodes
    in a neighbourhood list practices. The rest would list the same practices after it."""
    points = [p for p in points if p is not None]
    near = " OR ".join(
        "ST_DWithin(p.location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, "
        "(p.answer -> 'practices' -> -1 ->> 'distance_m')::float + 1)"
        for _ in points
    )
    sql = f"""
        SELECT p.id FROM {Postcode._meta.db_table} AS p
        WHERE p.neighbourhood_id IS NOT NULL AND p.location IS NOT NULL AND (
            p.answer IS NULL
            OR jsonb_array_length(COALESCE(p.answer -> 'practices', '[]'::jsonb)) < %s
            OR p.answer -> 'practices' @> %s::jsonb
            {"OR " + near if near else ""}
        )
    """
    params = [stored_answer.NEAREST_PRACTICES, json.dumps([{"ods_code": ods_code}])]
    for point in points:
        params += [point.x, point.y]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def area_authority_codes() -> list[str]:
    """The local authorities the portal's place covers (City of London and Hackney)."""
    place = Place.objects.main()
    return list(place.local_authority_codes) if place else []


def lookup_point(latitude, longitude) -> LookupResult:
    """The answer for a point given in decimal degrees (strings or numbers, as they came)."""
    location = Location.parse(latitude, longitude)
    if location is None:
        query = f"{latitude or ''}, {longitude or ''}"[:100]
        return LookupResult(Outcome.INVALID_POINT, query)
    query = str(location)
    if not location.in_great_britain:
        return LookupResult(Outcome.OUTSIDE_GREAT_BRITAIN, query, location=location)
    found = covering(location)
    neighbourhood = found["neighbourhood"]
    authority = found["local_authority"]
    practices = [NearbyPractice(**p) for p in found["practices"]]
    in_area = neighbourhood is not None or (
        authority is not None and authority.gss_code in area_authority_codes()
    )
    return LookupResult(
        Outcome.IN_AREA if in_area else Outcome.OUT_OF_AREA,
        query,
        neighbourhood=neighbourhood,
        local_authority=authority,
        practices=practices,
        location=location,
    )


def covering(location: Location) -> dict:
    """The neighbourhood and local authority that cover a point, and the neighbourhood's
    practices nearest it: one query, on the boundaries' spatial indexes."""
    point = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"
    nearest = stored_answer.nearest_practices_sql(point="here.location")
    sql = f"""
        WITH here AS (SELECT {point} AS location)
        SELECT n.id, n.name, n.slug, la.gss_code, la.name, la.nhs_body, nearest.practices
        FROM here
        LEFT JOIN LATERAL (
            SELECT id, name, slug FROM {Neighbourhood._meta.db_table}
            WHERE ST_Covers(boundary, here.location) AND removed_at IS NULL
            ORDER BY id LIMIT 1
        ) AS n ON true
        LEFT JOIN LATERAL (
            SELECT gss_code, name, nhs_body FROM {LocalAuthority._meta.db_table}
            WHERE ST_Covers(boundary, here.location) ORDER BY gss_code LIMIT 1
        ) AS la ON true
        LEFT JOIN LATERAL ({nearest}) AS nearest ON n.id IS NOT NULL
    """
    with reading().cursor() as cursor:
        today = timezone.localdate()
        cursor.execute(sql, {"lat": location.latitude, "lon": location.longitude, "today": today})
        n_id, n_name, n_slug, la_code, la_name, la_body, practices = cursor.fetchone()
    if isinstance(practices, str):
        practices = json.loads(practices)
    return {
        "neighbourhood": Neighbourhood(id=n_id, name=n_name, slug=n_slug) if n_id else None,
        "local_authority": (
            LocalAuthority(gss_code=la_code, name=la_name, nhs_body=la_body) if la_code else None
        ),
        "practices": [{**p, "latitude": float(p["latitude"]), "longitude": float(p["longitude"]),
                       "distance_m": float(p["distance_m"])} for p in practices or []],
    }  # fmt: skip


def lookup_postcode(raw: str | None, *, rows=None, districts=None) -> LookupResult:
    """The answer for a postcode as typed. `rows` and `districts`, when given, hold the rows
    already read (lookup_postcodes reads many at once); otherwise each is read here."""

    def read_row(postcode: str) -> Postcode | None:
        return rows.get(postcode) if rows is not None else postcode_record(postcode)

    def read_district(outcode: str) -> District:
        if districts is not None and outcode in districts:
            return districts[outcode]
        return district_answer(outcode)

    query = (raw or "").strip()
    if not query:
        return LookupResult(Outcome.EMPTY, query)
    postcode, partial = parse_query(query)
    if postcode is None:
        return LookupResult(Outcome.INVALID, query[:100])
    if not postcode.is_full:
        district = read_district(postcode.outcode)
        if district.total == 0 and not postcode.in_covered_area:
            return LookupResult(Outcome.OUT_OF_AREA, query, postcode, district=district)
        if district.total == 0:
            return LookupResult(Outcome.NOT_FOUND, query, postcode, district=district)
        return LookupResult(Outcome.DISTRICT, query, postcode, district=district, partial=partial)

    record = read_row(postcode.with_space)
    if record is None and not postcode.in_covered_area:
        return LookupResult(Outcome.OUT_OF_AREA, query, postcode)
    if record is None:
        return LookupResult(
            Outcome.NOT_FOUND, query, postcode, district=read_district(postcode.outcode)
        )
    authority = stored_answer.local_authority_of(record)
    if record.terminated:
        return LookupResult(
            Outcome.TERMINATED,
            query,
            postcode,
            record=record,
            local_authority=authority,
            district=read_district(postcode.outcode),
            postcode_point=stored_answer.point_of(record),
        )
    # Precomputed: a postcode has an LSOA exactly when its local authority is in the area.
    if record.lsoa_id is None:
        return LookupResult(
            Outcome.OUT_OF_AREA,
            query,
            postcode,
            record=record,
            local_authority=authority,
            ward=stored_answer.ward_of(record),
            postcode_point=stored_answer.point_of(record),
        )
    return LookupResult(
        Outcome.IN_AREA,
        query,
        postcode,
        record=record,
        neighbourhood=stored_answer.neighbourhood_of(record),
        local_authority=authority,
        ward=stored_answer.ward_of(record),
        practices=stored_answer.practices_of(record),
        postcode_point=stored_answer.point_of(record),
    )


def parse_query(query: str) -> tuple[ParsedPostcode | None, bool]:
    """The postcode typed, and whether it was typed in part ("E8 1D")."""
    postcode = ParsedPostcode.parse(query)
    if postcode is not None:
        return postcode, False
    return ParsedPostcode.parse_partial(query), True


def lookup_postcodes(raws: list[str]) -> list[LookupResult]:
    """Many postcodes, answered in the order given, each as lookup_postcode decides: from one
    indexed read of all their rows, and one of their districts' rows."""
    parsed = [parse_query((raw or "").strip())[0] if (raw or "").strip() else None
              for raw in raws]  # fmt: skip
    wanted = sorted({p.with_space for p in parsed if p is not None and p.is_full})
    rows = {}
    if wanted:
        found = Postcode.objects.only(*stored_answer.ANSWER_FIELDS).filter(postcode__in=wanted)
        rows = {row.postcode: row for row in found}
    # A district is shown for a district asked, and for an unknown or terminated postcode.
    outcodes = {
        p.outcode
        for p in parsed
        if p is not None
        and (not p.is_full or p.with_space not in rows or rows[p.with_space].terminated)
    }
    districts = district_answers(outcodes) if outcodes else {}
    return [lookup_postcode(raw, rows=rows, districts=districts) for raw in raws]


def postcode_row(postcode: str) -> tuple | None:
    """The postcode's row by its unique index, as PostgreSQL sent it: its values in the order
    of stored_answer.ANSWER_COLUMNS, the answer as JSON text. The same row is the same answer."""
    with reading().cursor() as cursor:
        cursor.execute(stored_answer.STORED_ANSWER_SQL, [postcode])
        return cursor.fetchone()


def postcode_record(postcode: str) -> Postcode | None:
    """The postcode's row, by its unique index, with the answer worked out ahead of time."""
    row = postcode_row(postcode)
    return None if row is None else stored_answer.record_of(row)


def district_answer(outcode: str) -> District:
    """How a district's live postcodes split between the neighbourhoods (and the outside)."""
    row = DistrictAnswer.objects.filter(outcode=outcode).first()
    return stored_answer.district_of(outcode, row)


def district_answers(outcodes) -> dict[str, District]:
    """district_answer for many districts, in one read."""
    rows = {row.outcode: row for row in DistrictAnswer.objects.filter(outcode__in=list(outcodes))}
    return {outcode: stored_answer.district_of(outcode, rows.get(outcode)) for outcode in outcodes}


# "About the data" source key -> (the import command, the start (or starts) of the names of the
# files that carry the source's release date; None for the run's own release date).
DATA_SOURCE_IMPORTS = {
    "ods-epcn": ("import_practices", "ods_epcn"),
    "ods-epraccur": ("import_practices", "ods_epraccur"),
    "gp-registered-patients": ("import_practices", "nhs_gp_reg_pat"),
    "codepoint-open": ("import_postcodes", None),
    "ons-boundaries": ("import_boundaries", None),
    "census-2021": ("import_profiles", ("census2021_usual", "census2021_age6", "census2021_ts021")),
    "census-2021-languages": ("import_profiles", ("census2021_ts024", "census2021_ts029")),
    "imd-2025": ("import_profiles", "imd2025_"),
    "imd-2019": ("import_profiles", "imd2019_"),
    "registered-imd-2019": ("import_profiles", "blackwellrd_"),
}


@dataclass(frozen=True)
class ImportedRelease:
    release_date: datetime.date | None
    imported_at: datetime.datetime


def imported_releases() -> dict[str, ImportedRelease]:
    """Source key -> the release date and time of its latest successful import."""
    latest = {}
    for run in ImportRun.objects.succeeded().order_by("finished_at"):
        latest[run.source] = run
    releases = {}
    for key, (source, file_prefix) in DATA_SOURCE_IMPORTS.items():
        run = latest.get(source)
        if run is None:
            continue
        release = run.release_date
        if file_prefix is not None:
            release = next(
                (
                    datetime.date.fromisoformat(f["release_date"])
                    for f in run.files
                    if f.get("name", "").startswith(file_prefix) and f.get("release_date")
                ),
                None,
            )
        releases[key] = ImportedRelease(release_date=release, imported_at=run.finished_at)
    return releases


# The cache key of membership_release's answer: kept until the cache is cleared, which every
# import run that finishes does (signals.py), as every publish does.
MEMBERSHIP_RELEASE_KEY = "membership-release"


def membership_release() -> datetime.date | None:
    """The date of the ePCN release whose memberships are in use (imported_releases' answer for
    that one source), shown wherever a neighbourhood's practices are listed: read once, then
    from the cache, so a lookup stays one read."""
    token, kept = generation.kept(MEMBERSHIP_RELEASE_KEY)
    if kept is not None:
        return kept[0]
    release = _membership_release()
    generation.keep(MEMBERSHIP_RELEASE_KEY, token, (release,), None)
    return release


def _membership_release() -> datetime.date | None:
    source, file_prefix = DATA_SOURCE_IMPORTS["ods-epcn"]
    files = (
        ImportRun.objects.succeeded()
        .filter(source=source)
        .order_by("-finished_at")
        .values_list("files", flat=True)
        .first()
    )
    return next(
        (
            datetime.date.fromisoformat(f["release_date"])
            for f in files or []
            if f.get("name", "").startswith(file_prefix) and f.get("release_date")
        ),
        None,
    )


@dataclass(frozen=True)
class Freshness:
    """How up to date one source's release in use is, on a day: the release's date and its age
    in whole months (None when never imported, or the files carry no date), and whether it is
    older than the publisher's cadence (partnership.data_sources), so a newer one is likely out.
    """

    key: str
    release_date: datetime.date | None
    imported_at: datetime.datetime | None
    age_months: int | None
    cadence: str
    cadence_months: int | None
    stale: bool


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months later (the month's last day where it has fewer days)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def whole_months(since: datetime.date, until: datetime.date) -> int:
    """Whole months from one day to a later one: 1 March to 30 April is 1, to 1 May 2 (0 for
    a day that is not later)."""
    months = (until.year - since.year) * 12 + until.month - since.month
    if months_after(since, months) > until:
        months -= 1
    return max(months, 0)


def data_freshness(
    today: datetime.date | None = None, *, releases: dict[str, ImportedRelease] | None = None
) -> dict[str, Freshness]:
    """Source key -> how up to date its release in use is on `today` (default: today), for
    every source "About the data" lists, imported or not. A release is stale once it is more
    than its source's cadence_months old: on 2 June, not 1 June, for 1 March and 3 months.
    `releases`, when given, is imported_releases() already read."""
    today = today or timezone.localdate()
    releases = imported_releases() if releases is None else releases
    freshness = {}
    for source in DATA_SOURCES:
        release = releases.get(source.key)
        released = release.release_date if release else None
        age = whole_months(released, today) if released else None
        freshness[source.key] = Freshness(
            key=source.key,
            release_date=released,
            imported_at=release.imported_at if release else None,
            age_months=age,
            cadence=source.cadence,
            cadence_months=source.cadence_months,
            stale=bool(
                released
                and source.cadence_months is not None
                and today > months_after(released, source.cadence_months)
            ),
        )
    return freshness
