"""Import postcodes from a file in the ONS Postcode Directory (ONSPD) CSV format."""

import datetime
import re
from itertools import chain
from pathlib import Path

from ..services.answers import answers_recompute
from .base import (
    DOWNLOAD_AGAIN,
    GB_EASTING,
    GB_NORTHING,
    MAX_LINE_BYTES,
    Importer,
    SourceFileError,
    check_file,
    csv_header,
    csv_module_rows,
    csv_rows,
    is_blank,
    line_blocks,
    lines_of,
    quote,
    release_in_name,
    whole_number,
    wrong_width,
)
from .codepoint import GSS_CODE
from .staging import NULL, Staging, save_postcodes

REQUIRED = ["pcds", "doterm", "oslaua", "osward", "oseast1m", "osnrth1m", "osgrdind"]
# A postcode as ONSPD's pcds column writes it: upper case, one space.
FULL_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}\Z")
WHOLE_GSS_CODE = re.compile(r"(?:[EWSNLM][0-9]{8})?\Z")  # GSS_CODE, but no line ending either


def terminated_on(value: str, where: str) -> datetime.date | None:
    """ONSPD gives the month a postcode was terminated as YYYYMM."""
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) != 6:
            raise ValueError
        return datetime.date(int(value[:4]), int(value[4:6]), 1)
    except ValueError:
        raise SourceFileError(
            f"{where}: doterm {quote(value)} is not a month (YYYYMM). {DOWNLOAD_AGAIN}"
        ) from None


def metres(value: str, column: str, extent: tuple[int, int], unit: str, where: str) -> int:
    """An easting or northing inside Great Britain; blank (no grid reference) is 0."""
    low, high = extent
    return whole_number(value, column=column, where=where, low=low, high=high, blank=0, unit=unit)


def gss_code(value: str, column: str, where: str) -> str:
    value = value.strip()
    if not GSS_CODE.match(value):
        raise SourceFileError(
            f"{where}: {column} {quote(value)} is not a GSS code such as E09000012. "
            f"{DOWNLOAD_AGAIN}"
        )
    return value


class OnspdImport(Importer):
    source_name = "import_onspd"
    primary_kind = "Postcodes"
    reports_postcodes_by_neighbourhood = True
    places_postcodes = True
    uses_data_dir = False

    def run_import(self, summary, *args, file, **options):
        path = Path(file)
        check_file(path, hint="Give the path of an ONSPD CSV file.")
        self.use_file(path)
        self.set_release_date(path, release_in_name(path))
        staging = Staging(name=path.name)
        header_line, header = csv_header(path, csv_rows(path), REQUIRED)
        rows = OnspdRows(path, header, staging)
        blocks = line_blocks(path)
        # A block holds up to MAX_LINE_BYTES: about 1,100 blocks for a national file.
        size_in_blocks = -(-path.stat().st_size // MAX_LINE_BYTES)
        bar = self.progress(blocks, desc="Postcodes", unit="block", total=size_in_blocks)
        for first, lines, plain in bar:
            if first <= header_line:
                lines, first = lines[header_line - first + 1 :], header_line + 1
            if not plain:  # from here on, through the csv module
                for n, row in csv_module_rows(path, first, chain(lines, lines_of(blocks))):
                    rows.stage_row(row, n)
                break
            rows.stage_lines(lines, first)
            staging.flush(when_full=True)
        if not len(staging) and not staging.without_location:
            raise SourceFileError(f"{path.name} has a header but no postcodes. {DOWNLOAD_AGAIN}")

        bar.close()
        self.stage(f"Saving {len(staging):,} postcodes: the database is comparing them with "
                   "those held")  # fmt: skip
        touched = save_postcodes(
            staging,
            source="onspd",
            summary=summary,
            guard=lambda **kw: self.guard_shrink(summary, **kw),
            moves=lambda misplaced: self.guard_moves(summary, misplaced),
        )
        answers_recompute(postcode_ids=touched)  # at the end of the run (Importer.run)
        return f"Imported {len(staging):,} postcodes from {path.name}"


class OnspdRows:
    """Checks ONSPD rows and stages them. A national file has 2.7 million, so the common case
    (a postcode as ONSPD writes it, a grid reference, codes and a month already seen) is
    checked quickly in stage_lines; anything else (a blank grid reference, a value out of
    range, a postcode written otherwise, a damaged line) goes through stage_row, which checks
    each value in turn and refuses the first that is wrong, naming the file and line."""

    def __init__(self, path, header, staging):
        self.path, self.staging, self.width = path, staging, len(header)
        self.at = [header.index(c) for c in REQUIRED]
        self.file_number = staging.file_number(path.name)
        self.months = {"": None}  # each doterm value seen, checked once: YYYY-MM-DD or None

    def stage_lines(self, lines, first):
        """Stage a block of lines with no quote and no carriage return (line_blocks)."""
        pcds, doterm, oslaua, osward, oseast1m, osnrth1m, osgrdind = self.at
        maxsplit, commas = max(self.at) + 1, self.width - 1
        append, authorities = self.staging.buffer.append, self.staging.authority_codes
        months, file_number = self.months, self.file_number
        full, gss = FULL_POSTCODE.match, WHOLE_GSS_CODE.match
        e_max, n_max = GB_EASTING[1], GB_NORTHING[1]
        for n, line in enumerate(lines, first):
            if line.count(",") == commas:
                v = line.split(",", maxsplit)
                try:
                    easting, northing = int(v[oseast1m]), int(v[osnrth1m])
                    grid, ended = int(v[osgrdind]), months[v[doterm]]
                except (ValueError, KeyError):
                    easting = -1
                postcode, authority, ward = v[pcds], v[oslaua], v[osward]
                if (
                    0 < easting <= e_max
                    and 0 < northing <= n_max
                    and 0 < grid < 10
                    and full(postcode)
                    and gss(authority)
                    and gss(ward)
                ):
                    authorities.add(authority)
                    append(
                        f"{postcode}\t{postcode[:-4]}\t{easting}\t{northing}\t{grid * 10}\t"
                        f"{authority}\t{ward}\t{'f' if ended is None else 't'}\t"
                        f"{ended or NULL}\t{file_number}\t{n}\n"
                    )
                    continue
            if not is_blank(line):
                self.stage_row(line[:-1].split(","), n)

    def stage_row(self, row, n):
        if len(row) != self.width:
            raise wrong_width(self.path, n, row, self.width)
        pcds, doterm, oslaua, osward, oseast1m, osnrth1m, osgrdind = (row[i] for i in self.at)
        where = f"{self.path.name}, line {n}"
        grid = whole_number(osgrdind, column="osgrdind", where=where, low=1, high=9, blank=0)
        easting = metres(oseast1m, "oseast1m", GB_EASTING, "easting", where)
        northing = metres(osnrth1m, "osnrth1m", GB_NORTHING, "northing", where)
        authority = gss_code(oslaua, "oslaua", where)
        ward = gss_code(osward, "osward", where)
        ended = terminated_on(doterm, where)
        if ended is not None:
            self.months[doterm] = ended.isoformat()
        self.staging.add(
            pcds,
            file=self.path.name,
            line=n,
            easting=easting,
            northing=northing,
            # ONSPD's grid reference quality (1-9) on Code-Point's scale (10-90).
            positional_quality=grid * 10 if grid else None,
            local_authority_code=authority,
            ward_code=ward,
            terminated_on=ended,
            terminated=bool(doterm.strip()),
        )
