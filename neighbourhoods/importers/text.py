"""Turning NHS ODS upper-case text into names and addresses residents can read."""

import re

ABBREVIATIONS = {
    "CTR": "Centre",
    "CTRE": "Centre",
    "HLTH": "Health",
    "MED": "Medical",
    "RD": "Road",
    "PRACT": "Practice",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _word(match: re.Match) -> str:
    word = match.group(0)
    upper = word.upper()
    if upper in ABBREVIATIONS:
        return ABBREVIATIONS[upper]
    return upper[0] + upper[1:].lower()


def tidy(text: str) -> str:
    """'SOMERFORD GROVE HLTH.CTR.' -> 'Somerford Grove Health Centre'; '86A' stays '86A'."""
    text = re.sub(r"\b(CTR|CTRE|HLTH|PRACT|RD)\.", r"\1 ", (text or "").strip())
    text = re.sub(r"\bST\.(?=[A-Z])", "ST ", text)
    text = re.sub(r",(?=\S)", ", ", text)
    tokens = []
    for token in text.split():
        if re.fullmatch(r"[0-9][0-9A-Z-]*", token.upper()):
            tokens.append(token.upper())
        else:
            tokens.append(_WORD.sub(_word, token))
    return " ".join(tokens)


def tidy_phone(number: str) -> str:
    """'020 72495511' -> '020 7249 5511'; other numbers keep ODS's spacing."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) == 11 and digits.startswith("020"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return (number or "").strip()
