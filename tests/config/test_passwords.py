"""Staff passwords: 12 characters at least, not a common one, and not the name of a place or
an organisation with digits or symbols added (config/passwords.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from config.passwords import PlaceWordsValidator, is_guessable_words


@pytest.mark.parametrize(
    "password",
    [
        "CityandHackney1",  # the probe's
        "Hackney2026!!",
        "NHS-London-0001",
        "H4ckn3y-Homerton1",
        "Shoreditch Park 99",
        "Password1234",
        "Welcome2hackney",
        "springfieldpark1",
        "NorthEastLondon2025",
    ],
)
def test_a_place_or_organisation_with_digits_is_refused(password):
    with pytest.raises(ValidationError) as refused:
        PlaceWordsValidator().validate(password)
    assert refused.value.code == "password_guessable_words"


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "Hackney-otter-violin-42", "kettle lantern 1987 orbit"],
)
def test_other_words_are_taken(password):
    PlaceWordsValidator().validate(password)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password, why",
    [
        ("CityandHackney1", "names of places or organisations"),
        ("Tr0ub4dor&3", "at least 12 characters"),
        ("qwertyuiop123", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_the_settings_refuse_short_common_and_local_passwords(password, why):
    user = get_user_model()(username="sam", email="sam@example.org")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert why in " ".join(refused.value.messages)


@pytest.mark.django_db
def test_a_long_uncommon_password_is_taken():
    validate_password("kettle lantern 1987 orbit", get_user_model()(username="sam"))


def test_the_split_needs_every_letter_to_belong_to_a_word():
    assert is_guessable_words("cityandhackney")
    assert not is_guessable_words("cityandhackneyx")
    assert not is_guessable_words("")
