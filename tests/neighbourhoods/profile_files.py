"""Small profile statistics files for the borough of tests/neighbourhoods/conftest.py, written
as the publishers lay them out, with figures made up for the arithmetic: every count is
given here, so each test can work its answer out from them by hand."""

import json
from pathlib import Path

from neighbourhoods.importers.boundaries import LSOAS
from neighbourhoods.importers.profiles import FILES, LANGUAGE_PREFIX, LANGUAGE_TOTAL
from neighbourhoods.importers.profiles import PROFICIENCY_COLUMNS as PROFICIENCY
from tests.neighbourhoods.conftest import LSOA_CODE

AGE_BANDS = ["Aged 15 years and under", "Aged 16 to 64 years", "Aged 65 years and over"]
GROUPS = ["Asian", "Black", "White", "Other ethnic group"]
DOMAIN_PREFIXES = ["IMD", "Income", "Employment", "Education", "Health", "Crime",
                   "Housing_and_Services", "Environment"]  # fmt: skip

# LSOA: residents, ages (as AGE_BANDS), ethnic groups (as GROUPS), IMD 2025 decile, 2019 decile
FIGURES = {
    "C1": (1500, [200, 1100, 201], [300, 100, 1095, 5], 9, 9),
    "H1": (1600, [400, 1000, 200], [200, 500, 897, 3], 1, 2),
    "H2": (1700, [500, 1000, 199], [100, 800, 798, 2], 2, 4),
    "H3": (1800, [600, 1000, 200], [400, 400, 1000, 0], 5, 5),
    "H4": (1900, [700, 1000, 200], [500, 500, 900, 0], 3, None),  # H4: merged from two
}


# MSOA: its name, its LSOAs, and its residents aged 3 and over by TS029's five categories:
# main language English; not English, but speaks it very well, well, not well, not at all.
# MA has H1 and H2 (London Fields) and H3 (Clissold Park): 3,300 of its 5,100 residents in
# London Fields, so it is London Fields' best fit and not Clissold Park's.
MSOAS = {
    "E02990001": ("Test MC", ["C1"], [1200, 150, 80, 40, 5]),
    "E02990002": ("Test MA", ["H1", "H2", "H3"], [3000, 800, 600, 400, 150]),
    "E02990003": ("Test MB", ["H4"], [1500, 200, 100, 50, 20]),
}
# Borough: residents aged 3 and over, then each TS024 column (a broad group ONS splits is
# followed by its languages, "<group>: <language>").
LANGUAGES = {
    "English (English or Welsh in Wales)": (1000, 6000),
    "French": (30, 150),
    "Turkish": (5, 900),
    "Other European language (EU)": (60, 700),
    "Other European language (EU): Polish": (40, 500),
    "Other European language (EU): Italian": (20, 190),
    "Other European language (EU): Any other European language (EU)": (0, 10),
    "Spanish": (25, 120),
    "Arabic": (3, 110),
    "Russian": (2, 100),
    "Greek": (1, 90),
    "Yiddish": (0, 80),
    "Somali": (0, 70),
    "Gujarati": (0, 7),
    "Korean": (1, 1),
    "Other language": (4, 600),
}
ENGLISH = next(iter(PROFICIENCY))
NOT_ENGLISH = "Main language is not English (English or Welsh in Wales)"
BOROUGHS = {"E09000001": ("City of London", 1200), "E09000012": ("Hackney", 9628)}


