"""OS Code-Point Open's zip (codepo_gb.zip), opened with care: checked from its directory
before a byte is unzipped, then unzipped only into a folder of its own.

A zip is refused, in plain words, when it is damaged (not a zip, cut short, or a member whose
data does not match its checksum), when it is not Code-Point Open (no area files in
Data/CSV, or no Doc/Codelist.xlsx), when a member's name is absolute or climbs out of the
folder with `..`, when a member is encrypted or compressed in a way Python cannot read, and
when it is a zip bomb: more than PORTAL_RELEASE_MAX_UNZIPPED_BYTES unzipped in all, or a
large member more than MAX_RATIO times its compressed size (Code-Point's area files are
about 10 times; a bomb's members about 1,000 times).

Python's zipfile reads it. zipfile never gives more of a member than the size the zip's
directory declares (and then checks its CRC-32), so the sizes checked before unzipping bound
what is written; the bytes written are counted as well. No library is added for this: the
checks are a few lines each over zipfile's own directory, and the messages are worded for
staff.
"""

import lzma
import re
import shutil
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from .base import quote

# A member may unzip to at most this many times its compressed size, once it is larger than
# RATIO_FROM_BYTES (a small file of blanks may compress far better, and harms nothing).
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# Code-Point Open has about 130 members; a zip of millions is not one, and listing them
# would be work for nothing.
MAX_MEMBERS = 10_000
READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
CHUNK = 1024 * 1024
# What the import reads (importers.codepoint): the area files, the code list, the metadata.
AREA_FILE = re.compile(r"^Data/CSV/[^/]+\.csv$")
CODE_LIST = "Doc/Codelist.xlsx"
METADATA = "Doc/metadata.txt"
GET_IT_AGAIN = "Download codepo_gb.zip again from Ordnance Survey and upload it as it is."


class ZipRefused(ValueError):
    """A zip that cannot be a release of Code-Point Open, and why, in plain words."""


@dataclass(frozen=True)
class CodepointZip:
    """A checked zip: the folder within it that holds Data/ and Doc/ ("" or one folder's
    name and a slash) and the members the import reads."""

    folder: str
    members: list[zipfile.ZipInfo]


def safe_name(name: str) -> PurePosixPath | None:
    """A member's name as a relative path inside the folder it is unzipped into; None for
    one that would be written elsewhere: absolute, a drive, or climbing out with `..`."""
    path = name.replace("\\", "/")  # a zip made on Windows may use either
    if not path or path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return None
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return PurePosixPath(*parts)


