"""The help residents came for: how to register with a GP (no proof of address, ID or
immigration status needed; an interpreter on request; how to complain, step by step), on
every practice page and the lookup answer, each point with its source; and the mental
health crisis route beside 111 and 999."""

import datetime

import pytest
from django.utils import timezone

from neighbourhoods.models import ImportRun

pytestmark = pytest.mark.django_db

SOURCES = [
    "https://www.nhs.uk/nhs-services/gps/how-to-register-with-a-gp-surgery/",
    "https://www.england.nhs.uk/publication/patient-registration-standard-operating-principles-for-primary-medical-care-general-practice/",
    "https://www.england.nhs.uk/publication/guidance-for-commissioners-interpreting-and-translation-services-in-primary-care/",
    "https://www.england.nhs.uk/contact-us/complaint/",
    "https://www.ombudsman.org.uk/making-complaint",
    "https://www.nhs.uk/using-the-nhs/about-the-nhs/how-to-complain-to-the-nhs/",
]


def text_of(response):
    return " ".join(response.content.decode().split())


def assert_how_to_register(page):
    assert 'id="register-with-a-gp"' in page
    assert "How to register with a GP" in page
    assert "You do not need proof of address, ID, an NHS number or proof of your immigration " \
        "status to register" in page  # fmt: skip
    assert "You can ask for an interpreter, free of charge" in page
    complaint = page[page.index("If you are not happy with a practice") :]
    steps = ["Tell the practice first", "NHS North East London, the integrated care board",
             "Parliamentary and Health Service Ombudsman"]  # fmt: skip
    positions = [complaint.index(step) for step in steps]
    assert positions == sorted(positions), "the practice, then the ICB, then the Ombudsman"
    for url in SOURCES:
        assert f'href="{url}"' in page


def test_every_practice_page_says_how_to_register(borough, client):
    for practice in borough.practices.values():
        response = client.get(practice.get_absolute_url())
        assert response.status_code == 200
        assert_how_to_register(text_of(response))


@pytest.mark.parametrize("postcode", ["E8 1DY", "E9 5AA", "N1 1AA"])
def test_the_lookup_answer_says_how_to_register(borough, client, postcode):
    """In a neighbourhood, in City and Hackney but no neighbourhood, and outside."""
    response = client.get("/lookup/", {"postcode": postcode})
    assert response.status_code == 200
    assert_how_to_register(text_of(response))


def test_the_question_and_an_input_error_do_not(borough, client):
    assert 'id="register-with-a-gp"' not in text_of(client.get("/lookup/"))
    assert 'id="register-with-a-gp"' not in text_of(client.get("/lookup/", {"postcode": "!"}))


def test_the_lookup_answer_dates_its_practices_membership(
    borough, client, django_capture_on_commit_callbacks
):
    now = timezone.now()
    ImportRun.objects.create(
        source="import_practices", outcome=ImportRun.Outcome.SUCCEEDED, run_by="test",
        started_at=now, finished_at=now, release_date=datetime.date(2025, 9, 1),
        files=[{"name": "ods_epcn_2024-10.csv", "release_date": "2024-10-01"}],
    )  # fmt: skip
    page = text_of(client.get("/lookup/", {"postcode": "E8 1DY"}))
    assert "(ePCN)</a>, dated October 2024." in page
    # A newer release is a new page, never the cached answer with the old date.
    later = now + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):  # as the import's commit does
        ImportRun.objects.create(
            source="import_practices", outcome=ImportRun.Outcome.SUCCEEDED, run_by="test",
            started_at=later, finished_at=later, release_date=datetime.date(2026, 3, 1),
            files=[{"name": "ods_epcn_2026-03.csv", "release_date": "2026-03-01"}],
        )  # fmt: skip
    page = text_of(client.get("/lookup/", {"postcode": "E8 1DY"}))
    assert "(ePCN)</a>, dated March 2026." in page


@pytest.mark.parametrize("url", ["/", "/contact/"])
def test_need_help_now_names_the_mental_health_crisis_route(borough, client, url):
    page = text_of(client.get(url))
    card = page[page.index('id="help-now"') :]
    card = card[: card.index("</div> </div>")]
    assert 'href="tel:111"' in card and 'href="tel:999"' in card
    assert "mental health crisis, call <a href=\"tel:111\">111</a> and choose the mental " \
        "health option" in card  # fmt: skip
    assert "where-to-get-urgent-help-for-mental-health" in card
