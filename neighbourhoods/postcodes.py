"""One value object for a UK postcode, used wherever a postcode enters the portal.

Input is normalised once: case and spaces never matter, so "e81dy", " E8 1DY " and
"Ｅ８ １ＤＹ" are the same postcode. A character a postcode never has (a quote, =, ;, -, a
full stop...) makes the input not a postcode: "' OR '1'='1' --" once became OR11 by
dropping everything but its letters and digits, and was answered as a postcode outside
City and Hackney.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_INPUT_LENGTH = 40
_OUTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INCODE = r"[0-9][A-Z]{2}"
FULL_RE = re.compile(rf"^({_OUTCODE})({_INCODE})$")
OUTCODE_RE = re.compile(rf"^{_OUTCODE}$")
PARTIAL_INCODE_RE = re.compile(r"^[0-9][A-Z]?$")
AREA_RE = re.compile(r"^[A-Z]+")

# Every postcode in the City of London and Hackney lies in these postcode areas (the
# letters at the start). A well-formed postcode in any other area is outside, whether or
# not we hold it.
COVERED_AREAS = frozenset({"E", "EC", "N", "WC"})


# One hyphen or full stop between a letter or digit and another ("E8-1DY", "e8.1dy"): a
# separator people type in place of the space, and read as one.
TYPED_SEPARATOR = re.compile(r"(?<=[0-9A-Za-z])[-.](?=[0-9A-Za-z])")


def has_only_postcode_characters(raw: str) -> bool:
    """Letters and digits (full-width forms folded), with spaces or tabs anywhere and one
    hyphen or full stop between two of them: all a postcode as typed can hold. Anything else
    (a quote, "=", ";", a second hyphen) makes the input not a postcode, rather than a
    postcode read from its letters and digits alone ("' OR '1'='1' --" is not OR11)."""
    text = TYPED_SEPARATOR.sub(" ", unicodedata.normalize("NFKC", raw or ""), count=1)
    return all((ch.isascii() and ch.isalnum()) or ch in " \t" for ch in text)


def compact(raw: str) -> str:
    """Upper case with everything but letters and digits removed (full-width forms folded)."""
    text = unicodedata.normalize("NFKC", raw or "")[: MAX_INPUT_LENGTH * 2]
    return "".join(ch for ch in text.upper() if ch.isalnum())


@dataclass(frozen=True)
class ParsedPostcode:
    outcode: str
    incode: str = ""

    @classmethod
    def parse(cls, raw: str) -> "ParsedPostcode | None":
        """A full postcode or an outcode (district) alone; None if it is neither."""
        if raw is None or len(raw) > MAX_INPUT_LENGTH:
            return None
        if not has_only_postcode_characters(raw):
            return None  # "E8é 1DY", a quote or a null byte: a typo to show, not to guess past
        text = compact(raw)
        if match := FULL_RE.match(text):
            return cls(match.group(1), match.group(2))
        if OUTCODE_RE.match(text):
            return cls(text)
        return None

    @classmethod
    def parse_partial(cls, raw: str) -> "ParsedPostcode | None":
        """The district of a postcode typed only in part ("E8 1D" gives E8), else None."""
        if raw is None or len(raw) > MAX_INPUT_LENGTH or not has_only_postcode_characters(raw):
            return None
        parts = unicodedata.normalize("NFKC", raw).upper().split()
        if len(parts) != 2:
            return None
        outcode, incode = (compact(part) for part in parts)
        if OUTCODE_RE.match(outcode) and PARTIAL_INCODE_RE.match(incode):
            return cls(outcode)
        return None

    @property
    def area(self) -> str:
        """The postcode area: the letters that begin it ("EC" for EC1A 7HF)."""
        return AREA_RE.match(self.outcode).group(0)

    @property
    def in_covered_area(self) -> bool:
        return self.area in COVERED_AREAS

    @property
    def is_full(self) -> bool:
        return bool(self.incode)

    @property
    def with_space(self) -> str:
        return f"{self.outcode} {self.incode}".strip()

    @property
    def without_space(self) -> str:
        return f"{self.outcode}{self.incode}"

    def __str__(self) -> str:
        return self.with_space
