"""The audit trail: every change to content and geography, by whom or which import run, what
changed from what to what, shown on each record's history page and in "Recent changes"; and
restoring an earlier version."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from neighbourhoods.models import ImportRun, Lsoa, Neighbourhood, Postcode, Practice
from neighbourhoods.services.moves import lsoas_move
from partnership.models import PartnerOrganisation, Place
from workstreams.models import Workstream

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("amina", "a@example.org", "pw")


def partner_form(partner, **changes):
    data = {
        "name": partner.name, "slug": partner.slug, "kind": partner.kind,
        "summary": partner.summary, "role_in_partnership": partner.role_in_partnership,
        "website": partner.website, "order": partner.order,
        "places": [p.pk for p in partner.places.all()],
        "is_core_partner": "on" if partner.is_core_partner else "",
        "based_outside_area": "on" if partner.based_outside_area else "",
        "source": partner.source_id or "",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.realdata
def test_loaded_content_has_a_first_version(db):
    for model in (Place, PartnerOrganisation, Workstream, Neighbourhood, Practice, Lsoa):
        record = model.objects.first()
        assert record.history.exists(), model


@pytest.mark.realdata
def test_an_admin_edit_records_who_and_what_changed(staff_client, staff):
    partner = PartnerOrganisation.objects.get(slug="derman")
    old_summary = partner.summary
    url = reverse("admin:partnership_partnerorganisation_change", args=[partner.pk])

    response = staff_client.post(url, partner_form(partner, summary="Talking therapies."))

    assert response.status_code == 302
    latest = partner.history.latest()
    assert latest.history_user == staff and latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("summary", old_summary, "Talking therapies.")
    ]
    page = staff_client.get(
        reverse("admin:partnership_partnerorganisation_history", args=[partner.pk])
    ).content.decode()
    assert "Talking therapies." in page and "amina" in page
    assert "<strong>summary:</strong>" in page.lower()


@pytest.mark.realdata
def test_restoring_an_earlier_version_puts_it_back(staff_client):
    partner = PartnerOrganisation.objects.get(slug="derman")
    original = partner.summary
    first = partner.history.latest()
    partner.summary = "A mistake."
    partner.save()
    url = reverse(
        "admin:partnership_partnerorganisation_simple_history",
        args=[partner.pk, first.history_id],
    )

    form = staff_client.get(url).content.decode()
    response = staff_client.post(url, partner_form(first.instance))

    assert 'value="Restore this version"' in form
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.summary == original
    assert partner.history.latest().diff_against(
        partner.history.latest().prev_record
    ).changed_fields == ["summary"]


@pytest.mark.realdata
def test_an_import_names_its_run_in_the_history(db):
    practice = Practice.objects.get(ods_code="F84008")
    Practice.objects.filter(pk=practice.pk).update(phone="000")

    call_command("import_practices", verbosity=0, stdout=StringIO(), stderr=StringIO())

    run = ImportRun.objects.filter(source="import_practices").latest()
    latest = practice.history.latest()
    assert latest.import_run == run and latest.history_user is None
    assert latest.history_change_reason == "Import: import_practices"
    assert latest.phone == "020 7249 5511"
    assert run.outcome == ImportRun.Outcome.SUCCEEDED


@pytest.mark.realdata
def test_an_import_that_writes_in_bulk_still_leaves_history(db):
    postcode = Postcode.objects.get(postcode="E8 1DY")
    lsoa, home = postcode.lsoa, postcode.neighbourhood
    elsewhere = Neighbourhood.objects.exclude(pk=home.pk).first()
    lsoas_move(lsoa_ids=[lsoa.pk], neighbourhood=elsewhere)

    call_command(
        "load_neighbourhood_areas", "--force", verbosity=0, stdout=StringIO(), stderr=StringIO()
    )

    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == home
    latest, before = lsoa.history.all()[:2]
    assert latest.neighbourhood_id == home.pk and before.neighbourhood_id == elsewhere.pk
    assert latest.import_run.source == "load_neighbourhood_areas"


@pytest.mark.realdata
def test_a_move_by_the_service_records_its_reason(db):
    lsoa = Postcode.objects.get(postcode="E8 1DY").lsoa
    target = Neighbourhood.objects.exclude(pk=lsoa.neighbourhood_id).first()

    lsoas_move(lsoa_ids=[lsoa.pk], neighbourhood=target, reason="Agreed at the board")

    latest = lsoa.history.latest()
    assert latest.neighbourhood_id == target.pk
    assert latest.history_change_reason == "Agreed at the board"
    assert latest.history_type == "~"


def test_a_refused_import_leaves_its_run_recorded_and_no_history(tmp_path):
    before = Practice.history.count()
    with pytest.raises(Exception):  # noqa: B017 (CommandError, with its message)
        call_command(
            "import_practices", "--data-dir", str(tmp_path), verbosity=0,
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    run = ImportRun.objects.filter(source="import_practices").latest()
    assert run.outcome == ImportRun.Outcome.REFUSED
    assert Practice.history.count() == before


@pytest.mark.realdata
def test_recent_changes_lists_changes_across_the_portal(staff_client, staff):
    partner = PartnerOrganisation.objects.get(slug="derman")
    staff_client.post(
        reverse("admin:partnership_partnerorganisation_change", args=[partner.pk]),
        partner_form(partner, summary="Changed for the list."),
    )
    lsoa = Postcode.objects.get(postcode="E8 1DY").lsoa
    target = Neighbourhood.objects.exclude(pk=lsoa.neighbourhood_id).first()
    lsoas_move(lsoa_ids=[lsoa.pk], neighbourhood=target, reason="For the list")

    response = staff_client.get(reverse("recent-changes"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Changed for the list." in html and "amina" in html
    assert "For the list" in html and str(lsoa) in html
    assert html.index("For the list") < html.index("Changed for the list.")  # newest first
    index = staff_client.get(reverse("admin:index")).content.decode()
    assert reverse("recent-changes") in index


def test_recent_changes_needs_a_staff_sign_in(client):
    response = client.get(reverse("recent-changes"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_recent_changes_survives_a_bad_page_number(staff_client):
    assert staff_client.get(reverse("recent-changes") + "?p=abc").status_code == 200


@pytest.mark.realdata
def test_a_neighbourhoods_partners_are_kept_with_each_version(staff_client):
    neighbourhood = Neighbourhood.objects.get(slug="hackney-downs")
    partners = set(neighbourhood.partners.values_list("pk", flat=True))
    first = neighbourhood.history.latest()
    added = PartnerOrganisation.objects.exclude(pk__in=partners).first()

    neighbourhood.partners.add(added)

    kept = {link.partnerorganisation_id for link in first.partners.all()}
    latest = neighbourhood.history.latest()
    assert kept == partners  # the version before the change still lists them
    assert {link.partnerorganisation_id for link in latest.partners.all()} == partners | {added.pk}
    assert latest.diff_against(first).changed_fields == ["partners"]
    page = staff_client.get(
        reverse("admin:neighbourhoods_neighbourhood_history", args=[neighbourhood.pk])
    ).content.decode()
    assert "<strong>partners:</strong>" in page.lower()
    assert added.name in page


@pytest.mark.realdata
def test_restoring_a_version_brings_back_its_partners(staff_client):
    neighbourhood = Neighbourhood.objects.get(slug="hackney-downs")
    before = set(neighbourhood.partners.values_list("pk", flat=True))
    first = neighbourhood.history.latest()
    added = PartnerOrganisation.objects.exclude(pk__in=before).first()
    neighbourhood.partners.add(added)
    url = reverse(
        "admin:neighbourhoods_neighbourhood_simple_history",
        args=[neighbourhood.pk, first.history_id],
    )

    html = staff_client.get(url).content.decode()

    assert f'<option value="{added.pk}" selected>' not in html
    for pk in before:
        assert f'<option value="{pk}" selected>' in html


def test_restoring_a_version_that_kept_no_partners_keeps_todays(staff_client):
    """A version written before links were kept has no link rows: its restore form shows
    today's partners, and says so, rather than clearing them all."""
    from tests.factories import NeighbourhoodFactory, PartnerFactory

    neighbourhood = NeighbourhoodFactory()
    first = neighbourhood.history.latest()  # written on create, with no link rows
    partners = PartnerFactory.create_batch(2)
    neighbourhood.partners.add(*partners)
    assert not first.partners.exists()
    url = reverse(
        "admin:neighbourhoods_neighbourhood_simple_history",
        args=[neighbourhood.pk, first.history_id],
    )

    html = staff_client.get(url).content.decode()

    for partner in partners:
        assert f'<option value="{partner.pk}" selected>' in html
    assert "did not keep its partners" in html
