"""A history staff can read: each version compared with the one before it, on a page of its
own (<pk>/history/<history_id>/compare/): the whole text with the words changed marked
(<del>, <ins> and the words "[removed: …]" and "[added: …]", not colour alone), dates in
words, linked records by name, choices by their labels, ticks as Yes and No; the permission
asked before the version is looked up. And a version's page says what its button does."""

import datetime
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from neighbourhoods.audit.compare import marked_text
from partnership.models import PartnerOrganisation
from tests.factories import (
    LsoaFactory,
    MembershipFactory,
    NeighbourhoodFactory,
    PartnerFactory,
    PlaceFactory,
    PracticeFactory,
    SourceFactory,
)

# The real data, where a whole run has loaded it, holds records named as these tests name theirs.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_portal")]

SUMMARY = "The NHS and councils plan care together for the 280,000 people of City and Hackney."


def compare_url(record, version):
    opts = record._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_compare", args=[record.pk, version.history_id]
    )


def text(response) -> str:
    """The page's text as read: tags taken out, spaces collapsed."""
    assert response.status_code == 200
    html = re.sub(r"<(script|style).*?</\1>", "", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def value_of(response, label) -> str:
    """A field's value as the page shows it (the first row with that label)."""
    html = response.content.decode()
    found = re.search(rf'<th scope="row">{label}</th><td[^>]*>(.*?)</td>', html, re.S)[1]
    return unescape(re.sub(r"<[^>]+>", "", found))


def changed_row(response, label) -> str:
    """The HTML of one field's row under "What changed"."""
    html = response.content.decode()
    changed = html[html.index('id="changed-heading"') : html.index('id="unchanged-heading"')]
    return re.search(rf'<th scope="row">{label}</th><td[^>]*>(.*?)</td>', changed, re.S)[1]


def test_a_changed_text_is_shown_whole_with_the_words_changed_marked(staff_client):
    partner = PartnerFactory(summary=SUMMARY)
    partner.summary = SUMMARY.replace("plan care", "plan and buy services")
    partner.save()

    response = staff_client.get(compare_url(partner, partner.history.latest()))

    row = changed_row(response, "Summary")
    assert row.startswith("The NHS and councils plan ")
    assert '<span class="change-removed">[removed: <del>care</del>]</span>' in row
    assert '<span class="change-added">[added: <ins>and buy services</ins>]</span>' in row
    assert row.endswith(" together for the 280,000 people of City and Hackney.")
    assert "What changed (1 field)" in text(response)
    assert "Words taken out are struck through and shown as [removed: …]" in text(response)


def test_dates_choices_ticks_and_linked_records_read_as_words(staff_client):
    partner = PartnerFactory(kind=PartnerOrganisation.Kind.NHS_PROVIDER)
    partner.kind = PartnerOrganisation.Kind.VOLUNTARY
    partner.is_core_partner = True
    partner.reviewed_on = datetime.date(2026, 11, 22)
    partner.source = SourceFactory(title="The place plan 2026")
    partner.save()
    partner.places.add(PlaceFactory(name="City and Hackney"))
    *_, before, changed, linked = partner.history.order_by("history_date", "history_id")

    fields = staff_client.get(compare_url(partner, changed))
    places = staff_client.get(compare_url(partner, linked))

    said = {
        label: unescape(re.sub(r"<[^>]+>", "", changed_row(fields, label)))
        for label in ("Kind", "Is core partner", "Last reviewed", "Source")
    }
    assert said == {
        "Kind": "[removed: NHS provider] [added: Voluntary and community sector]",
        "Is core partner": "[removed: No] [added: Yes]",
        "Last reviewed": "[added: 22 November 2026]",
        "Source": "[added: The place plan 2026]",
    }
    assert changed_row(places, "Places") == (
        '<span class="change-added">[added: <ins>City and Hackney</ins>]</span>'
    )
    for page in (text(fields), text(places)):
        assert "chars]" not in page and "[]" not in page
        assert "nhs_provider" not in page and "True" not in page and "2026-11-22" not in page


def test_a_foreign_key_is_named_and_a_deleted_one_by_its_last_name(staff_client):
    membership = MembershipFactory(neighbourhood__name="London Fields")
    was = membership.neighbourhood
    membership.neighbourhood = NeighbourhoodFactory(name="Clissold Park")
    membership.save()
    was.delete()

    response = staff_client.get(compare_url(membership, membership.history.latest()))

    assert unescape(re.sub(r"<[^>]+>", "", changed_row(response, "Neighbourhood"))) == (
        "[removed: London Fields (deleted)] [added: Clissold Park]"
    )
    assert value_of(response, "Started on") == "1 October 2019"  # unchanged, in words too


def test_the_first_version_and_a_deletion_are_shown_whole(staff_client):
    practice = PracticeFactory(name="Dalston Practice", opened_on=datetime.date(1990, 4, 1))
    first = practice.history.latest()
    pk = practice.pk
    practice.delete()
    deleted = type(first).objects.filter(id=pk).latest()

    added = staff_client.get(compare_url(practice_with(pk), first))
    deleted_page = text(staff_client.get(compare_url(practice_with(pk), deleted)))

    assert "This is the first version the history keeps of this record" in text(added)
    assert value_of(added, "Opened on") == "1 April 1990"
    assert value_of(added, "Status") == "Active"  # a choice, by its label
    assert value_of(added, "Location") == "latitude 51.55000, longitude -0.06000"
    assert "the record has since been deleted" in deleted_page
    assert "Dalston Practice" in deleted_page


def practice_with(pk):
    from neighbourhoods.models import Practice

    return Practice(pk=pk)


def test_a_missing_or_malformed_version_is_not_found(staff_client):
    partner, other = PartnerFactory(), PartnerFactory()
    version = partner.history.latest()
    compare = "admin:partnership_partnerorganisation_compare"

    for args in ([partner.pk, 987654321], [partner.pk, "abc"], ["abc", version.history_id],
                 [other.pk, version.history_id]):  # fmt: skip
        assert staff_client.get(reverse(compare, args=args)).status_code == 404, args
    assert (
        staff_client.get(reverse(compare, args=[partner.pk, version.history_id])).status_code == 200
    )


def test_a_version_page_with_a_malformed_id_is_not_found_rather_than_an_error(staff_client):
    partner = PartnerFactory()
    url = reverse("admin:partnership_partnerorganisation_simple_history", args=[partner.pk, "x"])
    assert staff_client.get(url).status_code == 404


def test_the_history_page_links_each_version_to_its_comparison(staff_client):
    partner = PartnerFactory(summary=SUMMARY)
    partner.summary = SUMMARY + " It meets monthly."
    partner.save()
    added, changed = partner.history.order_by("history_date", "history_id")

    page = staff_client.get(
        reverse("admin:partnership_partnerorganisation_history", args=[partner.pk])
    )

    html = page.content.decode()
    assert f'<a href="{compare_url(partner, changed)}">Compare with the version before</a>' in html
    assert f'<a href="{compare_url(partner, added)}">See this version in full</a>' in html
    assert "… 280,000 people of City and Hackney. [added: It meets monthly.]" in text(page)
    assert "chars]" not in text(page)


@pytest.mark.parametrize(
    "old, new, marked",
    [
        ("A quick brown fox.", "A quick very brown fox.", "A quick [+very] brown fox."),
        ("Talking therapies for adults.", "Talking therapies.", "Talking therapies [-for adults]."),
        ("a, b and c", "x; y and c", "[-a, b] [+x; y] and c"),
        ("Completely different words", "Nothing alike at all here",
         "[-Completely different words] [+Nothing alike at all here]"),
        ("one\n\ntwo", "one\ntwo", "one\ntwo [only spaces or line breaks changed]"),
        ("<b>", "<i>", "&lt;[-b] [+i]&gt;"),
        ("Open 280,000 hours", "Open 280,001 hours", "Open [-280,000] [+280,001] hours"),
    ],
)  # fmt: skip
def test_words_are_marked_where_they_changed(old, new, marked):
    html = marked_text(old, new)
    html = re.sub(
        r'<span class="change-removed">\[removed: <del>(.*?)</del>\]</span>', r"[-\1]", html
    )
    html = re.sub(r'<span class="change-added">\[added: <ins>(.*?)</ins>\]</span>', r"[+\1]", html)
    assert html == marked


def version_page(client, record, version):
    opts = record._meta
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history",
        args=[record.pk, version.history_id],
    )
    return client.get(url)


