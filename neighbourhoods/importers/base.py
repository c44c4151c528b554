"""What every import command shares: reading source files with clear errors, and a summary."""

import csv
import datetime
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm


class SourceFileError(CommandError):
    """A source file is missing or not in the shape we expect. Nothing has been changed."""


def data_dir(option_value=None) -> Path:
    return Path(option_value or settings.PORTAL_DATA_DIR)


def read_csv(path: Path, required: list[str], *, header=True, fieldnames=None) -> list[dict]:
    """All rows of a CSV as dicts, failing clearly if the file or a column is missing."""
    if not path.is_file():
        raise SourceFileError(f"Cannot find {path}. Check --data-dir or PORTAL_DATA_DIR.")
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f, fieldnames=None if header else fieldnames)
            rows = list(reader)
            columns = reader.fieldnames or []
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SourceFileError(f"{path.name} is not a readable CSV file: {exc}") from exc
    missing = [c for c in required if c not in columns]
    if missing:
        raise SourceFileError(
            f"{path.name} is missing the column(s) {', '.join(missing)}. "
            f"Its columns are: {', '.join(columns) or 'none'}."
        )
    return rows


def parse_yyyymmdd(value: str, *, where: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError as exc:
        raise SourceFileError(f"{where}: '{value}' is not a date in the form YYYYMMDD.") from exc


class Summary:
    """Counts of what an import did, per kind of record, printed at the end."""

    def __init__(self):
        self.counts: dict[str, Counter] = {}
        self.notes: list[str] = []

    def count(self, kind: str, outcome: str, n: int = 1):
        if n:
            self.counts.setdefault(kind, Counter())[outcome] += n

    def note(self, text: str):
        self.notes.append(text)

    @property
    def changed_anything(self) -> bool:
        return any(c[o] for c in self.counts.values() for o in ("added", "changed", "removed"))

    def lines(self) -> list[str]:
        out = []
        for kind, c in self.counts.items():
            order = ["added", "changed", "removed", "unchanged"]
            order += sorted(set(c) - set(order))
            parts = [f"{c[o]} {o}" for o in order if c[o]]
            out.append(f"{kind}: {', '.join(parts) or 'none'}")
        return out + self.notes


class ImportCommand(BaseCommand):
    """Base for one-source import commands: a --data-dir option, progress and a summary."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            help="Folder holding the open data (default: PORTAL_DATA_DIR, ../shared/data).",
        )

    def progress(self, iterable, **kwargs):
        verbosity = getattr(self, "verbosity", 1)
        return tqdm(iterable, disable=verbosity < 1, file=self.stderr._out, **kwargs)

    def report(self, summary: Summary, title: str):
        heading = title if summary.changed_anything else f"{title}: nothing to change"
        self.stdout.write(self.style.SUCCESS(heading))
        for line in summary.lines():
            self.stdout.write(f"  {line}")
