"""The test suite, laid out as the code is: tests/neighbourhoods/ mirrors neighbourhoods/
(api/, admin/, audit/, importers/, services/, views/), tests/partnership/, tests/config/ and
tests/scripts/ mirror theirs, and tests/browser/ drives the served portal."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"
