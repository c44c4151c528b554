"""A staff password that is the name of a place or an organisation with digits or symbols
added (`CityandHackney1`, `Homerton2026!`, `NHS-London-01`) is refused.

Django's CommonPasswordValidator knows the 20,000 most common passwords; these are not
common across the world, but they are the first a guesser tries against this portal's staff,
and breached-password lists are full of such local words with a year or a `1` on the end.
"""

import re

from django.core.exceptions import ValidationError

# The borough, its neighbourhoods and landmarks, the partnership's organisations, and the
# words staff passwords are made of. Lower case, letters only.
_GUESSABLE = """
    city of london hackney islington shoreditch hoxton haggerston dalston homerton clapton
    stoke newington stamford hill de beauvoir kings land kingsland woodberry wetlands
    springfield park well street common clissold marshes downs fields london field
    east north northeast west south england uk britain barts whittington moorfields
    tavistock portman mildmay mile end
    nhs trust foundation council corporation partnership place places neighbourhood
    neighbourhoods neighborhood neighborhoods portal health healthcare care gp gps
    confederation icb nel elft hospital hospitals borough primary integrated board
    staff admin administrator editor editors manager managers data team digital
    the and in st a my our
    password passwords passw pass word welcome letmein login signin secret changeme
    summer winter spring autumn january february march april may june july august
    september october november december
"""
GUESSABLE_WORDS = frozenset(_GUESSABLE.split())

# Letters people put in place of digits and symbols, and back.
_FOLD = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})


def is_guessable_words(letters: str) -> bool:
    """Whether the letters are one or more of GUESSABLE_WORDS run together."""
    if not letters:
        return False
    words = GUESSABLE_WORDS
    longest = max(map(len, words))
    ends = [True] + [False] * len(letters)  # ends[i]: letters[:i] splits into words
    for i in range(1, len(letters) + 1):
        ends[i] = any(ends[j] and letters[j:i] in words for j in range(max(0, i - longest), i))
    return ends[-1]


def candidates(password: str) -> set[str]:
    """The password's letters: as typed, and with the look-alike digits and symbols inside
    it read as the letters they stand for (a 1 as an i and as an l), those at its ends
    being what was added."""
    lower = password.lower()
    inside = re.sub(r"^[^a-z]+|[^a-z]+$", "", lower).translate(_FOLD)
    found = {re.sub(r"[^a-z]", "", lower)}
    for one in ("i", "l"):
        found.add(re.sub(r"[^a-z]", "", inside.replace("1", one)))
    return found


class PlaceWordsValidator:
    """AUTH_PASSWORD_VALIDATORS: refuses a password whose letters are only the names of
    places and organisations and other guessable words, whatever digits or symbols are
    added."""

    def validate(self, password, user=None):
        if any(is_guessable_words(letters) for letters in candidates(password)):
            raise ValidationError(
                "This password is only the names of places or organisations (such as Hackney "
                "or NHS) or other common words, with digits or symbols added: it is among "
                "the first someone guessing would try.",
                code="password_guessable_words",
            )

    def get_help_text(self):
        return (
            "Your password cannot be only the names of places or organisations, such as "
            "Hackney or NHS, with digits or symbols added."
        )
