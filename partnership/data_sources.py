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

PROFILES_ATTRIBUTION = (
    "Source: Office for National Statistics (Census 2021) and Ministry of Housing, "
    "Communities and Local Government (English Indices of Deprivation), licensed under the "
    "Open Government Licence v3.0."
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
    DataSource(
        key="census-2021",
        name="Census 2021: usual residents, age and ethnic group, by LSOA",
        publisher="Office for National Statistics",
        release="November 2022 (topic summaries TS001, TS007A and TS021)",
        used_for=(
            "The neighbourhood profiles: how many people live in each neighbourhood's area, "
            "their ages and ethnic groups."
        ),
        licence=OGL,
        attribution=(PROFILES_ATTRIBUTION,),
        cadence="every ten years",
    ),
    DataSource(
        key="census-2021-languages",
        name="Census 2021: proficiency in English by MSOA, and main language by borough",
        publisher="Office for National Statistics",
        release="29 November 2022 (topic summaries TS029 and TS024)",
        used_for=(
            "The neighbourhood profiles: how well residents speak English, as a best fit from "
            "the middle-sized areas (MSOAs) mostly in each neighbourhood's area, and the most "
            "common main languages other than English in City and Hackney as a whole (ONS "
            "publishes main language for no smaller area)."
        ),
        licence=OGL,
        attribution=(PROFILES_ATTRIBUTION,),
        cadence="every ten years",
    ),
    DataSource(
        key="imd-2025",
        name="English Indices of Deprivation 2025, by LSOA",
        publisher="Ministry of Housing, Communities and Local Government",
        release="30 October 2025",
        used_for=(
            "The neighbourhood profiles: how many residents live in each national decile of "
            "deprivation, overall and in each of its seven domains."
        ),
        licence=OGL,
        attribution=(PROFILES_ATTRIBUTION,),
        cadence="every four or five years",
    ),
    DataSource(
        key="imd-2019",
        name="English Indices of Deprivation 2019, by 2011 LSOA, with the ONS 2011 to 2021 "
        "LSOA lookup",
        publisher="Ministry of Housing, Communities and Local Government; Office for National "
        "Statistics",
        release="26 September 2019",
        used_for="The neighbourhood profiles: how deprivation changed since 2019.",
        licence=OGL,
        attribution=(PROFILES_ATTRIBUTION,),
        cadence="every four or five years",
    ),
    DataSource(
        key="registered-imd-2019",
        name="IMD 2019 of the patients registered with each practice and PCN",
        publisher="Derived by Richard Blackwell (blackwellrd/practice_pcn_imd) from NHS "
        "Digital's patients registered by LSOA and the Indices of Deprivation 2019",
        release="2 February 2023 (patients registered in about January 2023)",
        used_for=(
            "The neighbourhood profiles: the deprivation of the patients registered with the "
            "neighbourhood's practices, for comparison with its residents'."
        ),
        licence=OGL,
        attribution=(
            "Contains information from NHS England, licensed under the current version of "
            "the Open Government Licence.",
            PROFILES_ATTRIBUTION,
        ),
        cadence="not on a schedule",
    ),
]
