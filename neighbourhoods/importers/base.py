"""What every import shares: careful reading of source files, the shrink guard, a summary,
and the run itself (`Importer`), with a record of every run (neighbourhoods.models.ImportRun).

Every import runs in one transaction. When it refuses (a broken file, a value out of range, a
shrink beyond PORTAL_IMPORT_MAX_SHRINK) or fails, the transaction is rolled back, the run is
recorded as refused or failed, and the result carries a plain-English message naming the
file, the line where there is one, and what to do (a command stops with it as a
CommandError). It never echoes more than
MAX_ECHO characters of the input.
"""

import contextlib
import csv
import datetime
import getpass
import hashlib
import itertools
import json
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone
from tqdm import tqdm

from ..audit import trail
from ..models import counts_in_words
from ..services.answers import answers_deferred
from ..services.publishing import caches_clear, release_keys
from .postcode_changes import PostcodeChanges

MAX_ECHO = 100
MAX_MESSAGE = 1000
MAX_LINE_BYTES = 1_000_000

# Great Britain on the British National Grid (EPSG:27700), in metres, and the same box in
# WGS84 longitude and latitude (the grid's corners and edges transformed, rounded outwards).
GB_EASTING = (0, 700_000)
GB_NORTHING = (0, 1_300_000)
GB_LONGITUDE = (-9.5, 3.7)
GB_LATITUDE = (49.7, 61.6)

DOWNLOAD_AGAIN = "Download the file again from its publisher and run the import again."
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


class SourceFileError(CommandError):
    """A source file is missing, broken or not what we expect. Nothing has been changed.

    `refused` is how many records the refusal concerns (one bad line, or a shrink's count).
    """

    def __init__(self, message, *, refused=1):
        super().__init__(message)
        self.refused = refused


class ShrinkRefused(SourceFileError):
    """The import would terminate, remove or blank more than PORTAL_IMPORT_MAX_SHRINK."""


def quote(value, limit=MAX_ECHO) -> str:
    """Input fit to echo in a message: control characters and NULs gone, at most `limit`
    characters (an ellipsis marks a cut), in quotes."""
    text = _CONTROL.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def clean_message(message) -> str:
    text = _CONTROL.sub(" ", str(message)).strip()
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def data_dir(option_value=None) -> Path:
    return Path(option_value or settings.PORTAL_DATA_DIR)


def check_file(path: Path, *, hint="Check --data-dir or PORTAL_DATA_DIR."):
    if not path.is_file():
        raise SourceFileError(f"Cannot find {path}. {hint}")
    if path.stat().st_size == 0:
        raise SourceFileError(f"{path.name} is empty (0 bytes). {DOWNLOAD_AGAIN}")


def read_lines(path: Path, *, start: int = 0, line_no: int = 0):
    """(line number, text) for each line of a UTF-8 text file, refusing NUL bytes, bytes that are
    not UTF-8, absurdly long lines and a last line with no line ending (a file cut short).

    `start` is a byte offset to begin at, the start of the line after line `line_no`."""
    check_file(path)
    with path.open("rb") as f:
        f.seek(start)
        while raw := f.readline(MAX_LINE_BYTES):
            line_no += 1
            where = f"{path.name}, line {line_no}"
            if b"\0" in raw:
                raise SourceFileError(
                    f"{where} contains NUL bytes, so this is not a text file (it may have been "
                    f"damaged in copying). {DOWNLOAD_AGAIN}"
                )
            try:
                text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise SourceFileError(
                    f"{where}, character {exc.start + 1}: the byte 0x{raw[exc.start]:02X} is not "
                    "UTF-8 (the file may have been saved as Latin-1 or Windows-1252). Save it "
                    "as UTF-8, or download it again."
                ) from None
            if not raw.endswith(b"\n"):
                if len(raw) >= MAX_LINE_BYTES:
                    raise SourceFileError(
                        f"{where} is longer than {MAX_LINE_BYTES:,} bytes: this is not a CSV "
                        f"file of the expected kind. {DOWNLOAD_AGAIN}"
                    )
                raise SourceFileError(
                    f"{where}, the last line, has no line ending: the file looks cut short. "
                    f"{DOWNLOAD_AGAIN}"
                )
            yield line_no, text


