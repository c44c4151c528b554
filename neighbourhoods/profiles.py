"""Neighbourhood profiles: who lives in an area, worked out from the LSOAs in it.

The arithmetic is here, on plain values, so that it is the same for a stored profile
(services.profiles, when a boundary version is taken or the statistics are imported), for the
move preview's "before and after", and for the tests' small factory-built figures. What a
page reads is the stored profile: `current_profiles()`, one query.

The honest-figures rules, in one place:

- Sums are of the counts as ONS published them for each LSOA. Census counts carry small
  deliberate perturbations, so an area's age bands or ethnic groups need not add up to its
  residents: each table says by how much they differ, rather than adjusting anything.
- A headline total is also given rounded to the nearest 100 (`rounded`), as ONS rounds the
  Census's population estimates for areas; tables give the published sums.
- A count under SMALL_COUNT is never shown: it is replaced by None and the profile's
  `suppressed` note says which figures were left out and why. No figure is given for a single
  LSOA except its IMD decile (a rank, not a count) and its residents, which are never under
  SMALL_COUNT in a Census LSOA (at least about 1,000 people each).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Exists, F, Q, Subquery

from .models import BoundaryVersion, ImportRun, NeighbourhoodProfile, RegisteredPatientsDeprivation

SMALL_COUNT = 10
MOST_DEPRIVED_FIFTH = (1, 2)  # the national IMD deciles that make England's most deprived 20%
DECILES = range(1, 11)

# The domains of the English Indices of Deprivation, as the files name their columns
# (2019 calls the housing domain "Housing_and_Access", 2025 "Housing_and_Services"), with
# the words the profile uses.
DOMAINS = {
    "imd": "Index of Multiple Deprivation (all domains)",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, skills and training",
    "health": "Health deprivation and disability",
    "crime": "Crime",
    "housing": "Barriers to housing and services",
    "environment": "Living environment",
}

CITY_AND_HACKNEY = "City and Hackney"


@dataclass
class Lsoa:
    """One LSOA's figures, as the arithmetic needs them."""

    code: str
    residents: int
    ages: dict = field(default_factory=dict)
    ethnic_groups: dict = field(default_factory=dict)
    imd2025: dict = field(default_factory=dict)  # domain -> {"decile", "rank", "score"}
    imd2019: dict = field(default_factory=dict)  # domain -> decile, or {}: not comparable
    name: str = ""
    msoa: str = ""  # the code of the 2021 MSOA it is in

    def decile(self, domain="imd"):
        return (self.imd2025.get(domain) or {}).get("decile")


@dataclass
class Msoa:
    """One 2021 MSOA's proficiency in English (TS029), as the arithmetic needs it: `counts` is
    empty when the file held no figures for it."""

    code: str
    name: str
    residents: int  # Census 2021 usual residents of its LSOAs, summed
    counts: dict = field(default_factory=dict)


# TS029's categories, in ONS's order; the last two are "cannot speak English well or at all".
PROFICIENCY = [
    "Main language is English",
    "Can speak English very well",
    "Can speak English well",
    "Cannot speak English well",
    "Cannot speak English",
]
NOT_PROFICIENT = PROFICIENCY[3:]
TOP_LANGUAGES = 10
ENGLISH = "English (English or Welsh in Wales)"
# ONS's catch-all categories ("Any other West African language", "All other Chinese", "Other
# language") group several languages: they are not ranked among the main languages.
CATCH_ALL = ("Any ", "All other", "Other ")


