"""Releases of the open data, from the admin: upload, check and preview, apply, undo.

A Data manager uploads a new release of a source. `release_upload` refuses at once what cannot
be a release of that source, by what the source's file must be (FILE_KINDS: a CSV file, OS's
Code-Point Open zip, or a GeoJSON file; an empty or oversized file for any), keeps the file
in a folder named by its SHA-256 under PORTAL_RELEASES_DIR (under its own name, whose month
is the release date), and queues the check. `release_check` runs the source's import core
(neighbourhoods.importers) as a preview: every guard the command line has, and what applying
it would change, in words, with nothing changed. `release_apply` runs the same core for real,
with the reason given, recorded as an import run. An applied release is undone by applying
the release before it again (`release_undo`), through the same check and preview.

Code-Point Open comes as a zip (importers.archives). Its directory is checked at upload, in
the web request: that reads a few kilobytes at the end of the file whatever its size, so a
zip that is damaged, not Code-Point Open, encrypted, a zip bomb or with a member that would
be written outside its folder is refused by the field and nothing is kept. It is unzipped in
the background, by the check (and again by the apply, should the folder be gone): all of
Great Britain is about 200 MB unzipped, seconds of work that a web request should not wait
for, and only unzipping finds a member whose data is damaged. It is unzipped into a folder
beside the zip, named as the zip is without ".zip", which the import reads as the command
line's --codepoint-dir; a refusal there keeps nothing unzipped.

Checking and applying run in the scheduler's cluster (django-q2), never inside a web request;
the page shows their progress from `DataRelease.progress`, written on a connection of its
own so that it can be read while the import's transaction is still open.
"""

import hashlib
import queue
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ..models import DataRelease
from .archives import ZipRefused, check_codepoint_zip, unzip_codepoint
from .base import ImportResult, quote
from .boundaries import BoundariesImport
from .codepoint import CodepointImport
from .onspd import OnspdImport
from .practices import PracticesImport
from .profiles import ProfilesImport

CHECK_TASK = "neighbourhoods.tasks.check_release"
APPLY_TASK = "neighbourhoods.tasks.apply_release"
HEAD_BYTES = 64 * 1024
CHUNK = 1024 * 1024

# Which import core reads each source, the option naming what it reads, and what kind of
# file (FILE_KINDS) the upload must be.
IMPORTS = {
    DataRelease.Source.ODS_EPCN: (PracticesImport, "epcn", "csv"),
    DataRelease.Source.ODS_EPRACCUR: (PracticesImport, "epraccur", "csv"),
    DataRelease.Source.GP_PATIENTS: (PracticesImport, "patients", "csv"),
    DataRelease.Source.ONSPD: (OnspdImport, "file", "csv"),
    DataRelease.Source.CODEPOINT_OPEN: (CodepointImport, "codepoint_dir", "zip"),
    DataRelease.Source.ONS_LSOA_BOUNDARIES: (BoundariesImport, "lsoas", "geojson"),
    # The profiles' statistics: one file each, the rest from the data folder.
    DataRelease.Source.CENSUS_RESIDENTS: (ProfilesImport, "residents", "csv"),
    DataRelease.Source.CENSUS_AGES: (ProfilesImport, "ages", "csv"),
    DataRelease.Source.CENSUS_ETHNICITY: (ProfilesImport, "ethnicity", "csv"),
    DataRelease.Source.IMD_2025: (ProfilesImport, "imd2025", "csv"),
    DataRelease.Source.IMD_2019: (ProfilesImport, "imd2019", "csv"),
    DataRelease.Source.LSOA_LOOKUP: (ProfilesImport, "lookup", "csv"),
    DataRelease.Source.PRACTICE_IMD: (ProfilesImport, "practice_imd", "csv"),
    DataRelease.Source.PCN_IMD: (ProfilesImport, "pcn_imd", "csv"),
    DataRelease.Source.CENSUS_PROFICIENCY: (ProfilesImport, "proficiency", "csv"),
    DataRelease.Source.CENSUS_LANGUAGES: (ProfilesImport, "languages", "csv"),
}


class ReleaseRefused(ValueError):
    """An upload that is not a release the portal can read; nothing was kept."""


def upload_refusal(name: str, size: int, head: bytes, *, kind: str) -> str | None:
    """Why an uploaded file cannot be a release whose file is of `kind` ("csv", "zip" or
    "geojson"), in plain words, from its name, size and first bytes; None if it may be one."""
    limit = settings.PORTAL_RELEASE_MAX_BYTES
    if size == 0:
        return f"{name} is empty."
    if size > limit:
        return f"{name} is {size:,} bytes; a release may be at most {limit:,} bytes."
    return FILE_KINDS[kind](name, head)