def check_codepoint_zip(path: Path, *, name: str) -> CodepointZip:
    """Refuse (ZipRefused) a zip that is unsafe, damaged or not Code-Point Open, reading only
    its directory: cheap for a zip of any size, so the upload itself can do it."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        raise ZipRefused(
            f"{name} is not a readable zip file: it is damaged or cut short. {GET_IT_AGAIN}"
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise ZipRefused(
            f"{name} holds {len(infos):,} files; Code-Point Open holds about 130. Check this is "
            "the right file."
        )
    limit = settings.PORTAL_RELEASE_MAX_UNZIPPED_BYTES
    total = 0
    names = {}
    for info in infos:
        relative = safe_name(info.filename)
        if relative is None:
            raise ZipRefused(
                f"{name} holds a file named {quote(info.filename)}, which would be written "
                "outside the release's folder (its name is absolute or climbs out with '..'). "
                f"A zip from Ordnance Survey never does this. {GET_IT_AGAIN}"
            )
        if info.flag_bits & 0x1:
            raise ZipRefused(
                f"{name}: {quote(info.filename)} is encrypted (protected by a password). "
                f"Code-Point Open is not. {GET_IT_AGAIN}"
            )
        if info.compress_type not in READABLE_METHODS:
            raise ZipRefused(
                f"{name}: {quote(info.filename)} is compressed in a way that cannot be read "
                f"(method {info.compress_type}). {GET_IT_AGAIN}"
            )
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ZipRefused(
                f"{name}: {quote(info.filename)} would unzip to {info.file_size:,} bytes from "
                f"{info.compress_size:,}, more than {MAX_RATIO} times its size, as a zip bomb "
                f"does; Code-Point Open's files are about 10 times. {GET_IT_AGAIN}"
            )
        total += info.file_size
        if not info.is_dir():
            names[relative.as_posix()] = info
    if total > limit:
        raise ZipRefused(
            f"{name} would unzip to {total:,} bytes; a release may unzip to at most {limit:,} "
            "bytes (PORTAL_RELEASE_MAX_UNZIPPED_BYTES). Code-Point Open for all of Great "
            "Britain unzips to about 200 MB. Check this is the right file."
        )
    folder = codepoint_folder(names)
    if folder is None:
        raise ZipRefused(
            f"{name} is not OS Code-Point Open: it has no area files in Data/CSV or no "
            f"{CODE_LIST}. Upload codepo_gb.zip as Ordnance Survey gives it."
        )
    wanted = [
        info
        for relative, info in names.items()
        if relative.startswith(folder)
        and (
            AREA_FILE.match(relative[len(folder) :])
            or relative[len(folder) :] in (CODE_LIST, METADATA)
        )
    ]
    return CodepointZip(folder=folder, members=wanted)


def codepoint_folder(names) -> str | None:
    """Where in the zip Data/CSV and Doc/Codelist.xlsx are: "" at its top, as OS gives it,
    or "name/" inside one folder, as a zip of the unzipped folder has; None if nowhere."""
    candidates = [""] + sorted({n.split("/", 1)[0] + "/" for n in names if "/" in n})
    for folder in candidates:
        has_areas = any(n.startswith(folder) and AREA_FILE.match(n[len(folder) :]) for n in names)
        if has_areas and folder + CODE_LIST in names:
            return folder
    return None


def unzip_codepoint(path: Path, into: Path, *, name: str) -> Path:
    """Unzip a Code-Point Open zip's area files, code list and metadata into the folder
    `into` (made here, beside the zip), and return the folder the import reads. The zip is
    checked again first, as the upload did. A folder already there is one this function
    finished before, for the same file (it is named by the zip's SHA-256): it is used as it
    is. On a refusal nothing unzipped is kept."""
    checked = check_codepoint_zip(path, name=name)
    if into.is_dir():
        return into / checked.folder
    partial = into.with_name(f".unzipping-{uuid.uuid4().hex}")
    partial.mkdir(parents=True)
    try:
        _unzip(path, checked, partial, name=name)
        try:
            partial.rename(into)  # whole, or not there at all
        except OSError:
            if not into.is_dir():
                raise
            shutil.rmtree(partial)  # another check of the same file finished first
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return into / checked.folder


def _unzip(path: Path, checked: CodepointZip, partial: Path, *, name: str):
    limit = settings.PORTAL_RELEASE_MAX_UNZIPPED_BYTES
    written = 0
    with zipfile.ZipFile(path) as archive:
        for info in checked.members:
            target = partial / safe_name(info.filename)
            if not target.resolve().is_relative_to(partial.resolve()):
                raise ZipRefused(
                    f"{name} holds a file named {quote(info.filename)}, which would be written "
                    f"outside the release's folder. {GET_IT_AGAIN}"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            member_bytes = 0
            with _open(archive, info, name=name) as source, target.open("wb") as out:
                while chunk := _read(source, name=name, member=info.filename):
                    member_bytes += len(chunk)
                    written += len(chunk)
                    if member_bytes > info.file_size or written > limit:
                        raise ZipRefused(
                            f"{name}: {quote(info.filename)} unzips to more than the zip "
                            f"says it holds. {GET_IT_AGAIN}"
                        )
                    out.write(chunk)


def _open(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str):
    """A member opened for reading, or its damage refused in words: a local header that
    does not match the directory, or a feature of the format zipfile does not read."""
    try:
        return archive.open(info)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise ZipRefused(
            f"{name}: {quote(info.filename)} cannot be read ({type(exc).__name__}: "
            f"{quote(exc)}), so the zip was not unzipped. {GET_IT_AGAIN}"
        ) from None


def _read(source, *, name: str, member: str) -> bytes:
    """A chunk of a member, or its damage refused in words: bad compressed data (zlib,
    lzma, or bz2's OSError), a CRC-32 that does not match (BadZipFile), data cut short."""
    try:
        return source.read(CHUNK)
    except (zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, OSError) as exc:
        raise ZipRefused(
            f"{name}: {quote(member)} is damaged ({type(exc).__name__}: {quote(exc)}), so the "
            f"zip was not unzipped. {GET_IT_AGAIN}"
        ) from None
