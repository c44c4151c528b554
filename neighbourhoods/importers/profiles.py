"""Import the statistics neighbourhood profiles are made of (profiles/ in the open data folder):
Census 2021 usual residents, age bands and ethnic groups per 2021 LSOA, the English Indices of
Deprivation 2025 per 2021 LSOA, the 2019 indices per 2011 LSOA with ONS's 2011-2021 LSOA
lookup, and the IMD 2019 of each practice's and PCN's registered patients.

Every LSOA file must cover exactly the LSOAs the portal holds (155 in City and Hackney): a file
that leaves one out, or holds another area's codes, is refused, since a profile summed from it
would be short, or someone else's. Then the profiles of the boundary version in force are
worked out again (services.profiles), in the same transaction.
"""

import datetime
import re
from pathlib import Path

from ..models import LanguageStatistics, Lsoa, LsoaStatistics, RegisteredPatientsDeprivation
from ..services.profiles import profiles_recompute
from .base import DOWNLOAD_AGAIN, Importer, SourceFileError, data_dir, quote, read_csv, whole_number
from .boundaries import LSOAS, read_features

FOLDER = Path("profiles")
# option -> (file in the open data folder, the publisher's release date). The files carry no
# date: these are the dates each publisher released the figures (ONS's Census 2021 topic
# summaries for LSOAs; MHCLG's indices), as the About the data page gives them.
FILES = {
    "residents": ("census2021_usual_residents_lsoa21_hackney_city.csv", datetime.date(2022, 11, 2)),
    "ages": ("census2021_age6_usual_residents_lsoa21_hackney_city.csv", datetime.date(2022, 11, 2)),
    "ethnicity": (
        "census2021_ts021_ethnicity_lsoa21_hackney_city_long.csv",
        datetime.date(2022, 11, 29),
    ),
    "imd2025": ("imd2025_lsoa21_hackney_city.csv", datetime.date(2025, 10, 30)),
    "imd2019": ("imd2019_lsoa11_deciles_ranks_hackney_city.csv", datetime.date(2019, 9, 26)),
    "lookup": ("lookup_lsoa11_lsoa21_ltla22_hackney_city.csv", None),
    "practice_imd": (
        "blackwellrd_practice_imd2019_city_and_hackney.csv",
        datetime.date(2023, 2, 2),
    ),
    "pcn_imd": ("blackwellrd_pcn_imd2019_city_and_hackney.csv", datetime.date(2023, 2, 2)),
    # Census 2021 "ethnic group, national identity, language and religion", 29 November 2022.
    "proficiency": (
        "census2021_ts029_english_proficiency_msoa21_hackney_city.csv",
        datetime.date(2022, 11, 29),
    ),
    "languages": (
        "census2021_ts024_main_language_detailed_ltla_hackney_city.csv",
        datetime.date(2022, 11, 29),
    ),
}
# TS029's columns, and the words the profile uses for them.
PROFICIENCY_COLUMNS = {
    "Main language is English (English or Welsh in Wales)": "Main language is English",
    "Main language is not English (English or Welsh in Wales): Can speak English very well": (
        "Can speak English very well"
    ),
    "Main language is not English (English or Welsh in Wales): Can speak English well": (
        "Can speak English well"
    ),
    "Main language is not English (English or Welsh in Wales): Cannot speak English well": (
        "Cannot speak English well"
    ),
    "Main language is not English (English or Welsh in Wales): Cannot speak English": (
        "Cannot speak English"
    ),
}
LANGUAGE_PREFIX = "Main language (detailed): "
LANGUAGE_TOTAL = f"{LANGUAGE_PREFIX}Total: All usual residents aged 3 years and over"
MSOA_CODE = re.compile(r"^E02[0-9]{6}$")
BOROUGH_CODE = re.compile(r"^E0[6-9][0-9]{6}$")
MAX_MSOA_RESIDENTS = 30_000  # the largest 2021 MSOA holds about 15,000 people
MAX_BOROUGH_RESIDENTS = 2_000_000