def csv_refusal(name: str, head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return (
            f"{name} is a zip archive or an Excel workbook, not a CSV file. Unzip it, or open "
            "it and save it as 'CSV UTF-8', then upload the CSV."
        )
    if Path(name).suffix.lower() != ".csv":
        return f"{name} is not a CSV file (its name does not end in .csv)."
    text, refusal = _text(name, head, kind="CSV file")
    if refusal:
        return refusal
    if "," not in text.split("\n", 1)[0]:
        return f"{name} does not look like a CSV file: its first line has no commas."
    return None


def zip_refusal(name: str, head: bytes) -> str | None:
    """What the first bytes tell of a zip; its directory is checked once the file is kept
    (importers.archives.check_codepoint_zip)."""
    if Path(name).suffix.lower() != ".zip":
        return (
            f"{name} is not a zip file (its name does not end in .zip). Code-Point Open comes "
            "from Ordnance Survey as codepo_gb.zip: upload that file as it is, not unzipped."
        )
    if not head.startswith(b"PK\x03\x04"):
        return (
            f"{name} is not a zip file: it does not begin as a zip does. Download "
            "codepo_gb.zip again from Ordnance Survey and upload it as it is."
        )
    return None


def geojson_refusal(name: str, head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return (
            f"{name} is a zip archive, not a GeoJSON file. Unzip it and upload the .geojson "
            "file inside."
        )
    if Path(name).suffix.lower() not in (".geojson", ".json"):
        return f"{name} is not a GeoJSON file (its name does not end in .geojson or .json)."
    text, refusal = _text(name, head, kind="GeoJSON file")
    if refusal:
        return refusal
    start = text.lstrip()[:1]
    if start != "{":
        return (
            f"{name} is not a GeoJSON file: GeoJSON is JSON beginning with '{{', and this "
            f"begins {quote(text, limit=20)}. Check this is the right file."
            if start
            else f"{name} is blank: it holds only spaces or empty lines."
        )
    return None


# What each kind of file must be, as its first bytes show (IMPORTS names each source's kind).
FILE_KINDS = {"csv": csv_refusal, "zip": zip_refusal, "geojson": geojson_refusal}


def _text(name: str, head: bytes, *, kind: str) -> tuple[str, str | None]:
    """The first bytes of a text file as text, or why they are not UTF-8 text."""
    if b"\x00" in head:
        return "", f"{name} is not a text file: a {kind} holds lines of text."
    try:
        return head.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not a character cut in two at the end of the sample
            return "", (
                f"{name} is not saved as UTF-8 (it looks like a spreadsheet saved as 'CSV' in "
                "Windows' own encoding): open it and save it as 'CSV UTF-8', then upload it "
                "again."
                if kind == "CSV file"
                else f"{name} is not saved as UTF-8. Save it as UTF-8, or download it again."
            )
        return head[: exc.start].decode("utf-8-sig"), None


@transaction.atomic
def release_upload(*, source: str, uploaded, user) -> DataRelease:
    """Keep an uploaded file (a Django UploadedFile) as a release of `source`, and queue its
    check. Raises ReleaseRefused, keeping nothing, for a file that cannot be a release."""
    if source not in IMPORTS:
        raise ReleaseRefused("Choose which source this file is a release of.")
    kind = IMPORTS[source][2]
    name = Path(uploaded.name).name[:255]
    head = next(uploaded.chunks(HEAD_BYTES), b"")
    refusal = upload_refusal(name, uploaded.size, head, kind=kind)
    if refusal:
        raise ReleaseRefused(refusal)
    folder = Path(settings.PORTAL_RELEASES_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    partial = folder / f".upload-{timezone.now():%Y%m%d%H%M%S%f}"
    with partial.open("wb") as out:
        for chunk in uploaded.chunks(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if kind == "zip":
        try:
            check_codepoint_zip(partial, name=name)
        except ZipRefused as refused:
            partial.unlink()
            raise ReleaseRefused(str(refused)) from None
    release = DataRelease(
        source=source,
        original_name=name,
        sha256=digest.hexdigest(),
        size=uploaded.size,
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    release.stored_path.parent.mkdir(exist_ok=True)
    partial.replace(release.stored_path)  # the same file twice is the same path
    release.save()
    _queue(CHECK_TASK, release)
    return release


def release_undo(*, release: DataRelease, user) -> DataRelease:
    """A new release of the same source holding the file applied before `release`, queued to
    be checked and previewed like any upload. Raises ReleaseRefused if there is none."""
    before = None
    if release.status == DataRelease.Status.APPLIED and release.applied_at is not None:
        before = (
            DataRelease.objects.filter(
                source=release.source,
                status=DataRelease.Status.APPLIED,
                applied_at__lt=release.applied_at,
            )
            .order_by("-applied_at")
            .first()
        )
    if before is None:
        raise ReleaseRefused(
            "There is no earlier applied release of this source to put back. Upload the "
            "release you want instead."
        )
    with transaction.atomic():
        again = DataRelease.objects.create(
            source=before.source,
            original_name=before.original_name,
            sha256=before.sha256,
            size=before.size,
            uploaded_by=user,
            uploaded_at=timezone.now(),
            undoes=release,
        )
        _queue(CHECK_TASK, again)
    return again


def release_queue_apply(*, release: DataRelease, user, reason: str) -> DataRelease:
    """Mark a checked release as being applied, with who asked and why, and queue it."""
    reason = " ".join(reason.split())
    if not reason:
        raise ReleaseRefused("Say why this release is being applied: the record keeps it.")
    with transaction.atomic():
        updated = DataRelease.objects.filter(
            pk=release.pk, status=DataRelease.Status.PREVIEWED
        ).update(
            status=DataRelease.Status.APPLYING,
            applied_by=user,
            reason=reason,
            progress="Waiting to start",
        )
        if not updated:
            raise ReleaseRefused("Only a release that has been checked can be applied, once.")
        release.refresh_from_db()
        _queue(APPLY_TASK, release)
    return release


def release_check(release_id: int) -> DataRelease:
    """Check a release and preview what applying it would change; nothing changes."""
    release = DataRelease.objects.get(pk=release_id)
    result = _run(release, preview=True)
    release.status = DataRelease.Status.REFUSED if result.refused else DataRelease.Status.PREVIEWED
    release.message = result.message
    release.preview = [] if result.refused else [result.heading, *result.lines]
    release.progress = ""
    release.save(update_fields=["status", "message", "preview", "progress"])
    return release


def release_apply(release_id: int) -> DataRelease:
    """Apply a release queued by release_queue_apply: its import, for real, recorded."""
    release = DataRelease.objects.get(pk=release_id)
    if release.status != DataRelease.Status.APPLYING:
        return release
    run_by = f"{release.applied_by} (admin: {release.reason})" if release.applied_by else "admin"
    result = _run(release, preview=False, run_by=run_by[:150])
    release.status = DataRelease.Status.FAILED if result.refused else DataRelease.Status.APPLIED
    release.message = result.message
    release.import_run = result.run
    release.applied_at = timezone.now()
    release.progress = ""
    if not result.refused:
        release.preview = [result.heading, *result.lines]
    release.save(
        update_fields=["status", "message", "import_run", "applied_at", "progress", "preview"]
    )
    return release


def _queue(task: str, release: DataRelease):
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(task, release.pk, task_name=f"{task}:{release.pk}"))


def _run(release: DataRelease, *, preview: bool, run_by: str = "") -> ImportResult:
    importer_class, option, kind = IMPORTS[release.source]
    with Progress(release.pk) as progress:
        if not release.stored_path.is_file():
            return _refused(
                f"{release.original_name} is no longer kept on the server: upload it again.",
                preview=preview,
            )
        path = release.stored_path
        if kind == "zip":
            progress.write(f"Unzipping {release.original_name}")
            try:
                path = unzip_codepoint(path, unzipped_folder(release), name=release.original_name)
            except ZipRefused as refused:
                return _refused(str(refused), preview=preview)
            except OSError as exc:  # the server's disk, not the file: never a traceback
                message = (
                    f"{release.original_name} could not be unzipped on the server "
                    f"({type(exc).__name__}: {quote(exc)}). Nothing was changed. Report this "
                    "message."
                )
                return ImportResult("failed", message, "", [], preview=preview)
        importer = importer_class(progress_to=progress, verbosity=1)
        options = {option: str(path), "run_by": run_by or None}
        if preview:
            return importer.preview(**options)
        return importer.run(**options)


def unzipped_folder(release: DataRelease) -> Path:
    """Where a zip release is unzipped: beside it, named as it is without ".zip" (the upload
    refuses a zip whose name does not end so)."""
    return release.stored_path.with_name(Path(release.original_name).stem)


def _refused(message: str, *, preview: bool) -> ImportResult:
    """A release refused before its import could read it, worded as the import's refusals."""
    return ImportResult("refused", f"{message} Nothing was changed.", "", [], preview=preview)


class Progress:
    """A stream for the importer's progress bars that keeps the latest line in the release's
    `progress`, at most once a second, through a thread of its own: its own database
    connection, outside the import's transaction, so the admin page sees it at once."""

    EVERY_S = 1.0
    # How Importer.progress words a bar with a known total here: "Postcodes: 40% read after
    # 00:12, about 00:18 to go (minutes:seconds)" (tqdm's fields; see Importer.progress).
    bar_format = (
        "{desc}: {percentage:.0f}% read after {elapsed}, about {remaining} to go (minutes:seconds)"
    )

    def __init__(self, release_id: int):
        self.release_id = release_id
        self.lines: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._save, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.lines.put(None)
        self.thread.join(timeout=10)

    def write(self, text: str):
        line = text.replace("\r", "\n").strip().split("\n")[-1].strip()
        if line:
            self.lines.put(line[:200])

    def flush(self):
        pass

    def _save(self):
        latest, saved, saved_at, done = None, None, 0.0, False
        try:
            while not done:
                try:
                    line = self.lines.get(timeout=self.EVERY_S)
                except queue.Empty:
                    line = latest
                if line is None:
                    done = True
                else:
                    latest = line
                due = done or time.monotonic() - saved_at >= self.EVERY_S
                if latest and latest != saved and due:
                    self._store(latest)
                    saved, saved_at = latest, time.monotonic()
        finally:
            connection.close()

    def _store(self, line: str):
        """Progress is for reading along: it never waits long for a lock held elsewhere."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
                DataRelease.objects.filter(pk=self.release_id).update(progress=line)
        except DatabaseError:
            pass
