"""The open data the portal uses, with the release and the attribution each licence requires,
and how often each publisher releases it.

Shown on the "About the data" page and beside the map. Keep in step with the import commands.
How up to date the release in use is, is worked out from these and the import runs by
neighbourhoods.selectors.data_freshness.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DataSource:
    key: str
    name: str
    publisher: str
    release: str
    used_for: str
    licence: str
    attribution: tuple[str, ...]
    # How often the publisher releases it, in words that follow "publishes it", and the
    # months after which a release in use is out of date (None: released only when
    # something is redrawn, so never out of date by age).
    cadence: str = ""
    cadence_months: int | None = None


OGL = "Open Government Licence v3.0"

NHS_ODS_ATTRIBUTION = (
    "Contains information from NHS England (Organisation Data Service), licensed under the "
    "current version of the Open Government Licence.",
)

DATA_SOURCES = [
    DataSource(
        key="ods-epcn",
        name="Primary Care Networks and their member practices (ePCN)",
        publisher="NHS England, Organisation Data Service",
        release="October 2024",
        used_for="Which GP practices belong to each neighbourhood, and when they joined or left.",
        licence=OGL,
        attribution=NHS_ODS_ATTRIBUTION,
        cadence="about every month",
        cadence_months=3,
    ),
    DataSource(
        key="ods-epraccur",
        name="GP practices in England (epraccur)",
        publisher="NHS England, Organisation Data Service",
        release="September 2025",
        used_for="Practice names, addresses, phone numbers and whether a practice is open.",
        licence=OGL,
        attribution=NHS_ODS_ATTRIBUTION,
        cadence="about every month",
        cadence_months=3,
    ),
    DataSource(
        key="gp-registered-patients",
        name="Patients Registered at a GP Practice",
        publisher="NHS England",
        release="April 2026 (extract date 1 April 2026)",
        used_for="How many patients are registered with each practice.",
        licence=OGL,
        attribution=(
            "Contains information from NHS England, licensed under the current version of the "
            "Open Government Licence.",
        ),
        # Published monthly, with fuller (LSOA) breakdowns every quarter: a release is out of
        # date once a quarter has passed.
        cadence="every month",
        cadence_months=3,
    ),
    DataSource(
        key="codepoint-open",
        name="OS Code-Point Open",
        publisher="Ordnance Survey",
        release="October 2025 (version 2025.4.0)",
        used_for=(
            "Every postcode's point, local authority and ward: the postcode lookup, and where "
            "each GP practice is on the map."
        ),
        licence="OS OpenData licence (the same terms as the " + OGL + ")",
        attribution=(
            "Contains Ordnance Survey data © Crown copyright and database right 2025.",
            "Contains Royal Mail data © Royal Mail copyright and database right 2025.",
            "Contains National Statistics data © Crown copyright and database right 2025.",
        ),
        cadence="every quarter",
        cadence_months=3,
    ),
    DataSource(
        key="ons-boundaries",
        name="Lower Layer Super Output Areas (2021) and London borough boundaries",
        publisher="Office for National Statistics",
        release="December 2021 boundaries, generalised to 20 m (borough codes of 2022)",
        used_for=(
            "The small areas our indicative neighbourhood areas are built from, and the "
            "borough a postcode outside City and Hackney is in."
        ),
        licence=OGL,
        attribution=(
            "Source: Office for National Statistics licensed under the Open Government Licence "
            "v.3.0.",
            "Contains OS data © Crown copyright and database right (2022).",
        ),
        cadence="when the boundaries are redrawn, after each census",
    ),
]
