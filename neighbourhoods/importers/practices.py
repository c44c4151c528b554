"""Import GP practices and their neighbourhood memberships from NHS ODS and NHS England files."""

import datetime
import re
from dataclasses import dataclass

from django.contrib.gis.geos import Point

from ..models import Membership, Neighbourhood, Practice, day_text, days_overlap, period_text
from ..postcodes import ParsedPostcode
from . import codepoint
from .base import (
    DOWNLOAD_AGAIN,
    Importer,
    SourceFileError,
    data_dir,
    parse_yyyymmdd,
    quote,
    read_csv,
    release_in_name,
    whole_number,
)
from .text import tidy, tidy_phone

EPCN = "gp_practices/ods_epcn_2024-10_core_partners_city_and_hackney.csv"
EPRACCUR = "gp_practices/ods_epraccur_2025-09_london_region_Y56.csv"
PATIENTS = "gp_practices/nhs_gp_reg_pat_prac_all_2026-04_city_and_hackney_practices.csv"

EPCN_COLUMNS = [
    "Partner Organisation Code",
    "Partner Name",
    "PCN Code",
    "Practice to PCN Relationship Start Date",
    "Practice to PCN Relationship End Date",
]
EPRACCUR_COLUMNS = [
    "organisation_code", "name", "address_line_1", "address_line_2", "address_line_3",
    "address_line_4", "address_line_5", "postcode", "open_date", "close_date", "status_code",
    "contact_telephone_number",
]  # fmt: skip
PATIENTS_COLUMNS = ["CODE", "POSTCODE", "EXTRACT_DATE", "NUMBER_OF_PATIENTS", "SEX", "AGE"]

# The fields the ODS files own; the display name is the staff's to edit after the first import.
REFRESHED_FIELDS = [
    "ods_name", "address", "postcode", "phone", "status", "opened_on", "closed_on",
    "registered_patients", "registered_patients_as_of", "location",
]  # fmt: skip
# Where each refreshed field comes from and what it is called, for the shrink guard.
BLANKABLE = {
    "registered_patients": (PATIENTS, "list sizes"),
    "location": (codepoint.CODEPOINT_DIR.name, "locations"),
    "address": (EPRACCUR, "addresses"),
    "postcode": (EPRACCUR, "postcodes"),
    "phone": (EPRACCUR, "phone numbers"),
}
# A practice's list is a few thousand to a few tens of thousands of patients.
MAX_LIST_SIZE = 500_000


ODS_PRACTICE_CODE = re.compile(r"^[A-Z][0-9]{5}$")


@dataclass
class PracticeRecord:
    ods_code: str
    ods_name: str
    address: str
    postcode: str
    phone: str
    status: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    registered_patients: int | None
    registered_patients_as_of: datetime.date | None
    location: Point | None = None


