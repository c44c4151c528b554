"""Small ODS releases written by a test: an ePCN, an epraccur and a registered-patients file
in either of ODS's formats, and Code-Point Open's rows for their postcodes, for the small
borough's practices (tests/neighbourhoods/conftest.py)."""

import csv

from neighbourhoods.importers.practices import EPCN_MATCH_COLUMN

EPCN_HEADER = [
    "Partner Organisation Code", "Partner Name", "Practice Parent Sub ICB Loc Code",
    "Practice Parent Sub ICB Loc Name", "PCN Code", "PCN Name", "PCN Parent Sub ICB Loc Code",
    "PCN Parent Sub ICB Loc Name", "Practice to PCN Relationship Start Date",
    "Practice to PCN Relationship End Date", EPCN_MATCH_COLUMN,
]  # fmt: skip
EPRACCUR_HEADER = [
    "organisation_code", "name", "national_grouping", "high_level_health_geography",
    "address_line_1", "address_line_2", "address_line_3", "address_line_4", "address_line_5",
    "postcode", "open_date", "close_date", "status_code", "organisation_sub_type_code",
    "commissioner", "join_provider_purchaser_date", "left_provider_purchaser_date",
    "contact_telephone_number", "null_19", "null_20", "null_21", "amended_record_indicator",
    "null_23", "provider_purchaser", "null_25", "prescribing_setting", "null_27",
]  # fmt: skip
PATIENTS_HEADER = [
    "PUBLICATION", "EXTRACT_DATE", "TYPE", "SUB_ICB_LOCATION_CODE", "ONS_SUB_ICB_LOCATION_CODE",
    "CODE", "POSTCODE", "SEX", "AGE", "NUMBER_OF_PATIENTS",
]  # fmt: skip
# Code-Point Open's rows for the practices' postcodes (no header row).
CODEPOINT_E = [
    ["E8 1AA", 10, 534497, 185014, "E92000001", "E19000003", "E18000007", "", "E09000012",
     "E05009372"],
    ["E8 2AA", 10, 534439, 185315, "E92000001", "E19000003", "E18000007", "", "E09000012",
     "E05009372"],
]  # fmt: skip

# How each format writes a status, a prescribing setting and true.
OLDER = {"active": "A", "closed": "C", "dormant": "D", "setting": "4", "true": "True"}
NEWER = {"active": "ACTIVE", "closed": "INACTIVE", "dormant": "DORMANT", "setting": "RO76",
         "true": "TRUE"}  # fmt: skip

# The borough's neighbourhoods by PCN code.
LONDON_FIELDS, CLISSOLD_PARK = "U40100", "U51492"


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def practice(code, name, status="active", **given):
    """A practice as a release lists it: in London Fields since 1 October 2019 unless given."""
    listed = {"pcn": LONDON_FIELDS, "postcode": "E8 1AA", "start": "20191001", "end": "",
              "close": "", "address": ("1 TEST ROAD", "", "", "LONDON", "")}  # fmt: skip
    return {"code": code, "name": name, "status": status, **listed, **given}


# The borough's practices as an ODS release lists them (F90003, F90004 and F90006 are left
# out, as practices the files do not list).
BASELINE = [
    practice("F90001", "DALSTON PRACTICE"),
    practice("F90002", "CITY PRACTICE", postcode="E8 2AA"),
    practice("F90005", "STOKE NEWINGTON PRACTICE", pcn=CLISSOLD_PARK),
]


def write_release(folder, practices, fmt=NEWER, *, month="2026-03", status_of=None):
    """An ePCN, an epraccur and a registered-patients file for `practices`, in `fmt`, named
    as ODS names them for `month`; returns the options that name them."""
    status_of = status_of or (lambda p: fmt[p["status"]] if p["status"] in fmt else p["status"])
    epcn = write_csv(
        folder / f"ods_epcn_{month}_core_partners.csv",
        EPCN_HEADER,
        [[p["code"], p["name"], "A3A8R", "NHS NORTH EAST LONDON ICB - A3A8R", p["pcn"], "A PCN",
          "A3A8R", "NHS NORTH EAST LONDON ICB - A3A8R", p["start"], p["end"], fmt["true"]]
         for p in practices],
    )  # fmt: skip
    epraccur = write_csv(
        folder / f"ods_epraccur_{month}_practices.csv",
        EPRACCUR_HEADER,
        [[p["code"], p["name"], "Y56", "QMF", *p["address"], p["postcode"], "19740401",
          p["close"], status_of(p), "B", "A3A8R", "20210401", "", "020 72750077", "", "", "",
          "1", "", "A3A8R", "", fmt["setting"], ""]
         for p in practices],
    )  # fmt: skip
    patients = write_csv(
        folder / "nhs_gp_reg_pat_prac_all_2026-04.csv",
        PATIENTS_HEADER,
        [["GP_PRAC_PAT_LIST", "2026-04-01", "GP", "A3A8R", "E38000255", p["code"], p["postcode"],
          "ALL", "ALL", "6290"] for p in practices],
    )  # fmt: skip
    write_csv(folder / "postcodes/codepoint_open_2025_4/Data/CSV/e.csv", None, CODEPOINT_E)
    return {"data_dir": str(folder), "epcn": str(epcn), "epraccur": str(epraccur),
            "patients": str(patients)}  # fmt: skip