LSOA_CODE = re.compile(r"^E01[0-9]{6}$")
# Column prefixes of each domain in the indices' files (2019 names housing "Housing_and_Access").
DOMAIN_COLUMNS = {
    "imd": "IMD", "income": "Income", "employment": "Employment", "education": "Education",
    "health": "Health", "crime": "Crime", "housing": "Housing_and_Services",
    "environment": "Environment",
}  # fmt: skip
DOMAIN_COLUMNS_2019 = {**DOMAIN_COLUMNS, "housing": "Housing_and_Access"}
LSOAS_IN_ENGLAND_2021 = 33_755
LSOAS_IN_ENGLAND_2011 = 32_844
MAX_LSOA_RESIDENTS = 20_000  # the largest 2021 LSOA holds under 10,000 people


class ProfilesImport(Importer):
    source_name = "import_profiles"
    primary_kind = "LSOA statistics"

    def run_import(self, summary, **options):
        folder = data_dir(options.get("data_dir")) / FOLDER
        paths = {}
        for option, (name, released) in FILES.items():
            path = self.use_file(Path(options.get(option) or folder / name), release_date=released)
            paths[option] = path
        self.release_date = FILES["imd2025"][1]
        portal = set(Lsoa.objects.values_list("code", flat=True))
        if not portal:
            raise SourceFileError(
                "The portal holds no LSOAs yet, so the statistics cannot be checked against "
                "them: run import_boundaries first."
            )
        self.portal = portal
        residents = self.read_residents(paths["residents"])
        ages = self.read_long(paths["ages"], "lsoa21_code", "age_group", "usual_residents")
        ethnicity = self.read_long(paths["ethnicity"], "lsoa21_code", "ethnic_group", "n")
        imd2025 = self.read_imd2025(paths["imd2025"])
        imd2019 = self.read_imd2019(paths["imd2019"], paths["lookup"])
        registered = self.read_registered(paths["practice_imd"], "practice_code", "practice")
        registered += self.read_registered(paths["pcn_imd"], "pcn_code", "pcn")
        # Which MSOA each LSOA is in: ONS's own LSOA boundaries file names it.
        lsoa_path = self.use_file(folder.parent / LSOAS)
        languages = self.read_proficiency(paths["proficiency"], self.read_msoas(lsoa_path))
        languages += self.read_languages(paths["languages"])

        wanted = {
            code: {
                "residents": residents[code],
                "ages": ages[code],
                "ethnic_groups": ethnicity[code],
                "imd2025": imd2025[code],
                "imd2019": imd2019[code][0],
                "change_since_2011": imd2019[code][1],
            }
            for code in sorted(portal)
        }
        held = {row.code: row for row in LsoaStatistics.objects.select_for_update()}
        gone = set(held) - set(wanted)
        self.guard_shrink(
            summary, file=paths["residents"].name, verb="remove", lost=len(gone),
            total=len(held), what="LSOAs' statistics",
        )  # fmt: skip
        wanted = {code: {"code": code, **values} for code, values in wanted.items()}
        self.keep_rows(summary, "LSOA statistics", LsoaStatistics, held, wanted)

        kept = {(r.kind, r.code): r for r in RegisteredPatientsDeprivation.objects.all()}
        by_key = {(values["kind"], values["code"]): values for values in registered}
        gone = self.keep_rows(
            summary, "Registered patients' IMD 2019", RegisteredPatientsDeprivation, kept, by_key
        )
        self.guard_shrink(
            summary, file=paths["practice_imd"].name, verb="remove", lost=len(gone),
            total=len(gone) + len(registered), what="practices' and PCNs' figures",
        )  # fmt: skip

        kept = {(r.kind, r.code): r for r in LanguageStatistics.objects.all()}
        by_key = {(values["kind"], values["code"]): values for values in languages}
        gone = self.keep_rows(summary, "Language statistics", LanguageStatistics, kept, by_key)
        self.guard_shrink(
            summary, file=paths["proficiency"].name, verb="remove", lost=len(gone),
            total=len(gone) + len(languages), what="MSOAs' and boroughs' language figures",
        )  # fmt: skip

        summary.count("Neighbourhood profiles", "changed", profiles_recompute())
        return "Imported the statistics of the neighbourhood profiles"

    # Reading and checking

    def covers_the_portal(self, path: Path, codes: set[str]):
        """Refuse a file that leaves out an LSOA the portal holds, or holds another area's."""
        foreign = sorted(codes - self.portal)
        if foreign:
            raise SourceFileError(
                f"{path.name} holds {len(foreign)} LSOA code(s) the portal does not hold "
                f"(first: {quote(foreign[0])}): it is another area's file, or a different "
                f"release of the LSOAs. Use the file for City and Hackney's "
                f"{len(self.portal)} LSOAs.",
                refused=len(foreign),
            )
        missing = sorted(self.portal - codes)
        if missing:
            raise SourceFileError(
                f"{path.name} covers {len(codes)} of the {len(self.portal)} LSOAs the portal "
                f"holds; it leaves out {len(missing)} (first: {quote(missing[0])}). A profile "
                f"summed from it would be short. {DOWNLOAD_AGAIN}",
                refused=len(missing),
            )

    def lsoa_code(self, value: str, *, where: str, column: str) -> str:
        code = (value or "").strip()
        if not LSOA_CODE.match(code):
            raise SourceFileError(
                f"{where}: {column} {quote(code)} is not a 2021 LSOA code in England (such as "
                f"E01000001). {DOWNLOAD_AGAIN}"
            )
        return code

    def keep_rows(self, summary, kind: str, model, held: dict, wanted: dict) -> list:
        """Store `wanted` (each row's key -> its fields) over `held` (key -> the row the
        database holds): each row added, changed or left as it is, and counted so under
        `kind`; the held rows no longer wanted are deleted (the caller guards the shrink)
        and returned."""
        held = dict(held)
        for key, values in wanted.items():
            row = held.pop(key, None)
            if row is None:
                model.objects.create(**values)
                summary.count(kind, "added")
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
                summary.count(kind, "changed")
            else:
                summary.count(kind, "unchanged")
        gone = list(held.values())
        model.objects.filter(pk__in=[row.pk for row in gone]).delete()
        summary.count(kind, "removed", len(gone))
        return gone

    def read_residents(self, path: Path) -> dict[str, int]:
        column = "total_usual_residents_census2021"
        residents = {}
        for row in read_csv(path, ["lsoa21_code", column]):
            where = f"{path.name}, line {row['_line']}"
            code = self.lsoa_code(row["lsoa21_code"], where=where, column="lsoa21_code")
            if code in residents:
                raise SourceFileError(f"{where}: {code} is listed twice. {DOWNLOAD_AGAIN}")
            residents[code] = whole_number(
                row[column], column=column, where=where, low=0, high=MAX_LSOA_RESIDENTS
            )
        self.covers_the_portal(path, set(residents))
        return residents

    def read_long(self, path: Path, code_column, label_column, count_column) -> dict[str, dict]:
        """A file with a row per LSOA and band (or group): LSOA -> {band: count}, every LSOA
        with the same bands."""
        counts: dict[str, dict] = {}
        for row in read_csv(path, [code_column, label_column, count_column]):
            where = f"{path.name}, line {row['_line']}"
            code = self.lsoa_code(row[code_column], where=where, column=code_column)
            label = row[label_column].strip()
            if not label:
                raise SourceFileError(f"{where}: the {label_column} is blank. {DOWNLOAD_AGAIN}")
            bands = counts.setdefault(code, {})
            if label in bands:
                raise SourceFileError(f"{where}: {code} has {quote(label)} twice. {DOWNLOAD_AGAIN}")
            bands[label] = whole_number(
                row[count_column], column=count_column, where=where, low=0,
                high=MAX_LSOA_RESIDENTS,
            )  # fmt: skip
        self.covers_the_portal(path, set(counts))
        first_code = min(counts)
        expected = list(counts[first_code])
        for code, bands in sorted(counts.items()):
            if sorted(bands) != sorted(expected):
                raise SourceFileError(
                    f"{path.name}: {code} has the {label_column}s "
                    f"{quote(', '.join(bands))}, but {first_code} has "
                    f"{quote(', '.join(expected))}. Every LSOA must have the same. "
                    f"{DOWNLOAD_AGAIN}"
                )
        return {code: {label: bands[label] for label in expected} for code, bands in counts.items()}

    def read_imd2025(self, path: Path) -> dict[str, dict]:
        required = ["lsoa21_code"] + [
            f"{prefix}_{what}" for prefix in DOMAIN_COLUMNS.values()
            for what in ("decile", "rank", "score")
        ]  # fmt: skip
        figures = {}
        for row in read_csv(path, required):
            where = f"{path.name}, line {row['_line']}"
            code = self.lsoa_code(row["lsoa21_code"], where=where, column="lsoa21_code")
            if code in figures:
                raise SourceFileError(f"{where}: {code} is listed twice. {DOWNLOAD_AGAIN}")
            figures[code] = {
                key: {
                    "decile": whole_number(
                        row[f"{prefix}_decile"], column=f"{prefix}_decile", where=where, low=1,
                        high=10,
                    ),
                    "rank": whole_number(
                        row[f"{prefix}_rank"], column=f"{prefix}_rank", where=where, low=1,
                        high=LSOAS_IN_ENGLAND_2021,
                    ),
                    "score": self.score(row[f"{prefix}_score"], column=f"{prefix}_score",
                                        where=where),
                }
                for key, prefix in DOMAIN_COLUMNS.items()
            }  # fmt: skip
        self.covers_the_portal(path, set(figures))
        return figures

    def score(self, value: str, *, column: str, where: str) -> float:
        try:
            return float(value)
        except ValueError:
            raise SourceFileError(
                f"{where}: {column} {quote(value)} is not a number. {DOWNLOAD_AGAIN}"
            ) from None

    def read_imd2019(self, path: Path, lookup_path: Path) -> dict[str, tuple[dict, str]]:
        """2021 LSOA -> (domain -> 2019 decile, the lookup's change code). A 2021 LSOA made of
        one 2011 LSOA (unchanged, or one part of a split) has that LSOA's deciles; one made of
        several (merged, or redrawn) has none."""
        predecessors: dict[str, list] = {}
        changes: dict[str, str] = {}
        for row in read_csv(lookup_path, ["lsoa11_code", "change_code", "lsoa21_code"]):
            where = f"{lookup_path.name}, line {row['_line']}"
            new = self.lsoa_code(row["lsoa21_code"], where=where, column="lsoa21_code")
            old = self.lsoa_code(row["lsoa11_code"], where=where, column="lsoa11_code")
            change = row["change_code"].strip()
            if change not in ("U", "S", "M", "X"):
                raise SourceFileError(
                    f"{where}: change_code {quote(change)} is not one ONS uses (U, S, M or X). "
                    f"{DOWNLOAD_AGAIN}"
                )
            predecessors.setdefault(new, []).append(old)
            changes[new] = change
        self.covers_the_portal(lookup_path, set(predecessors))
        required = ["lsoa11_code"] + [f"{p}_decile" for p in DOMAIN_COLUMNS_2019.values()]
        deciles = {}
        for row in read_csv(path, required):
            where = f"{path.name}, line {row['_line']}"
            code = self.lsoa_code(row["lsoa11_code"], where=where, column="lsoa11_code")
            deciles[code] = {
                key: whole_number(
                    row[f"{prefix}_decile"], column=f"{prefix}_decile", where=where, low=1,
                    high=10,
                )
                for key, prefix in DOMAIN_COLUMNS_2019.items()
            }  # fmt: skip
        needed = {old for olds in predecessors.values() for old in olds}
        missing = sorted(needed - set(deciles))
        if missing:
            raise SourceFileError(
                f"{path.name} leaves out {len(missing)} of the {len(needed)} 2011 LSOAs the "
                f"lookup names (first: {quote(missing[0])}). {DOWNLOAD_AGAIN}",
                refused=len(missing),
            )
        foreign = sorted(set(deciles) - needed)
        if foreign:
            raise SourceFileError(
                f"{path.name} holds {len(foreign)} 2011 LSOA code(s) the lookup does not name "
                f"for City and Hackney (first: {quote(foreign[0])}): it is another area's "
                "file. Use the file for City and Hackney's LSOAs.",
                refused=len(foreign),
            )
        return {
            new: (deciles[olds[0]] if len(set(olds)) == 1 else {}, changes[new])
            for new, olds in predecessors.items()
        }

    def read_registered(self, path: Path, code_column: str, kind: str) -> list[dict]:
        rows = []
        seen = set()
        name_column = code_column.replace("_code", "_name")
        for row in read_csv(path, [code_column, name_column, "imd_score", "imd_decile"]):
            where = f"{path.name}, line {row['_line']}"
            code = row[code_column].strip()
            if not re.match(r"^[A-Z][A-Z0-9]{4,9}$", code):
                raise SourceFileError(
                    f"{where}: {code_column} {quote(code)} is not an ODS code. {DOWNLOAD_AGAIN}"
                )
            if code in seen:
                raise SourceFileError(f"{where}: {code} is listed twice. {DOWNLOAD_AGAIN}")
            seen.add(code)
            rows.append(
                {
                    "kind": kind,
                    "code": code,
                    "name": row[name_column].strip()[:200],
                    "score": self.score(row["imd_score"], column="imd_score", where=where),
                    "decile": whole_number(
                        row["imd_decile"], column="imd_decile", where=where, low=1, high=10
                    ),
                }
            )
        return rows

    def read_msoas(self, path: Path) -> dict[str, dict]:
        """MSOA code -> its name and the portal's LSOAs in it, from ONS's LSOA boundaries."""
        msoas: dict[str, dict] = {}
        features = read_features(path, ["LSOA21CD", "LSOA21NM", "MSOA21CD", "MSOA21NM"])
        seen = set()
        for feature in features:
            properties = feature["properties"]
            if properties["LSOA21CD"] not in self.portal:
                continue
            seen.add(properties["LSOA21CD"])
            msoa = msoas.setdefault(
                properties["MSOA21CD"], {"name": properties["MSOA21NM"], "lsoa_codes": []}
            )
            msoa["lsoa_codes"].append(properties["LSOA21CD"])
        missing = sorted(self.portal - seen)
        if missing:
            raise SourceFileError(
                f"{path.name} does not say which MSOA {len(missing)} of the portal's LSOAs are "
                f"in (first: {quote(missing[0])}). {DOWNLOAD_AGAIN}",
                refused=len(missing),
            )
        for msoa in msoas.values():
            msoa["lsoa_codes"].sort()
        return msoas

    def read_proficiency(self, path: Path, msoas: dict[str, dict]) -> list[dict]:
        """TS029 per MSOA. Another area's MSOA is refused; an MSOA of the area the file leaves
        out is kept with no figures, and the profiles say which it is (ONS's file has all)."""
        rows = []
        for row in read_csv(path, ["msoa21_code", *PROFICIENCY_COLUMNS]):
            where = f"{path.name}, line {row['_line']}"
            code = row["msoa21_code"].strip()
            if not MSOA_CODE.match(code):
                raise SourceFileError(
                    f"{where}: msoa21_code {quote(code)} is not a 2021 MSOA code in England "
                    f"(such as E02000001). {DOWNLOAD_AGAIN}"
                )
            if code not in msoas:
                raise SourceFileError(
                    f"{where}: {code} is not an MSOA of the portal's LSOAs: it is another "
                    "area's file, or a different release of the MSOAs. Use the file for City "
                    "and Hackney's MSOAs.",
                    refused=1,
                )
            if any(r["code"] == code for r in rows):
                raise SourceFileError(f"{where}: {code} is listed twice. {DOWNLOAD_AGAIN}")
            counts = {
                label: whole_number(row[column], column=column, where=where, low=0,
                                    high=MAX_MSOA_RESIDENTS)
                for column, label in PROFICIENCY_COLUMNS.items()
            }  # fmt: skip
            rows.append(
                {
                    "kind": LanguageStatistics.Kind.MSOA,
                    "code": code,
                    "name": msoas[code]["name"][:100],
                    "lsoa_codes": msoas[code]["lsoa_codes"],
                    "counts": counts,
                    "total": sum(counts.values()),
                }
            )
        if not rows:
            raise SourceFileError(f"{path.name} holds no MSOA. {DOWNLOAD_AGAIN}")
        held = {r["code"] for r in rows}
        for code, msoa in sorted(msoas.items()):
            if code not in held:
                rows.append(
                    {
                        "kind": LanguageStatistics.Kind.MSOA,
                        "code": code,
                        "name": msoa["name"][:100],
                        "lsoa_codes": msoa["lsoa_codes"],
                        "counts": {},
                        "total": 0,
                    }
                )
        return rows

    def read_languages(self, path: Path) -> list[dict]:
        """TS024 per borough: every language ONS lists under no other (the detailed ones, and
        the broad ones it does not split), with the residents aged 3 and over."""
        rows = []
        boroughs = set(Lsoa.objects.values_list("local_authority_code", flat=True))
        for row in read_csv(path, ["geography", "geography code", LANGUAGE_TOTAL]):
            where = f"{path.name}, line {row['_line']}"
            code = row["geography code"].strip()
            if not BOROUGH_CODE.match(code) or code not in boroughs:
                raise SourceFileError(
                    f"{where}: geography code {quote(code)} is not one of the portal's "
                    f"boroughs ({', '.join(sorted(boroughs))}): it is another area's file. "
                    "Use the file for City of London and Hackney.",
                    refused=1,
                )
            if any(r["code"] == code for r in rows):
                raise SourceFileError(f"{where}: {code} is listed twice. {DOWNLOAD_AGAIN}")
            columns = [c for c in row if c.startswith(LANGUAGE_PREFIX) and c != LANGUAGE_TOTAL]
            counts = {}
            for column in columns:
                if any(other.startswith(f"{column}: ") for other in columns):
                    continue  # a broad group ONS splits: its languages are counted instead
                label = column.removeprefix(LANGUAGE_PREFIX).rsplit(": ", 1)[-1]
                counts[label] = whole_number(row[column], column=column[:60], where=where,
                                             low=0, high=MAX_BOROUGH_RESIDENTS)  # fmt: skip
            if not counts:
                raise SourceFileError(f"{where}: no language columns. {DOWNLOAD_AGAIN}")
            rows.append(
                {
                    "kind": LanguageStatistics.Kind.BOROUGH,
                    "code": code,
                    "name": row["geography"].strip()[:100],
                    "lsoa_codes": [],
                    "counts": counts,
                    "total": whole_number(row[LANGUAGE_TOTAL], column="Total", where=where,
                                          low=0, high=MAX_BOROUGH_RESIDENTS),
                }
            )  # fmt: skip
        missing = sorted(boroughs - {r["code"] for r in rows})
        if missing:
            raise SourceFileError(
                f"{path.name} leaves out {len(missing)} of the portal's boroughs (first: "
                f"{quote(missing[0])}). {DOWNLOAD_AGAIN}",
                refused=len(missing),
            )
        return rows