def line_blocks(path: Path):
    """The lines of a text file as read_lines gives them, a block of up to MAX_LINE_BYTES at a
    time: (number of the block's first line, its lines, each with its line ending, and whether
    the block is plain: no quote and no carriage return, so that splitting a line on commas
    gives what the csv module would).

    A national file has millions of lines, so each block is checked at once (no NUL byte,
    valid UTF-8, every line shorter than MAX_LINE_BYTES because the block is), and only
    a block that fails is read again line by line, by read_lines, whose message names the
    line and what is wrong. The file is never held whole in memory."""
    check_file(path)
    with path.open("rb") as f:
        offset, line_no, pending = 0, 0, b""  # `pending`: the start of a line not yet ended
        while True:
            block = f.read(MAX_LINE_BYTES - len(pending))
            data = pending + block
            cut = data.rfind(b"\n") + 1
            if not block or (not cut and len(data) >= MAX_LINE_BYTES):
                if data:  # a last line with no line ending, or one far too long
                    yield from _slow_blocks(path, offset, line_no)
                return
            if not cut:
                pending = data
                continue
            body, pending = data[:cut], data[cut:]
            try:
                if b"\0" in body:
                    raise ValueError
                text = body.decode("utf-8-sig" if line_no == 0 else "utf-8")
            except ValueError:
                yield from _slow_blocks(path, offset, line_no)
                return
            plain = '"' not in text and "\r" not in text
            lines = text.split("\n")
            lines.pop()  # the block ends with a line ending: nothing follows it
            lines = [line + "\n" for line in lines]
            yield line_no + 1, lines, plain
            offset += len(body)
            line_no += len(lines)


def _slow_blocks(path, offset, line_no):
    for n, text in read_lines(path, start=offset, line_no=line_no):
        yield n, [text], '"' not in text and "\r" not in text


def csv_rows(path: Path):
    """(line number, list of values) for each non-blank CSV line, with read_lines's checks.

    Blocks of lines with no quote and no carriage return are split on commas: the csv module
    would make the same of them, several times slower. From the first block with either, the
    rest of the file goes through the csv module."""
    blocks = line_blocks(path)
    for first, lines, plain in blocks:
        if not plain:
            yield from csv_module_rows(path, first, itertools.chain(lines, lines_of(blocks)))
            return
        for line_no, line in enumerate(lines, first):
            if not is_blank(line):
                yield line_no, line[:-1].split(",")


def is_blank(line: str) -> bool:
    """A CSV line of nothing but commas and white space, which csv_rows skips."""
    return not line[:1].isalnum() and not line.replace(",", "").strip()


def lines_of(blocks):
    for _, lines, _plain in blocks:
        yield from lines


def csv_module_rows(path: Path, first: int, lines):
    """csv_rows for `lines`, the first of them line `first`, through the csv module."""
    reader = csv.reader(lines)
    try:
        for row in reader:
            if any(value.strip() for value in row):
                yield first + reader.line_num - 1, row
    except csv.Error as exc:
        raise SourceFileError(
            f"{path.name}, line {first + reader.line_num - 1}: not readable as CSV ({exc}). "
            f"{DOWNLOAD_AGAIN}"
        ) from None


def csv_header(path: Path, rows, required: list[str]) -> tuple[int, list[str]]:
    """The header row from csv_rows(path) and its line number, refused unless it holds
    `required`."""
    try:
        line_no, header = next(rows)
    except StopIteration:
        raise SourceFileError(f"{path.name} has no header row: it is blank.") from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceFileError(
            f"{path.name}, line 1: the column(s) {', '.join(missing)} are missing; the header "
            f"is {quote(','.join(header))}. Check this is the right file."
        )
    return line_no, header


def wrong_width(path: Path, line_no: int, row: list, width: int) -> SourceFileError:
    return SourceFileError(
        f"{path.name}, line {line_no}: {len(row)} values where the header has {width} "
        f"columns, so the line is damaged or cut short. {DOWNLOAD_AGAIN}"
    )


def csv_records(path: Path, required: list[str]):
    """(line number, dict) for each row of a CSV with a header row holding `required`."""
    rows = csv_rows(path)
    _, header = csv_header(path, rows, required)
    for line_no, row in rows:
        if len(row) != len(header):
            raise wrong_width(path, line_no, row, len(header))
        yield line_no, dict(zip(header, row, strict=True))


