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
    tokens = []
    for token in text.split():
        if any(ch.isdigit() for ch in token):
            tokens.append(token.upper())
        else:
            tokens.append(_WORD.sub(_word, token))
    return " ".join(tokens)
