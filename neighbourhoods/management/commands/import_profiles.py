"""Import the statistics of the neighbourhood profiles: Census 2021 and the Indices of
Deprivation, per LSOA, and the registered patients' IMD 2019."""

from neighbourhoods.importers.profiles import FILES, ProfilesImport
from neighbourhoods.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import Census 2021 usual residents, age bands and ethnic groups, the English Indices "
        "of Deprivation 2025 (and 2019, through ONS's 2011-2021 LSOA lookup) per LSOA, and "
        "the IMD 2019 of practices' and PCNs' registered patients, and Census 2021 "
        "proficiency in English per MSOA and main language per borough; then work the "
        "neighbourhood profiles out again. Safe to run again. Refuses, changing nothing, a "
        "broken file, or an LSOA file that does not cover exactly the LSOAs the portal holds."
    )
    importer = ProfilesImport

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for option, (name, _released) in FILES.items():
            parser.add_argument(
                f"--{option.replace('_', '-')}",
                dest=option,
                metavar="FILE",
                help=f"(default: DATA_DIR/profiles/{name})",
            )