def read_csv(path: Path, required: list[str]) -> list[dict]:
    """All rows of a CSV with a header as dicts (each with its line number under "_line")."""
    records = [{**row, "_line": n} for n, row in csv_records(path, required)]
    if not records:
        raise SourceFileError(f"{path.name} has a header but no rows. {DOWNLOAD_AGAIN}")
    return records


def read_json(path: Path, *, kind="JSON"):
    """A JSON document, refusing an empty, cut-short, mis-encoded or binary file clearly."""
    check_file(path)
    raw = path.read_bytes()
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise SourceFileError(
            f"{path.name}, line {line} contains NUL bytes, so this is not a {kind} file (it may "
            f"have been damaged in copying). {DOWNLOAD_AGAIN}"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceFileError(
            f"{path.name}, line {line}: the byte 0x{raw[exc.start]:02X} is not UTF-8 (the file "
            "may have been saved as Latin-1 or Windows-1252). Save it as UTF-8, or download it "
            "again."
        ) from None
    stripped = text.strip()
    if not stripped:
        raise SourceFileError(f"{path.name} is blank. {DOWNLOAD_AGAIN}")
    if stripped[-1] not in "}]":
        line = stripped.count("\n") + 1
        raise SourceFileError(
            f"{path.name}, line {line}: the {kind} stops before it is complete, so the file "
            f"looks cut short. {DOWNLOAD_AGAIN}"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFileError(
            f"{path.name}, line {exc.lineno}, column {exc.colno}: not valid {kind} ({exc.msg}). "
            f"{DOWNLOAD_AGAIN}"
        ) from None


def whole_number(value: str, *, column: str, where: str, low: int, high: int, blank=None,
                 unit="") -> int:  # fmt: skip
    """A whole number from a file, between low and high; `blank` (if not None) for an empty one.
    A `unit` of "easting" or "northing" words the range as Great Britain's."""
    value = (value or "").strip()
    if not value and blank is not None:
        return blank
    try:
        number = int(value)
    except ValueError:
        raise SourceFileError(
            f"{where}: {column} {quote(value)} is not a whole number. {DOWNLOAD_AGAIN}"
        ) from None
    if not low <= number <= high:
        allowed = (
            f"outside Great Britain ({unit}s run from {low:,} to {high:,} metres)"
            if unit
            else f"out of range ({low:,} to {high:,})"
        )
        raise SourceFileError(
            f"{where}: {column} {quote(value)} is {allowed}. Correct the file, or download it "
            "again."
        )
    return number


def parse_yyyymmdd(value: str, *, where: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise SourceFileError(
            f"{where}: {quote(value)} is not a date in the form YYYYMMDD. {DOWNLOAD_AGAIN}"
        ) from None


MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def release_in_name(path: Path) -> datetime.date | None:
    """The month a file's name gives, as its first day; None if none. NHS files write it
    '..._2025-09_...'; ONSPD's are named for their release month: ONSPD_FEB_2024_UK.csv."""
    if match := re.search(r"(20\d\d)-(0[1-9]|1[0-2])(?!\d)", path.name):
        return datetime.date(int(match[1]), int(match[2]), 1)
    if match := re.search(r"(?<![A-Z])(" + "|".join(MONTHS) + r")_?(20\d\d)", path.name.upper()):
        return datetime.date(int(match[2]), MONTHS.index(match[1]) + 1, 1)
    return None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Summary:
    """Counts of what an import did, per kind of record, printed at the end. A preview's
    counts say what the import would do ("12 would change")."""

    # How a preview words the counts of what it would do.
    WOULD = {"added": "would be added", "changed": "would change", "removed": "would be removed"}

    def __init__(self, *, preview=False):
        self.counts: dict[str, Counter] = {}
        self.notes: list[str] = []
        self.left_out = 0
        self.preview = preview

    def count(self, kind: str, outcome: str, n: int = 1):
        if n:
            self.counts.setdefault(kind, Counter())[outcome] += n

    def note(self, text: str):
        self.notes.append(text)

    def would(self, done: str, would: str) -> str:
        """The words for what was done, or in a preview what would be: a note such as
        "12 postcode answer(s) worked out again" must not say a preview did it."""
        return would if self.preview else done

    @property
    def changed_anything(self) -> bool:
        return any(c[o] for c in self.counts.values() for o in ("added", "changed", "removed"))

    def total(self, outcome: str, kind: str | None = None) -> int:
        if kind is not None:
            return self.counts.get(kind, Counter())[outcome]
        return sum(c[outcome] for c in self.counts.values())

    def lines(self) -> list[str]:
        return counts_in_words(self.counts, words=self.WOULD if self.preview else None) + self.notes


@dataclass
class ImportResult:
    """How a run ended: its outcome ("succeeded", "unchanged", "refused" or "failed"), the
    message of a refusal or failure, the title and lines of its summary, and its record.

    A preview (Importer.preview) has the outcome, message and lines the run would have, with
    nothing changed and no record: "succeeded" there means it would change something."""

    outcome: str
    message: str
    title: str
    lines: list
    run: object = None
    preview: bool = False

    @property
    def refused(self) -> bool:
        return self.outcome in ("refused", "failed")

    @property
    def heading(self) -> str:
        if self.preview and self.outcome == "succeeded":
            return f"{self.title}: nothing has been changed; the import would do this:"
        return self.title if self.outcome == "succeeded" else f"{self.title}: nothing to change"


class Importer:
    """The core of one source's import, shared by its management command and anything else
    that imports (MapIt's core.py): read and check the files, then change the database.

    A subclass implements `run_import(summary, **options)`, which reads its files (through
    `use_file`), changes the database and returns a title for the summary. `run(**options)`
    makes it one transaction, turns every refusal or failure into a plain-English message
    (nothing is changed then), records the run, and returns an ImportResult.

    `preview(**options)` (or `run(dry_run=True, ...)`) does the same reading, checking and
    saving inside the transaction, postcode answers included, then rolls it all back: its
    ImportResult says what the import would change, or the refusal it would meet. A preview
    is not recorded (ImportRun keeps what changed the data) and changes nothing; while it
    runs, `self.dry_run` is True.
    """

    # The name the run records (ImportRun.source), which "About the data" reads.
    source_name = ""

    # The kind of record (as counted in the Summary) whose counts the run record keeps;
    # None sums every kind.
    primary_kind: str | None = None
    uses_data_dir = True
    # Whether the summary says, neighbourhood by neighbourhood, which postcodes the import
    # adds, moves or terminates (importers.postcode_changes): those of postcodes and
    # boundaries.
    reports_postcodes_by_neighbourhood = False

    def __init__(self, *, progress_to=None, verbosity: int = 1):
        self.progress_to = progress_to  # where progress bars go (a command's stderr)
        self.verbosity = verbosity
        self.dry_run = False

    def warn(self, message: str):
        """A line for whoever runs the import that is not part of its summary."""
        if self.progress_to is not None:
            self.progress_to.write(f"{message}\n")

    def progress(self, iterable, **kwargs):
        """A tqdm progress bar on progress_to. A stream that words progress for people (a
        release's page, releases.Progress) gives its own `bar_format` for bars whose total
        is known."""
        disable = self.verbosity < 1 or self.progress_to is None
        total = kwargs.get("total", len(iterable) if hasattr(iterable, "__len__") else None)
        if total and getattr(self.progress_to, "bar_format", None):
            kwargs["bar_format"] = self.progress_to.bar_format
        return tqdm(iterable, disable=disable, file=self.progress_to, **kwargs)

    def stage(self, words: str):
        """Say what the import is doing now, where a bar would say nothing for a while (while
        the database saves a national file's rows, for one)."""
        if self.verbosity >= 1:
            self.warn(words)

    def use_file(self, path: Path, *, release_date: datetime.date | None = None) -> Path:
        """Note a file the import reads (name, size, SHA-256) for the run record.

        The SHA-256 is worked out on a second thread while the import reads the file
        (hashlib lets other threads run while it hashes), and waited for when the run is
        recorded: a national file's takes seconds, no longer added to the import's."""
        path = Path(path)
        entry = {"name": path.name}
        if path.is_file():
            entry["bytes"] = path.stat().st_size
            if not self.dry_run:  # a preview keeps no record to put it in
                self.hashes.append((entry, self.hasher.submit(sha256, path)))
        if release_date:
            entry["release_date"] = release_date.isoformat()
        self.files = [f for f in self.files if f["name"] != path.name] + [entry]
        return path

    def set_release_date(self, path: Path, release_date: datetime.date | None, *, main=True):
        for entry in self.files:
            if entry["name"] == Path(path).name and release_date:
                entry["release_date"] = release_date.isoformat()
        if main and release_date:
            self.release_date = release_date

    def note_file(self, path: Path, **details):
        """Add details to a file's entry in the run record, such as the format it was read in."""
        for entry in self.files:
            if entry["name"] == Path(path).name:
                entry.update(details)

    def guard_shrink(self, summary: Summary, *, file: str, verb: str, lost: int, total: int,
                     what: str):  # fmt: skip
        """Refuse when `lost` of `total` records would be terminated, removed or blanked and
        that is more than PORTAL_IMPORT_MAX_SHRINK of them, unless --allow-shrink."""
        limit = settings.PORTAL_IMPORT_MAX_SHRINK
        if not total or lost <= limit * total:
            return
        counted = f"{lost:,} of {total:,} {what} ({lost / total:.1%})"
        if self.allow_shrink:
            summary.note(f"{file}: {verb}d {counted}, allowed by --allow-shrink.")
            return
        raise ShrinkRefused(
            f"{file} would {verb} {counted}; an import may {verb} at most {limit:.0%} unasked. "
            "An empty, cut-short or partial file does this. Check the file and download it again "
            "if it is incomplete; run again with --allow-shrink if this is intended.",
            refused=lost,
        )

    # Whether the import places postcodes, so that --allow-moves applies (staging._misplaced).
    places_postcodes = False
    # At most this many misplaced postcodes are named in a refusal or a note; the rest are
    # counted.
    MAX_MISPLACED_NAMED = 10

    def guard_moves(self, summary: Summary, misplaced: list):
        """Refuse postcodes whose points move far or lie outside their own local authority
        (staging._misplaced), unless --allow-moves: then the summary and the run's record
        name them."""
        named = "; ".join(str(m) for m in misplaced[: self.MAX_MISPLACED_NAMED])
        more = len(misplaced) - self.MAX_MISPLACED_NAMED
        if more > 0:
            named += f"; and {more:,} more"
        if self.allow_moves:
            summary.count("Postcodes", "moved far, allowed by --allow-moves", len(misplaced))
            note = f"Allowed by --allow-moves: {named}."
            summary.note(note)
            self.allowed.append(note)
            return
        limit = settings.PORTAL_IMPORT_MAX_MOVE_METRES
        tolerance = settings.PORTAL_IMPORT_BOUNDARY_TOLERANCE_METRES
        raise SourceFileError(
            f"{len(misplaced):,} postcode(s) would be put where they cannot be: {named}. A "
            f"postcode may move at most {limit:,} m in a release, and must lie within "
            f"{tolerance:,} m of its own local authority's boundary where the portal holds it. "
            "A damaged or edited file does this: check it, or download it again. If the moves "
            "are intended, run the import command again with --allow-moves (a release "
            "applied in the admin cannot allow them); the run records each one.",
            refused=len(misplaced),
        )

    def preview(self, **options) -> ImportResult:
        """What run(**options) would change, with nothing changed and nothing recorded."""
        return self.run(**{**options, "dry_run": True})

    def run(self, **options) -> ImportResult:
        """Options: data_dir, allow_shrink, run_by, dry_run (see preview), and the
        subclass's own."""
        options.setdefault("data_dir", None)
        options.setdefault("run_by", None)
        options.setdefault("verbosity", self.verbosity)
        self.dry_run = bool(options.pop("dry_run", False))
        self.allow_shrink = options.setdefault("allow_shrink", False)
        self.allow_moves = options.setdefault("allow_moves", False)
        self.allowed: list[str] = []  # what --allow-moves let through, for the record
        self.files: list[dict] = []
        # Starts its one thread at the first file (use_file), and ends it in record().
        self.hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
        self.hashes = []
        self.release_date = None
        started_at = timezone.now()
        summary = Summary(preview=self.dry_run)
        # The run's record exists from the start, outside the import's transaction, so that
        # every history row the import writes can name it (neighbourhoods.history). A
        # preview has none.
        run = None if self.dry_run else self.start_record(options, started_at)
        try:
            with transaction.atomic():
                by_neighbourhood = None
                if self.reports_postcodes_by_neighbourhood:
                    by_neighbourhood = PostcodeChanges()
                    by_neighbourhood.note_before()
                # Answers touched by the rows saved are worked out once, at the end of this
                # block, inside the transaction, so a preview counts them too.
                with trail.recording(import_run=run), answers_deferred() as answers:
                    title = self.run_import(summary, **options)
                    self.stage("Working out the postcode answers the changes touch")
                self.answers_changed(summary, answers.changed)
                if by_neighbourhood is not None:
                    for line in by_neighbourhood.lines(preview=self.dry_run):
                        summary.note(line)
                if self.dry_run:
                    transaction.set_rollback(True)
        except SourceFileError as exc:
            outcome, refused = "refused", exc.refused
            message = f"{clean_message(exc)} Nothing was changed."
        except CommandError as exc:
            outcome, refused = "refused", 1
            message = f"{clean_message(exc)} Nothing was changed."
        except Exception as exc:  # the command boundary: never a traceback
            outcome, refused = "failed", 0
            names = ", ".join(f["name"] for f in self.files) or "the import"
            message = clean_message(
                f"{names}: the import stopped on an unexpected error ({type(exc).__name__}: "
                f"{quote(exc)}). Nothing was changed. Check that the file is the right one and "
                "complete; if it is, report this message."
            )
        else:
            outcome = "succeeded" if summary.changed_anything else "unchanged"
            message, refused = clean_message(" ".join(self.allowed)), summary.left_out
        if self.dry_run:
            self.hasher.shutdown()
            title = f"Preview of {self.source_name}"
            if outcome in ("refused", "failed"):
                return ImportResult(outcome, message, title, [], None, preview=True)
            return ImportResult(outcome, "", title, summary.lines(), None, preview=True)
        self.record(summary, options, started_at, outcome, message, refused, run=run)
        if outcome in ("refused", "failed"):
            return ImportResult(outcome, message, "", [], run)
        # The release now in use is in the downloads, even when no row changed: drop them.
        caches_clear(*release_keys(self.source_name))
        return ImportResult(outcome, "", title, summary.lines(), run)

    def run_import(self, summary: Summary, **options) -> str:
        raise NotImplementedError

    def answers_changed(self, summary: Summary, changed: int | None):
        """Called inside the transaction with how many postcode answers the import's changes
        changed once worked out at its end (None if an outer answers_deferred works them
        out)."""
        if changed:
            summary.count("Postcode answers", "changed", changed)
        elif changed == 0 and self.dry_run:
            summary.note("Postcode answers: none would change.")

    def start_record(self, options, started_at):
        from neighbourhoods.models import ImportRun

        try:
            return ImportRun.objects.create(
                source=self.source_name,
                outcome=ImportRun.Outcome.RUNNING,
                run_by=(options.get("run_by") or _os_user())[:150],
                started_at=started_at,
                finished_at=started_at,
            )
        except DatabaseError as exc:
            self.warn(f"This run could not be recorded: {quote(exc)}")
            return None

    def record(self, summary, options, started_at, outcome, message, refused, run=None):
        from neighbourhoods.models import ImportRun

        for entry, digest in self.hashes:
            # A file that went while it was read has no SHA-256 in the record.
            with contextlib.suppress(OSError):
                entry["sha256"] = digest.result()
        self.hasher.shutdown()
        kind = self.primary_kind
        done = outcome in ("succeeded", "unchanged")
        values = {
            "source": self.source_name,
            "files": self.files,
            "release_date": self.release_date,
            "added": summary.total("added", kind) if done else 0,
            "changed": summary.total("changed", kind) if done else 0,
            "removed": summary.total("removed", kind) if done else 0,
            "refused": refused,
            "counts": {k: dict(c) for k, c in summary.counts.items()} if done else {},
            "outcome": outcome,
            "message": message,
            "run_by": (options.get("run_by") or _os_user())[:150],
            "started_at": started_at,
            "finished_at": timezone.now(),
        }
        try:
            if run is not None and ImportRun.objects.filter(pk=run.pk).update(**values):
                return
            ImportRun.objects.create(**values)
        except DatabaseError as exc:
            self.warn(f"This run could not be recorded: {quote(exc)}")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        return "unknown"