class PracticesImport(Importer):
    source_name = "import_practices"
    primary_kind = "Practices"

    def run_import(self, summary, *args, **options):
        folder = data_dir(options["data_dir"])
        for relative in (EPCN, EPRACCUR, PATIENTS):
            path = self.use_file(folder / relative)
            self.set_release_date(path, release_in_name(path), main=False)
        memberships = self.read_memberships(folder / EPCN)
        codes = {m["ods_code"] for m in memberships}
        records = self.read_practices(folder / EPRACCUR, folder / PATIENTS, codes)
        self.locate(folder / codepoint.CODEPOINT_DIR, records)
        neighbourhoods = self.neighbourhoods_for(memberships)
        self.check_one_neighbourhood_at_a_time(memberships, neighbourhoods)
        known = self.check_against_the_portal(memberships, neighbourhoods)
        self.guard_blanking(records, summary)

        practices = {}
        for record in self.progress(records.values(), desc="Practices", unit="practice"):
            practices[record.ods_code] = self.save_practice(record, summary)
        # The memberships the portal has are ended (or reopened) before new ones are added:
        # a new one saved while the one it follows is still open would overlap it, which the
        # database refuses, though the file as a whole is consistent.
        for row in sorted(memberships, key=lambda row: _key(row, neighbourhoods) not in known):
            self.save_membership(row, practices, neighbourhoods, summary)
        untouched = Practice.objects.exclude(ods_code__in=codes).count()
        if untouched:
            summary.note(f"{untouched} practice(s) not in the ODS files were left as they are.")
        return "Imported GP practices"

    def guard_blanking(self, records, summary):
        """Refuse to empty a value many practices have (a cut-short list-size file)."""
        existing = list(Practice.objects.filter(ods_code__in=records))
        for field, (source, what) in BLANKABLE.items():
            had = [p for p in existing if getattr(p, field) not in (None, "")]
            lost = [p for p in had if getattr(records[p.ods_code], field) in (None, "")]
            self.guard_shrink(
                summary,
                file=source.rsplit("/", 1)[-1],
                verb="blank",
                lost=len(lost),
                total=len(had),
                what=f"practices' {what}",
            )

    def read_memberships(self, path):
        memberships = []
        for row in read_csv(path, EPCN_COLUMNS):
            where = f"{path.name}, line {row['_line']}"
            code = row["Partner Organisation Code"].strip()
            if not ODS_PRACTICE_CODE.match(code):
                raise SourceFileError(
                    f"{where}: the practice code {quote(code)} is not an ODS code such as "
                    f"F84640. {DOWNLOAD_AGAIN}"
                )
            membership = {
                "ods_code": code,
                "name": row["Partner Name"].strip(),
                "pcn_code": row["PCN Code"].strip(),
                "started_on": parse_yyyymmdd(
                    row["Practice to PCN Relationship Start Date"], where=where
                ),
                "ended_on": parse_yyyymmdd(
                    row["Practice to PCN Relationship End Date"], where=where
                ),
                "line": row["_line"],
            }
            started_on, ended_on = membership["started_on"], membership["ended_on"]
            if started_on and ended_on and ended_on < started_on:
                raise SourceFileError(
                    f"{where}: practice {code}'s membership of PCN "
                    f"{quote(membership['pcn_code'])} ends on {day_text(ended_on)}, before it "
                    f"starts on {day_text(started_on)}. {DOWNLOAD_AGAIN}"
                )
            memberships.append(membership)
        return memberships

    def check_one_neighbourhood_at_a_time(self, memberships, neighbourhoods):
        """Refuse a file that puts a practice in two PCNs (or one twice) on the same days."""

        def said(row):
            name = neighbourhoods[row["pcn_code"]].name
            return f"{row['pcn_code']} ({name}) {period_text(*_days(row))}"

        by_practice = {}
        for row in memberships:
            by_practice.setdefault(row["ods_code"], []).append(row)
        for code, rows in by_practice.items():
            for i, first in enumerate(rows):
                for second in rows[i + 1 :]:
                    if days_overlap(_days(first), _days(second)):
                        raise SourceFileError(
                            f"{EPCN.rsplit('/', 1)[-1]}, lines {first['line']} and "
                            f"{second['line']} both put practice {code} in a PCN on the same "
                            f"days: {said(first)}, and {said(second)}. A practice is in "
                            "only one PCN at a time. Check the file, or download it again "
                            "from its publisher.",
                            refused=2,
                        )

    def check_against_the_portal(self, memberships, neighbourhoods):
        """Refuse a row that would overlap a membership the portal holds and the file does
        not list (one staff added, say), rather than let the database refuse it. Returns the
        keys of the memberships the file lists that the portal already has."""
        listed = {_key(row, neighbourhoods) for row in memberships}
        held = Membership.objects.filter(
            practice__ods_code__in={row["ods_code"] for row in memberships}
        ).select_related("practice", "neighbourhood")
        known, kept = set(), {}
        for membership in held:
            key = (membership.practice.ods_code, membership.neighbourhood_id, membership.started_on)
            if key in listed:
                known.add(key)
            else:
                kept.setdefault(key[0], []).append(membership)
        for row in memberships:
            for other in kept.get(row["ods_code"], []):
                if days_overlap(_days(row), (other.started_on, other.ended_on)):
                    neighbourhood = neighbourhoods[row["pcn_code"]]
                    raise SourceFileError(
                        f"{EPCN.rsplit('/', 1)[-1]}, line {row['line']}: practice "
                        f"{row['ods_code']} would be in {neighbourhood.name} (PCN "
                        f"{row['pcn_code']}) {period_text(*_days(row))}, but the portal also "
                        f"has it in {other.neighbourhood.name} {other.period}, a membership "
                        "the file does not list. A practice is in only one neighbourhood at a "
                        "time: end or delete that membership in the admin (Memberships), or "
                        "check the file."
                    )
        return known

    def read_practices(self, epraccur_path, patients_path, codes):
        ods = {
            row["organisation_code"]: row
            for row in read_csv(epraccur_path, EPRACCUR_COLUMNS)
            if row["organisation_code"] in codes
        }
        missing = sorted(codes - ods.keys())
        if missing:
            raise SourceFileError(
                f"{epraccur_path.name} has no row for practice(s) {', '.join(missing)}, which "
                f"{EPCN.rsplit('/', 1)[-1]} lists. Check the two files are from the same "
                "release, or download them again."
            )
        patients = {}
        for row in read_csv(patients_path, PATIENTS_COLUMNS):
            if row["SEX"] != "ALL" or row["AGE"] != "ALL":
                continue
            where = f"{patients_path.name}, line {row['_line']}"
            count = whole_number(
                row["NUMBER_OF_PATIENTS"], column="NUMBER_OF_PATIENTS", where=where, low=0,
                high=MAX_LIST_SIZE,
            )  # fmt: skip
            try:
                as_of = datetime.date.fromisoformat(row["EXTRACT_DATE"].strip())
            except ValueError:
                raise SourceFileError(
                    f"{where}: EXTRACT_DATE {quote(row['EXTRACT_DATE'])} is not a date in the "
                    f"form YYYY-MM-DD. {DOWNLOAD_AGAIN}"
                ) from None
            patients[row["CODE"]] = (count, as_of, row["POSTCODE"])
        if patients:
            self.set_release_date(patients_path, max(as_of for _, as_of, _ in patients.values()))
        records = {}
        for code in sorted(codes):
            row = ods[code]
            where = f"{epraccur_path.name}, practice {code}"
            lines = [row[f"address_line_{i}"] for i in range(1, 6)]
            postcode = ParsedPostcode.parse(row["postcode"]) or ParsedPostcode.parse(
                patients.get(code, (None, None, ""))[2]
            )
            count, as_of, _ = patients.get(code, (None, None, None))
            records[code] = PracticeRecord(
                ods_code=code,
                ods_name=row["name"].strip(),
                address="\n".join(tidy(line) for line in lines if line.strip()),
                postcode=postcode.with_space if postcode and postcode.is_full else "",
                phone=tidy_phone(row["contact_telephone_number"]),
                status=row["status_code"].strip() or Practice.Status.ACTIVE,
                opened_on=parse_yyyymmdd(row["open_date"], where=where),
                closed_on=parse_yyyymmdd(row["close_date"], where=where),
                registered_patients=count,
                registered_patients_as_of=as_of,
            )
        return records

    def locate(self, folder, records):
        """Place each practice at its postcode's Code-Point Open point."""
        wanted = {r.postcode: r for r in records.values() if r.postcode}
        areas = {codepoint.area_of(pc) for pc in wanted}
        found = {}
        for path in codepoint.area_files(folder, areas):
            self.use_file(path)
            for row in codepoint.read_rows(path):
                key = ParsedPostcode.parse(row.postcode)
                if key and key.with_space in wanted:
                    found[key.with_space] = Point(row.easting, row.northing, srid=27700)
        for record in records.values():
            point = found.get(record.postcode)
            if point is not None:
                point = point.transform(4326, clone=True)
                # Round to ~10 cm so the stored point compares equal on the next run.
                record.location = Point(round(point.x, 6), round(point.y, 6), srid=4326)
            else:
                self.warn(
                    f"No Code-Point Open point for {record.ods_code}'s postcode "
                    f"'{record.postcode}': its location is left empty."
                )

    def neighbourhoods_for(self, memberships):
        by_code = {n.pcn_code: n for n in Neighbourhood.objects.all()}
        unknown = sorted({m["pcn_code"] for m in memberships} - by_code.keys())
        if unknown:
            raise SourceFileError(
                f"{EPCN.rsplit('/', 1)[-1]}: no neighbourhood has the PCN code(s) "
                f"{quote(', '.join(unknown))}. Load the content "
                "fixtures (manage.py load_content) or add the neighbourhood in the admin first."
            )
        return by_code

    def save_practice(self, record, summary):
        values = {field: getattr(record, field) for field in REFRESHED_FIELDS}
        practice = Practice.objects.filter(ods_code=record.ods_code).first()
        if practice is None:
            practice = Practice.objects.create(
                ods_code=record.ods_code, name=tidy(record.ods_name), **values
            )
            summary.count("Practices", "added")
            return practice
        changed = [f for f, v in values.items() if not _same(getattr(practice, f), v)]
        if changed:
            for field in changed:
                setattr(practice, field, values[field])
            practice.save(update_fields=changed)
            summary.count("Practices", "changed")
        else:
            summary.count("Practices", "unchanged")
        return practice

    def save_membership(self, row, practices, neighbourhoods, summary):
        membership, created = Membership.objects.get_or_create(
            practice=practices[row["ods_code"]],
            neighbourhood=neighbourhoods[row["pcn_code"]],
            started_on=row["started_on"],
            defaults={"ended_on": row["ended_on"]},
        )
        if created:
            summary.count("Memberships", "added")
        elif membership.ended_on != row["ended_on"]:
            membership.ended_on = row["ended_on"]
            membership.save(update_fields=["ended_on"])
            summary.count("Memberships", "changed")
        else:
            summary.count("Memberships", "unchanged")


def _days(row):
    return row["started_on"], row["ended_on"]


def _key(row, neighbourhoods):
    """What names a membership: its practice, its neighbourhood and when it started."""
    return row["ods_code"], neighbourhoods[row["pcn_code"]].pk, row["started_on"]


def _same(current, new):
    if isinstance(current, Point) or isinstance(new, Point):
        return current is not None and new is not None and current.equals_exact(new, 1e-7)
    return current == new