def write_profile_files(
    folder: Path,
    figures=None,
    *,
    extra_lsoa=None,
    leave_out=None,
    msoa_rows=None,
    borough_rows=None,
) -> Path:
    """The ten files under folder/profiles/, as import_profiles reads them by default, and the
    LSOAs' MSOAs as ONS's LSOA boundaries name them."""
    figures = dict(FIGURES if figures is None else figures)
    if leave_out:
        figures.pop(leave_out)
    codes = {name: LSOA_CODE.get(name, name) for name in figures}
    if extra_lsoa:
        figures[extra_lsoa] = figures[next(iter(figures))]
        codes[extra_lsoa] = extra_lsoa
    out = folder / "profiles"
    out.mkdir(parents=True, exist_ok=True)

    def write(option, header, rows):
        lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
        (out / FILES[option][0]).write_text("\n".join(lines) + "\n")

    write(
        "residents",
        ["lsoa21_code", "lsoa21_name", "ltla24_code", "ltla24_name",
         "total_usual_residents_census2021"],
        [(codes[n], f"Test {n}", "E09000012", "Hackney", f[0]) for n, f in figures.items()],
    )  # fmt: skip
    write(
        "ages",
        ["lsoa21_code", "lsoa21_name", "age_group", "usual_residents"],
        [(codes[n], f"Test {n}", band, f[1][i]) for n, f in figures.items()
         for i, band in enumerate(AGE_BANDS)],
    )  # fmt: skip
    write(
        "ethnicity",
        ["lsoa21_code", "total_residents", "ethnic_group", "n", "prop"],
        [(codes[n], f[0], group, f[2][i], 0) for n, f in figures.items()
         for i, group in enumerate(GROUPS)],
    )  # fmt: skip
    header = ["lsoa21_code"] + [f"{p}_{w}" for w in ("decile", "rank", "score")
                                for p in DOMAIN_PREFIXES]  # fmt: skip
    write(
        "imd2025",
        header,
        [(codes[n], *[f[3]] * 8, *[f[3] * 3000] * 8, *[40.5 - f[3]] * 8)
         for n, f in figures.items()],
    )  # fmt: skip
    # 2011 LSOAs: each 2021 LSOA's own code, but H4, merged from two.
    lookup, deciles = [], []
    for n, f in figures.items():
        olds = [codes[n]] if f[4] is not None else [f"E0188800{i}" for i in (1, 2)]
        for old in olds:
            change = "U" if f[4] is not None else "M"
            lookup.append((f"Old {n}", old, change, f"Test {n}", codes[n], "Hackney", "E09000012"))
            deciles.append((old, *[f[4] or 3] * 8, *[1000] * 8))
    write(
        "lookup",
        ["lsoa11_name", "lsoa11_code", "change_code", "lsoa21_name", "lsoa21_code",
         "ltla22_name", "ltla22_code"],
        lookup,
    )  # fmt: skip
    prefixes_2019 = [
        p.replace("Housing_and_Services", "Housing_and_Access") for p in DOMAIN_PREFIXES
    ]
    write(
        "imd2019",
        ["lsoa11_code"]
        + [f"{p}_decile" for p in prefixes_2019]
        + [f"{p}_rank" for p in prefixes_2019],
        deciles,
    )
    write(
        "practice_imd",
        ["practice_code", "practice_name", "postcode", "subicb_code", "imd_score", "imd_decile"],
        [("F90001", "DALSTON PRACTICE", "E8 1AA", "A3A8R", 35.5, 1),
         ("F90002", "CITY PRACTICE", "E8 1AA", "A3A8R", 20.25, 5)],
    )  # fmt: skip
    write(
        "pcn_imd",
        ["pcn_code", "pcn_name", "postcode", "subicb_code", "imd_score", "imd_decile"],
        [("U40100", "LONDON FIELDS PCN", "E8 1AA", "A3A8R", 32.5, 2)],
    )
    write(
        "proficiency",
        [
            "msoa21_code",
            ENGLISH,
            NOT_ENGLISH,
            *list(PROFICIENCY)[1:],
            "Proportion who cannot speak English (well)",
        ],  # fmt: skip
        msoa_rows
        if msoa_rows is not None
        else [(code, c[0], sum(c[1:]), *c[1:], 0.05) for code, (_, _, c) in MSOAS.items()],
    )
    columns = [LANGUAGE_TOTAL] + [LANGUAGE_PREFIX + label for label in LANGUAGES]
    write(
        "languages",
        ["date", "geography", "geography code", *columns],
        borough_rows
        if borough_rows is not None
        else [
            (2021, name, code, total, *[counts[i] for counts in LANGUAGES.values()])
            for i, (code, (name, total)) in enumerate(BOROUGHS.items())
        ],
    )
    # The LSOA boundaries' properties, with no geometry: import_profiles reads only which
    # MSOA each LSOA is in.
    features = [
        {
            "type": "Feature",
            "properties": {"LSOA21CD": LSOA_CODE[lsoa], "LSOA21NM": f"Test {lsoa}",
                           "MSOA21CD": code, "MSOA21NM": name},
            "geometry": None,
        }
        for code, (name, lsoas, _) in MSOAS.items() for lsoa in lsoas
    ]  # fmt: skip
    boundaries = folder / LSOAS
    boundaries.parent.mkdir(parents=True, exist_ok=True)
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return out
