"""Facts about London's geography that no file here carries."""

# The integrated care board each London borough is in (since July 2022), so a resident
# outside City and Hackney is told whose services they use. Keyed by GSS code.
LONDON_ICBS = {
    "NHS North East London": [
        "E09000001", "E09000002", "E09000012", "E09000016", "E09000025", "E09000026",
        "E09000030", "E09000031",
    ],
    "NHS North Central London": ["E09000003", "E09000007", "E09000010", "E09000014", "E09000019"],
    "NHS North West London": [
        "E09000005", "E09000009", "E09000013", "E09000015", "E09000017", "E09000018",
        "E09000020", "E09000033",
    ],
    "NHS South East London": [
        "E09000004", "E09000006", "E09000011", "E09000022", "E09000023", "E09000028",
    ],
    "NHS South West London": [
        "E09000008", "E09000021", "E09000024", "E09000027", "E09000029", "E09000032",
    ],
}  # fmt: skip
ICB_FOR_AUTHORITY = {code: icb for icb, codes in LONDON_ICBS.items() for code in codes}
# Districts outside London that London postcode areas reach into.
ICB_FOR_AUTHORITY["E07000072"] = "NHS Hertfordshire and West Essex"  # Epping Forest

# Code-Point Open's code list gives formal names; residents know the short ones.
_SUFFIXES = (" London Boro", " London Borough", " District")


def short_authority_name(formal: str) -> str:
    name = formal.strip()
    if name == "City and County of the City of London":
        return "City of London"
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