def rounded(count: int) -> int:
    """A total rounded to the nearest 100, as ONS rounds the Census's area totals."""
    return int((count + 50) // 100 * 100)


def share(part, whole):
    """part / whole as a percentage to one decimal place, or None when either is unknown or
    the whole is nothing."""
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def shown(count: int):
    """A count as it may be shown: None when under SMALL_COUNT (and not 0)."""
    return None if 0 < count < SMALL_COUNT else count


def in_order(label: str):
    """Where a band or group goes in a table: age bands by their first age, ethnic groups by
    name with "Other" last, as ONS lists them. (The database keeps no key order in JSON.)"""
    if match := re.search(r"\d+", label):
        return (0, int(match[0]), label)
    return (1, label.startswith("Other"), label)


def breakdown(lsoas: list[Lsoa], attribute: str, notes: list[str], what: str) -> dict:
    """Counts by band or group summed over the LSOAs, in the order the publisher gives them,
    with each one's share of their sum, small counts left out and said so."""
    totals: dict[str, int] = {}
    for lsoa in lsoas:
        for label, count in getattr(lsoa, attribute).items():
            totals[label] = totals.get(label, 0) + count
    total = sum(totals.values())
    rows = []
    for label, count in sorted(totals.items(), key=lambda item: in_order(item[0])):
        count_shown = shown(count)
        if count_shown is None:
            notes.append(
                f"{what}: the count of '{label}' is under {SMALL_COUNT}, so it and its share "
                "are not shown."
            )
        rows.append(
            {
                "label": label,
                "residents": count_shown,
                "share": share(count_shown, total),
            }
        )
    return {"rows": rows, "total": total}


def deprivation(lsoas: list[Lsoa], residents: int) -> dict:
    """Residents by national IMD 2025 decile, the share in England's most deprived fifth, each
    domain's share there, and the change since 2019 where the LSOA lookup allows."""
    by_decile = []
    for decile in DECILES:
        in_decile = [lsoa for lsoa in lsoas if lsoa.decile() == decile]
        by_decile.append(
            {
                "decile": decile,
                "lsoas": len(in_decile),
                "residents": sum(lsoa.residents for lsoa in in_decile),
            }
        )
    domains = []
    for key, label in DOMAINS.items():
        fifth = sum(lsoa.residents for lsoa in lsoas if lsoa.decile(key) in MOST_DEPRIVED_FIFTH)
        # 2019 against 2025 on the same LSOAs: those the lookup gives one 2019 figure.
        comparable = [lsoa for lsoa in lsoas if lsoa.imd2019.get(key) is not None]
        comparable_residents = sum(lsoa.residents for lsoa in comparable)
        then = sum(
            lsoa.residents for lsoa in comparable if lsoa.imd2019[key] in MOST_DEPRIVED_FIFTH
        )
        now = sum(lsoa.residents for lsoa in comparable if lsoa.decile(key) in MOST_DEPRIVED_FIFTH)
        domains.append(
            {
                "domain": key,
                "label": label,
                "most_deprived_fifth_residents": fifth,
                "most_deprived_fifth_share": share(fifth, residents),
                "share_2019": share(then, comparable_residents),
                "share_2025_same_lsoas": share(now, comparable_residents),
                "comparable_lsoas": len(comparable),
                "comparable_residents": comparable_residents,
            }
        )
    fifth = domains[0]["most_deprived_fifth_residents"]
    return {
        "by_decile": by_decile,
        "most_deprived_fifth_residents": fifth,
        "most_deprived_fifth_share": share(fifth, residents),
        "domains": domains,
        "not_comparable_lsoas": sorted(lsoa.code for lsoa in lsoas if not lsoa.imd2019),
    }


def english_proficiency(lsoas: list[Lsoa], msoas: dict[str, Msoa], notes: list[str]) -> dict:
    """Proficiency in English as a best fit: ONS publishes it per MSOA, and MSOAs do not nest in
    a neighbourhood's area, so the figures are those of the MSOAs more than half of whose
    residents live in the area's LSOAs, summed, with how many of the area's residents they
    cover and how many people outside the area they bring in."""
    in_area: dict[str, int] = {}
    for lsoa in lsoas:
        in_area[lsoa.msoa] = in_area.get(lsoa.msoa, 0) + lsoa.residents
    residents = sum(lsoa.residents for lsoa in lsoas)
    used, not_in_file = [], []
    for code, msoa in sorted(msoas.items()):
        here = in_area.get(code, 0)
        if 2 * here <= msoa.residents:
            continue
        entry = {
            "code": code,
            "name": msoa.name,
            "residents": msoa.residents,
            "residents_in_area": here,
            "share_in_area": share(here, msoa.residents),
        }
        (used if msoa.counts else not_in_file).append(entry)
    counts = {
        label: sum(msoas[m["code"]].counts.get(label, 0) for m in used) for label in PROFICIENCY
    }
    total = sum(counts.values())
    rows = []
    for label in PROFICIENCY:
        count_shown = shown(counts[label])
        if count_shown is None:
            notes.append(
                f"English proficiency: the count of '{label}' is under {SMALL_COUNT}, so it and "
                "its share are not shown."
            )
        rows.append({"label": label, "residents": count_shown, "share": share(count_shown, total)})
    not_proficient = shown(sum(counts[label] for label in NOT_PROFICIENT))
    covered = sum(m["residents_in_area"] for m in used)
    return {
        "msoas": used,
        "msoas_not_in_file": not_in_file,
        "residents_covered": covered,
        "residents_covered_share": share(covered, residents),
        "residents_outside_area": sum(m["residents"] - m["residents_in_area"] for m in used),
        "rows": rows,
        "total": total,
        "not_proficient": not_proficient,
        "not_proficient_share": share(not_proficient, total),
    }


def main_languages(boroughs: list[dict], notes: list[str]) -> dict:
    """The main languages other than English of the boroughs' residents aged 3 and over
    (TS024, published per borough and no lower): the TOP_LANGUAGES largest, summed over the
    boroughs, with each one's share of all residents aged 3 and over."""
    totals: dict[str, int] = {}
    for borough in boroughs:
        for label, count in borough["counts"].items():
            totals[label] = totals.get(label, 0) + count
    residents = sum(borough["total"] for borough in boroughs)
    ranked = sorted(
        (
            (label, count) for label, count in totals.items()
            if label != ENGLISH and not label.startswith(CATCH_ALL)
        ),
        key=lambda item: (-item[1], item[0]),
    )[:TOP_LANGUAGES]  # fmt: skip
    rows = []
    for label, count in ranked:
        count_shown = shown(count)
        if count_shown is None:
            notes.append(
                f"Main language: the count of '{label}' is under {SMALL_COUNT}, so it and its "
                "share are not shown."
            )
        rows.append(
            {"label": label, "residents": count_shown, "share": share(count_shown, residents)}
        )
    english = totals.get(ENGLISH, 0)
    return {
        "boroughs": [borough["name"] for borough in boroughs],
        "rows": rows,
        "total": residents,
        "languages_total": sum(totals.values()),
        "english": shown(english),
        "english_share": share(shown(english), residents),
    }


def profile_of(lsoas: list[Lsoa], *, name: str, slug: str = "", msoas=None, boroughs=None) -> dict:
    """The figures of an area made of `lsoas`: what a stored profile holds. With `msoas`, its
    English proficiency (best fit); with `boroughs`' TS024 figures, their main languages (City
    and Hackney's profile alone)."""
    notes: list[str] = []
    residents = sum(lsoa.residents for lsoa in lsoas)
    ages = breakdown(lsoas, "ages", notes, "Age")
    ethnic_groups = breakdown(lsoas, "ethnic_groups", notes, "Ethnic group")
    return {
        "name": name,
        "slug": slug,
        "lsoas": len(lsoas),
        "lsoa_codes": sorted(lsoa.code for lsoa in lsoas),
        "residents": residents,
        "residents_rounded": rounded(residents),
        "ages": ages,
        "ethnic_groups": ethnic_groups,
        "deprivation": deprivation(lsoas, residents),
        "english_proficiency": english_proficiency(lsoas, msoas, notes) if msoas else None,
        "main_languages": main_languages(boroughs, notes) if boroughs else None,
        "suppressed": notes,
    }


def headline(figures: dict) -> dict:
    """The figures the comparison page, its CSV and the move preview set side by side."""
    ages = {row["label"]: row["share"] for row in figures["ages"]["rows"]}
    return {
        "residents": figures["residents"],
        "most_deprived_fifth_share": figures["deprivation"]["most_deprived_fifth_share"],
        "ages": ages,
    }


# Reads


def current_profiles() -> list[NeighbourhoodProfile]:
    """The profiles of the boundary version in force (City and Hackney's first, then the
    neighbourhoods' in their own order, deleted ones left out), in one query. Before any
    version is kept, the profiles stored with none."""
    latest = BoundaryVersion.objects.order_by("-published_at", "-pk").values("pk")[:1]
    return list(
        NeighbourhoodProfile.objects.filter(
            Q(version=Subquery(latest))
            | Q(version__isnull=True) & ~Exists(BoundaryVersion.objects.all())
        )
        .filter(Q(neighbourhood__isnull=True) | Q(neighbourhood__removed_at__isnull=True))
        .select_related("neighbourhood")
        .order_by(
            F("neighbourhood__order").asc(nulls_first=True),
            F("neighbourhood__pk").asc(nulls_first=True),
        )
    )


# What a page, a download or an answer shows beside the figures: each release's date and
# attribution. The sources themselves are listed with the rest in partnership.data_sources.
# Source key -> the starts of the names of its files in import_profiles' run record.
PROFILE_SOURCES = {
    "census-2021": ("census2021_usual", "census2021_age6", "census2021_ts021"),
    "census-2021-languages": ("census2021_ts024", "census2021_ts029"),
    "imd-2025": "imd2025_",
    "imd-2019": "imd2019_",
    "registered-imd-2019": "blackwellrd_",
}


def profile_releases(*, patients_as_of=None) -> list[dict]:
    """The releases a profile's figures come from, with their dates (from the latest successful
    import_profiles run) and attribution, and the registered patients' extract date."""
    from partnership.data_sources import DATA_SOURCES

    files = (
        ImportRun.objects.succeeded()
        .filter(source="import_profiles")
        .order_by("-finished_at")
        .values_list("files", flat=True)
        .first()
    ) or []
    sources = {source.key: source for source in DATA_SOURCES}
    releases = []
    for key, prefix in PROFILE_SOURCES.items():
        dates = [
            f["release_date"] for f in files
            if f.get("name", "").startswith(prefix) and f.get("release_date")
        ]  # fmt: skip
        source = sources[key]
        releases.append(
            {
                "source": source.name,
                "publisher": source.publisher,
                "release_date": datetime.date.fromisoformat(max(dates)) if dates else None,
                "licence": source.licence,
                "attribution": " ".join(source.attribution),
            }
        )
    patients = sources["gp-registered-patients"]
    releases.append(
        {
            "source": patients.name,
            "publisher": patients.publisher,
            "release_date": patients_as_of,
            "licence": patients.licence,
            "attribution": " ".join(patients.attribution),
        }
    )
    return releases


def registered_deprivation(pcn_code: str, practice_codes) -> dict:
    """The IMD 2019 of the PCN's and each practice's registered patients, where known."""
    rows = RegisteredPatientsDeprivation.objects.filter(
        Q(kind="pcn", code=pcn_code) | Q(kind="practice", code__in=list(practice_codes))
    )
    pcn = None
    practices = {}
    for row in rows:
        value = {"code": row.code, "score": round(row.score, 1), "decile": row.decile}
        if row.kind == "pcn":
            pcn = value
        else:
            practices[row.code] = value
    return {"pcn": pcn, "practices": practices}


def paired(own: list[dict], whole: list[dict]) -> list[dict]:
    """Rows of a breakdown with City and Hackney's share beside each."""
    shares = {row["label"]: row["share"] for row in whole}
    return [{**row, "whole_share": shares.get(row["label"])} for row in own]


def scaled(rows: list[dict], *, keys=("share", "whole_share")) -> list[dict]:
    """The rows with each share as a bar's length, the largest share of all the full width."""
    top = max((row[k] or 0 for row in rows for k in keys), default=0) or 1
    return [
        {**row, **{f"{k}_bar": round(100 * (row[k] or 0) / top, 1) for k in keys}} for row in rows
    ]


def largest(rows: list[dict]) -> dict | None:
    shown_rows = [row for row in rows if row["share"] is not None]
    return max(shown_rows, key=lambda row: row["share"]) if shown_rows else None


def profile_page(neighbourhood, *, memberships=(), patients=0, patients_as_of=None) -> dict | None:
    """What the neighbourhood page shows of its profile, beside City and Hackney's; None
    while no profile is stored."""
    stored = current_profiles()
    own = next((p.figures for p in stored if p.neighbourhood_id == neighbourhood.pk), None)
    whole = next((p.figures for p in stored if p.neighbourhood_id is None), None)
    if own is None or whole is None:
        return None
    ages = scaled(paired(own["ages"]["rows"], whole["ages"]["rows"]))
    groups = scaled(paired(own["ethnic_groups"]["rows"], whole["ethnic_groups"]["rows"]))
    deciles = []
    whole_deciles = {row["decile"]: row for row in whole["deprivation"]["by_decile"]}
    for row in own["deprivation"]["by_decile"]:
        deciles.append(
            {
                **row,
                "label": f"Decile {row['decile']}",
                "share": share(row["residents"], own["residents"]),
                "whole_share": share(whole_deciles[row["decile"]]["residents"], whole["residents"]),
            }
        )
    whole_domains = {d["domain"]: d for d in whole["deprivation"]["domains"]}
    domains = [
        {
            **d,
            "share": d["most_deprived_fifth_share"],
            "whole_share": whole_domains[d["domain"]]["most_deprived_fifth_share"],
        }
        for d in own["deprivation"]["domains"]
    ]
    codes = [m.practice.ods_code for m in memberships]
    registered = registered_deprivation(neighbourhood.pcn_code, codes)
    proficiency = own.get("english_proficiency")
    whole_proficiency = whole.get("english_proficiency")
    languages = whole.get("main_languages")
    shapes = own.get("map") or {}
    return {
        "own": own,
        "whole": whole,
        "ages": ages,
        "largest_age": largest(ages),
        "ethnic_groups": groups,
        "largest_group": largest(groups),
        "deciles": scaled(deciles),
        "domains": scaled(domains),
        "imd": domains[0] if domains else None,
        "proficiency": proficiency,
        "whole_proficiency": whole_proficiency,
        "proficiency_rows": (
            scaled(paired(proficiency["rows"], whole_proficiency["rows"]))
            if proficiency and whole_proficiency
            else []
        ),
        "languages": languages,
        "language_rows": scaled(languages["rows"], keys=("share",)) if languages else [],
        "registered": registered,
        "registered_practices": [
            (m.practice, registered["practices"].get(m.practice.ods_code)) for m in memberships
        ],
        "patients": patients,
        "patients_as_of": patients_as_of,
        "map": {
            "view_box": shapes.get("view_box"),
            "lsoas": [
                {
                    "code": code,
                    "name": shapes.get("names", {}).get(code, code),
                    "decile": shapes.get("deciles", {}).get(code),
                    "path": path,
                }
                for code, path in sorted(shapes.get("paths", {}).items())
            ],
        },
        "releases": profile_releases(patients_as_of=patients_as_of),
    }


INDICATIVE = (
    "Figures for the people living in the neighbourhood's indicative area, the LSOAs the City "
    "and Hackney place partnership has put in it; not an official boundary. A resident's GP "
    "practice decides their neighbourhood."
)


def public_figures(figures: dict) -> dict:
    """A stored profile's figures as downloads and the API give them: without the map's
    drawing."""
    return {k: v for k, v in figures.items() if k != "map"}


def registered_patients(neighbourhood) -> tuple[list, int, datetime.date | None]:
    """The neighbourhood's current memberships, their practices' registered patients summed,
    and the latest extract date among them."""
    memberships = list(neighbourhood.current_memberships())
    patients = sum(m.practice.registered_patients or 0 for m in memberships)
    as_of = max(
        (m.practice.registered_patients_as_of for m in memberships
         if m.practice.registered_patients_as_of),
        default=None,
    )  # fmt: skip
    return memberships, patients, as_of


def profile_answer(neighbourhood) -> dict | None:
    """A neighbourhood's profile for the API and its CSV, with City and Hackney's beside it,
    the registered patients' figures, each release's date and attribution; None while no
    profile is stored."""
    stored = current_profiles()
    own = next((p for p in stored if p.neighbourhood_id == neighbourhood.pk), None)
    whole = next((p for p in stored if p.neighbourhood_id is None), None)
    if own is None or whole is None:
        return None
    memberships, patients, as_of = registered_patients(neighbourhood)
    registered = registered_deprivation(
        neighbourhood.pcn_code, [m.practice.ods_code for m in memberships]
    )
    return {
        "description": INDICATIVE,
        "boundary_version": own.version_id,
        "neighbourhood": public_figures(own.figures),
        "city_and_hackney": public_figures(whole.figures),
        "registered_patients": patients if memberships else None,
        "registered_patients_as_of": as_of,
        "registered_patients_imd2019": {
            "pcn": registered["pcn"],
            "practices": [
                {"name": m.practice.name, **registered["practices"][m.practice.ods_code]}
                for m in memberships
                if m.practice.ods_code in registered["practices"]
            ],
        },
        "releases": profile_releases(patients_as_of=as_of),
    }


def profile_csv_rows(answer: dict) -> list[list]:
    """The rows of a profile's CSV: section, measure, residents here, share here, City and
    Hackney's residents and share."""
    own, whole = answer["neighbourhood"], answer["city_and_hackney"]
    rows = [
        ["people", "Census 2021 usual residents", own["residents"], "", whole["residents"], ""],
        ["people", "Census 2021 usual residents, rounded to the nearest 100",
         own["residents_rounded"], "", whole["residents_rounded"], ""],
        ["people", "Patients registered with its practices", answer["registered_patients"], "",
         "", ""],
    ]  # fmt: skip
    for section, key in (("age", "ages"), ("ethnic group", "ethnic_groups")):
        whole_rows = {row["label"]: row for row in whole[key]["rows"]}
        for row in own[key]["rows"]:
            other = whole_rows.get(row["label"], {})
            rows.append([section, row["label"], row["residents"], row["share"],
                         other.get("residents"), other.get("share")])  # fmt: skip
    whole_deciles = {row["decile"]: row for row in whole["deprivation"]["by_decile"]}
    for row in own["deprivation"]["by_decile"]:
        other = whole_deciles[row["decile"]]
        rows.append([
            "IMD 2025 national decile", f"Decile {row['decile']}", row["residents"],
            share(row["residents"], own["residents"]), other["residents"],
            share(other["residents"], whole["residents"]),
        ])  # fmt: skip
    whole_domains = {d["domain"]: d for d in whole["deprivation"]["domains"]}
    for d in own["deprivation"]["domains"]:
        other = whole_domains[d["domain"]]
        rows.append([
            "In England's most deprived fifth, 2025", d["label"],
            d["most_deprived_fifth_residents"], d["most_deprived_fifth_share"],
            other["most_deprived_fifth_residents"], other["most_deprived_fifth_share"],
        ])  # fmt: skip
        rows.append([
            "In England's most deprived fifth, 2019 (same LSOAs)", d["label"], "",
            d["share_2019"], "", other["share_2019"],
        ])  # fmt: skip
    mine, theirs = own.get("english_proficiency"), whole.get("english_proficiency")
    if mine and theirs:
        whole_rows = {row["label"]: row for row in theirs["rows"]}
        for row in mine["rows"]:
            other = whole_rows.get(row["label"], {})
            rows.append([
                "English proficiency (best-fit MSOAs, aged 3+)", row["label"], row["residents"],
                row["share"], other.get("residents"), other.get("share"),
            ])  # fmt: skip
        rows.append([
            "English proficiency (best-fit MSOAs, aged 3+)", "Cannot speak English well or at all",
            mine["not_proficient"], mine["not_proficient_share"], theirs["not_proficient"],
            theirs["not_proficient_share"],
        ])  # fmt: skip
        rows.append([
            "English proficiency (best-fit MSOAs, aged 3+)",
            "Residents of the area in the MSOAs used: "
            + ("; ".join(m["name"] for m in mine["msoas"]) or "none"),
            mine["residents_covered"], mine["residents_covered_share"],
            theirs["residents_covered"], theirs["residents_covered_share"],
        ])  # fmt: skip
    if whole.get("main_languages"):
        for row in whole["main_languages"]["rows"]:
            rows.append([
                "Main language other than English (City and Hackney only, aged 3+)",
                row["label"], "", "", row["residents"], row["share"],
            ])  # fmt: skip
    pcn = answer["registered_patients_imd2019"]["pcn"]
    if pcn:
        rows.append(["Registered patients' IMD 2019 score", "The neighbourhood's PCN",
                     pcn["score"], f"decile {pcn['decile']}", "", ""])  # fmt: skip
    for practice in answer["registered_patients_imd2019"]["practices"]:
        rows.append(["Registered patients' IMD 2019 score", practice["name"], practice["score"],
                     f"decile {practice['decile']}", "", ""])  # fmt: skip
    return [
        [
            "section",
            "measure",
            "residents",
            "share_percent",
            "city_and_hackney_residents",
            "city_and_hackney_share_percent",
        ]
    ] + [  # fmt: skip
        ["" if value is None else value for value in row] for row in rows
    ]


# The comparison of the eight neighbourhoods: its columns, in order, and how each sorts.
COMPARE_COLUMNS = {
    "name": "Neighbourhood",
    "residents": "Residents (Census 2021)",
    "registered_patients": "Registered patients",
    "most_deprived_fifth_share": "In England's most deprived fifth (%)",
    "under_16_share": "Aged 15 and under (%)",
    "over_65_share": "Aged 65 and over (%)",
    "income_share": "Income: most deprived fifth (%)",
    "imd_2019_share": "Most deprived fifth in 2019, same areas (%)",
    "not_proficient_share": "Cannot speak English well or at all, best-fit MSOAs (%)",
}


def comparison(patients_by_neighbourhood: dict) -> list[dict]:
    """A row for each neighbourhood with a profile (and City and Hackney's last), on the same
    measures."""
    rows = []
    stored = current_profiles()
    for profile in stored[1:] + stored[:1]:
        figures = profile.figures
        ages = {row["label"]: row["share"] for row in figures["ages"]["rows"]}
        domains = {d["domain"]: d for d in figures["deprivation"]["domains"]}
        neighbourhood = profile.neighbourhood
        rows.append(
            {
                "name": figures["name"],
                "slug": figures.get("slug", ""),
                "url": neighbourhood.get_absolute_url() if neighbourhood else "",
                "whole": neighbourhood is None,
                "residents": figures["residents"],
                "registered_patients": (
                    sum(patients_by_neighbourhood.values())
                    if neighbourhood is None
                    else patients_by_neighbourhood.get(neighbourhood.pk)
                ),
                "most_deprived_fifth_share": figures["deprivation"]["most_deprived_fifth_share"],
                "under_16_share": ages.get("Aged 15 years and under"),
                "over_65_share": ages.get("Aged 65 years and over"),
                "income_share": domains["income"]["most_deprived_fifth_share"],
                "imd_2019_share": domains["imd"]["share_2019"],
                "not_proficient_share": (
                    figures["english_proficiency"]["not_proficient_share"]
                    if figures.get("english_proficiency")
                    else None
                ),
                "lsoas": figures["lsoas"],
            }
        )
    return rows


def sorted_comparison(rows: list[dict], key: str, descending: bool) -> list[dict]:
    """The neighbourhoods' rows sorted by a column (unknown figures last), City and Hackney's
    kept last."""
    parts = [row for row in rows if not row["whole"]]
    wholes = [row for row in rows if row["whole"]]
    known = [row for row in parts if row[key] is not None]
    unknown = [row for row in parts if row[key] is None]
    known.sort(key=lambda row: row[key], reverse=descending)
    return known + unknown + wholes