def test_a_versions_page_says_what_its_restore_button_does(staff_client):
    partner = PartnerFactory()
    version = partner.history.latest()
    partner.summary = "Changed since."
    partner.save()

    response = version_page(staff_client, partner, version)

    page = text(response)
    assert 'value="Restore this version"' in response.content.decode()
    assert "Restore this version saves the record with the values on this page" in page
    assert "the history keeps every version" in page
    assert "Revert" not in page and "revert" not in page
    assert f"Restore {partner.name} as it was on" in page
    assert compare_url(partner, version) in response.content.decode()


def test_a_version_page_for_staff_who_may_not_restore_offers_no_restore(client):
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Viewers"))
    client.force_login(viewer)
    partner = PartnerFactory()

    response = version_page(client, partner, partner.history.latest())

    page = text(response)
    assert "Restore this version" not in page
    assert "You can read this version here" in page
    assert "Revert" not in page


def test_an_lsoas_version_page_says_restoring_it_is_a_previewed_move(staff_client):
    home = NeighbourhoodFactory(name="Springfield Park")
    lsoa = LsoaFactory(neighbourhood=home)
    version = lsoa.history.latest()

    page = text(version_page(staff_client, lsoa, version))

    assert (
        "Restore this version shows the preview of moving this LSOA back to Springfield Park: "
        "nothing changes until you confirm the move there."
    ) in page
    assert "values on this page" not in page


def test_a_practice_deleted_in_the_admin_is_compared_without_a_link_to_it(staff_client):
    from neighbourhoods.services.removal import record_remove

    practice = PracticeFactory(name="Dalston Practice")
    record_remove(record=practice)

    response = staff_client.get(compare_url(practice, practice.history.latest()))

    assert "the record has since been deleted" in text(response)
    assert "The record as it is now" not in text(response)


def test_an_lsoas_version_in_a_neighbourhood_deleted_since_says_it_cannot_be_restored(
    staff_client,
):
    from neighbourhoods.services.removal import record_remove

    home = NeighbourhoodFactory(name="Springfield Park")
    lsoa = LsoaFactory(neighbourhood=home)
    version = lsoa.history.latest()
    lsoa.neighbourhood = NeighbourhoodFactory(name="Clissold Park")
    lsoa.save()
    record_remove(record=home)

    page = text(version_page(staff_client, lsoa, version))

    assert "The neighbourhood this version was in, Springfield Park (deleted), has since been" in (
        page
    )
    assert "Restore this version shows the preview" not in page
