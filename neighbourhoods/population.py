"""Residents by LSOA: ONS mid-2020 population estimates (population/ in the open data folder).

The estimates are for 2011 LSOAs; most 2021 LSOAs kept their 2011 code and boundary. A 2021
LSOA with a new code has no estimate here, and the move preview says how many such LSOAs
it leaves uncounted rather than guessing.
"""

import csv
from functools import lru_cache
from pathlib import Path

from django.conf import settings

ESTIMATES = Path("population") / "lsoa11_mid2020_population_estimates_city_and_hackney.csv"
RELEASE = "ONS mid-2020 population estimates"


def residents_by_lsoa() -> dict[str, int]:
    """LSOA code -> residents, or {} when the file is not there."""
    path = Path(settings.PORTAL_DATA_DIR) / ESTIMATES
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _read(path, stamp)


@lru_cache(maxsize=2)
def _read(path: Path, stamp: int) -> dict[str, int]:
    # A file the publisher changed so that it no longer reads is treated as not there: the
    # preview then leaves residents uncounted and says so, rather than failing a staff page.
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            return {
                row["LSOA11CD"].strip(): int(row["Persons_All-Ages"]) for row in csv.DictReader(f)
            }
    except (OSError, KeyError, ValueError, UnicodeDecodeError, csv.Error):
        return {}
