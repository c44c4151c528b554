"""Import GP practices and their neighbourhood memberships from NHS ODS and NHS England files.

ODS has published its files in two formats, and this reads both, telling them apart by their
values (never by a file's name or date): see EPRACCUR_FORMATS and EPCN_FORMATS. The summary
says which format each file was read in, and, by name, what changed: practices opened,
closed or renamed, memberships started or ended, addresses and phone numbers changed.
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import Point

from ..models import (
    LocalAuthority,
    Membership,
    Neighbourhood,
    Practice,
    current_membership_q,
    day_text,
    days_overlap,
    membership_not_removed_q,
    period_text,
)
from ..postcodes import ParsedPostcode
from ..selectors import area_authority_codes
from . import codepoint
from .base import (
    DOWNLOAD_AGAIN,
    Importer,
    ShrinkRefused,
    SourceFileError,
    data_dir,
    parse_yyyymmdd,
    quote,
    read_csv,
    release_in_name,
    whole_number,
)
from .text import tidy, tidy_phone

# The files read unless the command names others (--epcn, --epraccur, --patients), in the
# open data folder.
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
# Not read, but its values tell the ePCN file's format apart, where the file has it.
EPCN_MATCH_COLUMN = "Practice Sub ICB Loc and PCN Sub ICB Loc Match"
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
# Which file each refreshed field comes from and what it is called, for the shrink guard.
BLANKABLE = {
    "registered_patients": ("patients", "list sizes"),
    "location": ("codepoint", "locations"),
    "address": ("epraccur", "addresses"),
    "postcode": ("epraccur", "postcodes"),
    "phone": ("epraccur", "phone numbers"),
}
# A practice's list is a few thousand to a few tens of thousands of patients.
MAX_LIST_SIZE = 500_000


ODS_PRACTICE_CODE = re.compile(r"^[A-Z][0-9]{5}$")


@dataclass(frozen=True)
class OdsFormat:
    """One of the formats ODS has published a file in, told apart by its values."""

    key: str  # kept in the run record's entry for the file
    described: str  # for the summary: "ODS's newer format (...)"
    values: dict  # the status_code values (epraccur) or true values (ePCN) -> what they mean
    prescribing_setting: re.Pattern | None = None
    gp_practice: str = ""  # the prescribing setting of a GP practice


Status = Practice.Status
# Open GP practices outside the place, this near it (metres from its local authorities'
# boundaries), are kept so that a resident is offered the practices nearest them whatever
# the borough (docs/imports.md).
NEARBY_METRES = 2000
NEARBY = "Practices nearby, outside the place"
EPRACCUR_FORMATS = (
    OdsFormat(
        key="2025",
        described="ODS's older format, as in September 2025 (status A, C or D; prescribing "
        "settings as numbers)",
        values={"A": Status.ACTIVE, "C": Status.CLOSED, "D": Status.DORMANT, "P": Status.PROPOSED},
        prescribing_setting=re.compile(r"^[0-9]+$"),
        gp_practice="4",
    ),
    OdsFormat(
        key="2026",
        described="ODS's newer format, as from March 2026 (status ACTIVE, INACTIVE or DORMANT; "
        "prescribing settings as role codes such as RO76)",
        values={"ACTIVE": Status.ACTIVE, "INACTIVE": Status.CLOSED, "DORMANT": Status.DORMANT,
                "PROPOSED": Status.PROPOSED},
        prescribing_setting=re.compile(r"^RO[0-9]+$"),
        gp_practice="RO76",
    ),
)  # fmt: skip
EPCN_FORMATS = (
    OdsFormat(
        key="2024",
        described="ODS's older format, as in October 2024 (True and False)",
        values={"True": True, "False": False},
    ),
    OdsFormat(
        key="2026",
        described="ODS's newer format, as from March 2026 (TRUE and FALSE)",
        values={"TRUE": True, "FALSE": False},
    ),
)


def epraccur_format(path: Path, rows: list[dict]) -> OdsFormat:
    """The format an epraccur file is in, from its status codes and prescribing settings.
    A status no format uses, a file that mixes the two, or one with no status at all, is
    refused: it is damaged, or stitched together from two releases."""
    statuses = " or ".join(", ".join(f.values) for f in EPRACCUR_FORMATS)
    return _told_apart(path, rows, EPRACCUR_FORMATS, "status_code", statuses, required=True)


def epcn_format(path: Path, rows: list[dict]) -> OdsFormat | None:
    """The format an ePCN file is in, from how it writes true and false in its
    Sub-ICB-location match column (None if it has no such column, or leaves it blank)."""
    if not rows or EPCN_MATCH_COLUMN not in rows[0]:
        return None
    values = " or ".join(", ".join(f.values) for f in EPCN_FORMATS)
    return _told_apart(path, rows, EPCN_FORMATS, EPCN_MATCH_COLUMN, values, required=False)


def _told_apart(path, rows, formats, column, allowed, *, required):
    seen: dict[str, tuple] = {}  # format key -> the first (line, column, value) in it
    for row in rows:
        value = row[column].strip()
        if value:
            fmt = next((f for f in formats if value in f.values), None)
            if fmt is None:
                raise SourceFileError(
                    f"{path.name}, line {row['_line']}: the {column} {quote(value)} is not one "
                    f"ODS uses ({allowed}). {DOWNLOAD_AGAIN}"
                )
            seen.setdefault(fmt.key, (row["_line"], column, value))
        setting = (row.get("prescribing_setting") or "").strip()
        for fmt in formats:
            if setting and fmt.prescribing_setting and fmt.prescribing_setting.match(setting):
                seen.setdefault(fmt.key, (row["_line"], "prescribing_setting", setting))
        if len(seen) > 1:
            (old_line, old_column, old), (new_line, new_column, new) = (
                seen[f.key] for f in formats
            )
            raise SourceFileError(
                f"{path.name} mixes ODS's two formats: line {old_line} gives the {old_column} "
                f"{quote(old)}, as the older format does, and line {new_line} the {new_column} "
                f"{quote(new)}, as the newer one does. Check the file is one release, "
                "unchanged, or download it again."
            )
    if not seen:
        if required:
            raise SourceFileError(
                f"{path.name} gives no {column} on any line, so it is not an ODS file of the "
                f"expected kind. {DOWNLOAD_AGAIN}"
            )
        return None
    return next(f for f in formats if f.key in seen)


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


def _day(date: datetime.date | None) -> str:
    return f"{date.day} {date:%B %Y}" if date else "no date"


# At most this many practices are named on one line of the summary; the rest are counted.
MAX_NAMED = 50


def _listed(items: list[str]) -> str:
    named = "; ".join(items[:MAX_NAMED])
    more = len(items) - MAX_NAMED
    return f"{named}; and {more} more" if more > 0 else named


@dataclass
class Changes:
    """What an import changed, by practice and membership, for its summary."""

    added: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    other_status: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    end_changed: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)

    # Refreshed fields whose changes the summary names practice by practice (or counts, for
    # list sizes, which change in every release), under these headings.
    FIELD_HEADINGS = {
        "address": "Addresses changed",
        "postcode": "Postcodes changed",
        "phone": "Phone numbers changed",
        "location": "Locations changed",
        "opened_on": "Opening dates changed",
        "closed_on": "Closing dates changed",
    }

    def practice_added(self, practice: Practice):
        status = {
            Status.CLOSED: f"closed on {_day(practice.closed_on)}",
            Status.DORMANT: "dormant",
            Status.PROPOSED: "proposed",
        }.get(practice.status, "open")
        self.added.append(f"{_label(practice)} ({status})")

    def practice_changed(self, practice: Practice, before: dict):
        """`practice` as saved; `before`, the values its changed fields had."""
        label = _label(practice)
        if "status" in before:
            was = dict(Status.choices).get(before["status"], before["status"]).lower()
            if practice.status == Status.ACTIVE:
                self.opened.append(f"{label} (was {was})")
            elif practice.status == Status.CLOSED:
                self.closed.append(f"{label}, on {_day(practice.closed_on)} (was {was})")
            else:
                self.other_status.append(f"{label}: {practice.get_status_display()}, was {was}")
        if "ods_name" in before:
            new, old = tidy(practice.ods_name), tidy(before["ods_name"])
            if new == old:  # the same words, written differently
                new, old = practice.ods_name, before["ods_name"]
            shown = f" (shown on the portal as {practice.name})" if practice.name != new else ""
            self.renamed.append(f"{practice.ods_code}: {new}, was {old or 'unnamed'}{shown}")
        for name in before:
            closing = name == "closed_on" and "status" in before
            if name in self.FIELD_HEADINGS and not closing:
                self.fields.setdefault(name, []).append(label)
        if "registered_patients" in before:
            self.fields.setdefault("registered_patients", []).append(label)

    def membership_started(self, membership: Membership):
        since = f", from {_day(membership.started_on)}" if membership.started_on else ""
        self.started.append(
            f"{_label(membership.practice)}, {membership.neighbourhood.name}{since}"
        )
        if membership.ended_on:
            self.membership_ended(membership)

    def membership_ended(self, membership: Membership):
        self.ended.append(
            f"{_label(membership.practice)}, {membership.neighbourhood.name}, until "
            f"{_day(membership.ended_on)}"
        )

    def membership_changed(self, membership: Membership, was: datetime.date | None):
        if was is None:
            self.membership_ended(membership)
            return
        now = f"until {_day(membership.ended_on)}" if membership.ended_on else "no end date"
        self.end_changed.append(
            f"{_label(membership.practice)}, {membership.neighbourhood.name}: {now}, was until "
            f"{_day(was)}"
        )

    def lines(self) -> list[str]:
        headed = [
            ("Practices added", self.added),
            ("Practices opened", self.opened),
            ("Practices closed", self.closed),
            ("Practices whose status changed", self.other_status),
            ("Practices renamed in ODS", self.renamed),
            ("Memberships started", self.started),
            ("Memberships ended", self.ended),
            ("Membership end dates changed", self.end_changed),
        ]
        lines = [f"{heading}: {_listed(items)}." for heading, items in headed if items]
        if not any(items for _, items in headed):
            lines.append(
                "No practice opened, closed or was renamed, and no membership started or ended."
            )
        for name, heading in self.FIELD_HEADINGS.items():
            if self.fields.get(name):
                lines.append(f"{heading}: {_listed(self.fields[name])}.")
        if sizes := self.fields.get("registered_patients"):
            lines.append(f"List sizes changed: {len(sizes)} practice(s).")
        return lines


def _label(practice: Practice) -> str:
    return f"{practice.ods_code} {practice.name}"


class PracticesImport(Importer):
    source_name = "import_practices"
    primary_kind = "Practices"

    def run_import(self, summary, *args, **options):
        folder = data_dir(options["data_dir"])
        self.paths = {
            "epcn": Path(options.get("epcn") or folder / EPCN),
            "epraccur": Path(options.get("epraccur") or folder / EPRACCUR),
            "patients": Path(options.get("patients") or folder / PATIENTS),
            "codepoint": folder / codepoint.CODEPOINT_DIR,
        }
        for key in ("epcn", "epraccur", "patients"):
            path = self.use_file(self.paths[key])
            release = release_in_name(path)
            self.set_release_date(path, release, main=False)
            if release is None and key != "patients":  # the patients file dates itself
                summary.note(
                    f"{path.name}: its name gives no release month (such as _2026-03_), so the "
                    "run records no release date for it. Keep ODS's file names."
                )
        self.changes = Changes()
        memberships = self.read_memberships(self.paths["epcn"], summary)
        codes = {m["ods_code"] for m in memberships}
        records = self.read_practices(self.paths["epraccur"], self.paths["patients"], codes,
                                      summary)  # fmt: skip
        self.locate(self.paths["codepoint"], records)
        nearby = self.read_nearby(self.paths["epraccur"], codes)
        if nearby:  # a release of the place's practices alone lists none
            self.locate(self.paths["codepoint"], nearby, warn=False)
            nearby = self.near_the_place(nearby)
        neighbourhoods = self.neighbourhoods_for(memberships)
        records, memberships = self.leave_removed_alone(records, memberships, neighbourhoods,
                                                        summary)  # fmt: skip
        self.check_one_neighbourhood_at_a_time(memberships, neighbourhoods)
        self.guard_unlisted(memberships, summary)
        known, corrected = self.check_against_the_portal(memberships, neighbourhoods)
        self.guard_blanking(records, summary)

        practices = {}
        for record in self.progress(records.values(), desc="Practices", unit="practice"):
            practices[record.ods_code] = self.save_practice(record, summary)
        for record in nearby.values():
            self.save_practice(record, summary, kind=NEARBY)
        # The memberships the portal has are ended (or reopened) before new ones are added:
        # a new one saved while the one it follows is still open would overlap it, which the
        # database refuses, though the file as a whole is consistent.
        for row in sorted(memberships, key=lambda row: _key(row, neighbourhoods) not in known):
            self.save_membership(
                row, practices, neighbourhoods, summary,
                corrected=corrected.get(_key(row, neighbourhoods)),
            )  # fmt: skip
        for line in self.changes.lines():
            summary.note(line)
        untouched = Practice.objects.exclude(ods_code__in=codes | nearby.keys()).count()
        if untouched:
            summary.note(f"{untouched} practice(s) not in the ODS files were left as they are.")
        return "Imported GP practices"

    def guard_unlisted(self, memberships, summary):
        """Refuse an ePCN file that leaves out, or ends, more than PORTAL_IMPORT_MAX_UNLISTED
        of the practices in a neighbourhood now, unless --allow-shrink. The import leaves a
        practice the file does not list as it is, so a file cut short at a whole row would
        otherwise be taken, its missing practices unnoticed."""
        today = datetime.date.today()
        in_force = {
            m.practice.ods_code: m.practice
            for m in Membership.objects.filter(current_membership_q(today))
            .filter(membership_not_removed_q())
            .select_related("practice")
        }
        kept = {
            row["ods_code"] for row in memberships
            if (row["started_on"] is None or row["started_on"] <= today)
            and (row["ended_on"] is None or row["ended_on"] >= today)
        }  # fmt: skip
        lost = sorted(in_force.keys() - kept)
        limit, total = settings.PORTAL_IMPORT_MAX_UNLISTED, len(in_force)
        if not total or len(lost) <= limit * total:
            return
        file = self.paths["epcn"].name
        share = (
            f"{len(lost)} of the {total} practices in a neighbourhood now ({len(lost) / total:.1%})"
        )
        named = _listed([_label(in_force[code]) for code in lost])
        if self.allow_shrink:
            summary.note(f"{file}: {share} are not in it or would end, allowed by --allow-shrink: "
                         f"{named}.")  # fmt: skip
            return
        lines = [row["line"] for row in memberships]
        listed = len({row["ods_code"] for row in memberships})
        where = f" (lines {min(lines)} to {max(lines)})" if lines else ""
        raise ShrinkRefused(
            f"{file} lists {listed} practice(s){where}; {share} are not in it, or would end by "
            f"it: {named}. An import may leave out or end at most {limit:.0%} of them unasked: "
            "a file cut short does this. Check the file and download it again if it is "
            "incomplete; run again with --allow-shrink if this is intended.",
            refused=len(lost),
        )

    def guard_blanking(self, records, summary):
        """Refuse to empty a value many practices have (a cut-short list-size file)."""
        existing = list(Practice.objects.filter(ods_code__in=records))
        for field_name, (source, what) in BLANKABLE.items():
            had = [p for p in existing if getattr(p, field_name) not in (None, "")]
            lost = [p for p in had if getattr(records[p.ods_code], field_name) in (None, "")]
            self.guard_shrink(
                summary,
                file=self.paths[source].name,
                verb="blank",
                lost=len(lost),
                total=len(had),
                what=f"practices' {what}",
            )

    def read_memberships(self, path, summary):
        rows = read_csv(path, EPCN_COLUMNS)
        fmt = epcn_format(path, rows)
        if fmt is not None:
            self.note_file(path, format=fmt.key)
            summary.note(f"{path.name}: read in {fmt.described}.")
        memberships = []
        for row in rows:
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
                    if _same_row(first, second):
                        raise SourceFileError(
                            f"{self.paths['epcn'].name}, lines {first['line']} and "
                            f"{second['line']} are the same row (practice {code} in "
                            f"{said(first)}): a row is repeated, so the file is damaged or "
                            f"stitched together. {DOWNLOAD_AGAIN}",
                            refused=2,
                        )
                    if days_overlap(_days(first), _days(second)):
                        raise SourceFileError(
                            f"{self.paths['epcn'].name}, lines {first['line']} and "
                            f"{second['line']} both put practice {code} in a PCN on the same "
                            f"days: {said(first)}, and {said(second)}. A practice is in "
                            "only one PCN at a time. Check the file, or download it again "
                            "from its publisher.",
                            refused=2,
                        )

    def check_against_the_portal(self, memberships, neighbourhoods):
        """Refuse a row that would overlap a membership the portal holds and the file does
        not list (one staff added, say), rather than let the database refuse it. A held
        membership of the same practice in the same neighbourhood on overlapping days is the
        row's own, its dates corrected by the release (ODS dates a relationship again): it is
        updated, not refused. Returns the keys of the memberships the file lists that the
        portal already has, and the held memberships the file corrects, by the row's key."""
        listed = {_key(row, neighbourhoods) for row in memberships}
        held = Membership.objects.filter(
            practice__ods_code__in={row["ods_code"] for row in memberships}
        ).select_related("practice", "neighbourhood")
        known, kept, corrected = set(), {}, {}
        for membership in held:
            key = (membership.practice.ods_code, membership.neighbourhood_id, membership.started_on)
            if key in listed:
                known.add(key)
            else:
                kept.setdefault(key[0], []).append(membership)
        for row in memberships:
            neighbourhood = neighbourhoods[row["pcn_code"]]
            for other in kept.get(row["ods_code"], []):
                if not days_overlap(_days(row), (other.started_on, other.ended_on)):
                    continue
                if other.neighbourhood_id == neighbourhood.pk and other.pk not in {
                    m.pk for m in corrected.values()
                }:
                    corrected[_key(row, neighbourhoods)] = other
                    continue
                raise SourceFileError(
                    f"{self.paths['epcn'].name}, line {row['line']}: practice "
                    f"{row['ods_code']} would be in {neighbourhood.name} (PCN "
                    f"{row['pcn_code']}) {period_text(*_days(row))}, but the portal also "
                    f"has it in {other.neighbourhood.name} {other.period}, a membership "
                    "the file does not list. A practice is in only one neighbourhood at a "
                    "time: end or delete that membership in the admin (Memberships), or "
                    "check the file."
                )
        return known, corrected

    def read_practices(self, epraccur_path, patients_path, codes, summary):
        rows = read_csv(epraccur_path, EPRACCUR_COLUMNS)
        fmt = epraccur_format(epraccur_path, rows)
        self.note_file(epraccur_path, format=fmt.key)
        summary.note(f"{epraccur_path.name}: read in {fmt.described}.")
        ods = {row["organisation_code"]: row for row in rows if row["organisation_code"] in codes}
        missing = sorted(codes - ods.keys())
        if missing:
            raise SourceFileError(
                f"{epraccur_path.name} has no row for practice(s) {', '.join(missing)}, which "
                f"{self.paths['epcn'].name} lists. Check the two files are from the same "
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
            where = f"{epraccur_path.name}, line {row['_line']}"
            status = row["status_code"].strip()
            if not status:
                raise SourceFileError(
                    f"{where}: practice {code} has no status_code, so whether it is open is not "
                    f"known. {DOWNLOAD_AGAIN}"
                )
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
                status=fmt.values[status],
                opened_on=parse_yyyymmdd(row["open_date"], where=where),
                closed_on=parse_yyyymmdd(row["close_date"], where=where),
                registered_patients=count,
                registered_patients_as_of=as_of,
            )
        return records

    def read_nearby(self, epraccur_path, codes) -> dict:
        """The open GP practices in the file that no neighbourhood lists: those near the place
        are offered to residents as the nearest practices they may also register with
        (near_the_place keeps them)."""
        rows = read_csv(epraccur_path, EPRACCUR_COLUMNS)
        fmt = epraccur_format(epraccur_path, rows)
        nearby = {}
        for row in rows:
            code = row["organisation_code"]
            if code in codes or row["prescribing_setting"].strip() != fmt.gp_practice:
                continue
            if fmt.values.get(row["status_code"].strip()) != Status.ACTIVE:
                continue
            postcode = ParsedPostcode.parse(row["postcode"])
            if postcode is None or not postcode.is_full:
                continue
            where = f"{epraccur_path.name}, line {row['_line']}"
            lines = [row[f"address_line_{i}"] for i in range(1, 6)]
            nearby[code] = PracticeRecord(
                ods_code=code,
                ods_name=row["name"].strip(),
                address="\n".join(tidy(line) for line in lines if line.strip()),
                postcode=postcode.with_space,
                phone=tidy_phone(row["contact_telephone_number"]),
                status=Status.ACTIVE,
                opened_on=parse_yyyymmdd(row["open_date"], where=where),
                closed_on=None,
                registered_patients=None,
                registered_patients_as_of=None,
            )
        return nearby

    def near_the_place(self, records) -> dict:
        """Those of `records` whose point is outside the place's local authorities and within
        NEARBY_METRES of them (the practices held here already are kept up to date too)."""
        held = set(Practice.objects.filter(ods_code__in=records).values_list("ods_code", flat=True))
        authorities = LocalAuthority.objects.filter(
            gss_code__in=area_authority_codes(), boundary__isnull=False
        )
        kept = {}
        for code, record in records.items():
            if record.location is None:
                continue
            distances = [
                a.distance.m
                for a in authorities.annotate(distance=Distance("boundary", record.location))
            ]
            if code in held or (distances and 0 < min(distances) <= NEARBY_METRES):
                kept[code] = record
        return kept

    def locate(self, folder, records, warn=True):
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
        # One transformation for every point: made for each, PROJ's setting up took 10 ms a
        # practice, most of an import that changes nothing.
        to_wgs84 = CoordTransform(SpatialReference(27700), SpatialReference(4326))
        for record in records.values():
            point = found.get(record.postcode)
            if point is not None:
                point = point.transform(to_wgs84, clone=True)
                # Round to ~10 cm so the stored point compares equal on the next run.
                record.location = Point(round(point.x, 6), round(point.y, 6), srid=4326)
            elif warn:
                self.warn(
                    f"No Code-Point Open point for {record.ods_code}'s postcode "
                    f"'{record.postcode}': its location is left empty."
                )

    def leave_removed_alone(self, records, memberships, neighbourhoods, summary):
        """Staff deleted these practices or neighbourhoods in the admin (services.removal):
        the import changes neither them nor their memberships, which would bring a deleted
        practice back into the answers by the back door, and says so."""
        removed_practices = {
            p.ods_code: p
            for p in Practice.objects.removed().filter(ods_code__in=records).order_by("ods_code")
        }
        removed_pcns = {code for code, n in neighbourhoods.items() if n.is_removed}
        for practice in removed_practices.values():
            summary.note(
                f"{_label(practice)} was deleted in the admin on "
                f"{practice.removed_at:%-d %B %Y}: left as it is, with its memberships. "
                "Restore it from Deleted records for ODS's changes to it to apply."
            )
        for code in sorted(removed_pcns):
            summary.note(
                f"{neighbourhoods[code].name} ({code}) was deleted in the admin: no membership "
                "of it is started or changed. Restore it from Deleted records first."
            )
        records = {c: r for c, r in records.items() if c not in removed_practices}
        memberships = [
            m for m in memberships
            if m["ods_code"] not in removed_practices and m["pcn_code"] not in removed_pcns
        ]  # fmt: skip
        return records, memberships

    def neighbourhoods_for(self, memberships):
        by_code = {n.pcn_code: n for n in Neighbourhood.objects.all()}
        unknown = sorted({m["pcn_code"] for m in memberships} - by_code.keys())
        if unknown:
            raise SourceFileError(
                f"{self.paths['epcn'].name}: no neighbourhood has the PCN code(s) "
                f"{quote(', '.join(unknown))}. Load the content "
                "fixtures (manage.py load_content) or add the neighbourhood in the admin first."
            )
        return by_code

    def save_practice(self, record, summary, kind="Practices"):
        values = {name: getattr(record, name) for name in REFRESHED_FIELDS}
        practice = Practice.objects.filter(ods_code=record.ods_code).first()
        if practice is None:
            practice = Practice.objects.create(
                ods_code=record.ods_code, name=tidy(record.ods_name), **values
            )
            summary.count(kind, "added")
            if kind != NEARBY:  # a new practice next door is not news of the place's
                self.changes.practice_added(practice)
            return practice
        changed = [name for name, v in values.items() if not _same(getattr(practice, name), v)]
        if changed:
            before = {name: getattr(practice, name) for name in changed}
            for name in changed:
                setattr(practice, name, values[name])
            practice.save(update_fields=changed)
            summary.count(kind, "changed")
            if kind != NEARBY:
                self.changes.practice_changed(practice, before)
        else:
            summary.count(kind, "unchanged")
        return practice

    def save_membership(self, row, practices, neighbourhoods, summary, corrected=None):
        if corrected is not None:  # the portal's own, its dates corrected by the release
            was = corrected.ended_on
            corrected.started_on, corrected.ended_on = row["started_on"], row["ended_on"]
            corrected.save(update_fields=["started_on", "ended_on"])
            summary.count("Memberships", "changed")
            self.changes.membership_changed(corrected, was)
            return
        membership, created = Membership.objects.get_or_create(
            practice=practices[row["ods_code"]],
            neighbourhood=neighbourhoods[row["pcn_code"]],
            started_on=row["started_on"],
            defaults={"ended_on": row["ended_on"]},
        )
        if created:
            summary.count("Memberships", "added")
            self.changes.membership_started(membership)
        elif membership.ended_on != row["ended_on"]:
            was = membership.ended_on
            membership.ended_on = row["ended_on"]
            membership.save(update_fields=["ended_on"])
            summary.count("Memberships", "changed")
            self.changes.membership_changed(membership, was)
        else:
            summary.count("Memberships", "unchanged")


def _same_row(first, second):
    return {k: v for k, v in first.items() if k != "line"} == {
        k: v for k, v in second.items() if k != "line"
    }


def _days(row):
    return row["started_on"], row["ended_on"]


def _key(row, neighbourhoods):
    """What names a membership: its practice, its neighbourhood and when it started."""
    return row["ods_code"], neighbourhoods[row["pcn_code"]].pk, row["started_on"]


def _same(current, new):
    if isinstance(current, Point) or isinstance(new, Point):
        return current is not None and new is not None and current.equals_exact(new, 1e-7)
    return current == new
