"""An Editor finds a page due for review and marks it reviewed, in Chromium against the
portal as `make run` serves it: "Due for review" from the admin's home page, the record's
page with its Review box, the button, and the public page's new "Page last reviewed". The
list and the Review box pass axe-core at WCAG 2.2 AA. Screenshots go to
artifacts/screenshots/."""

import uuid

import pytest
from playwright.sync_api import expect

from .conftest import shot, sign_in, staff_forget, with_app
from .test_content_security_policy import in_a_thread, violations, watch
from .test_data_releases import axe_violations

REVIEWED = "hackney-downs"


@pytest.fixture
def editor(django_db_blocker):
    """A member of the Editors group the served portal can see. The neighbourhood this test
    marks reviewed is put back as it was afterwards, with its history."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import Group
    from django.db import connection

    from neighbourhoods.models import Neighbourhood

    username, password = f"ed-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex

    def create():
        user = with_app(get_user_model().objects.create_user(username, is_staff=True))
        user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="Editors"))
        neighbourhood = Neighbourhood.objects.get(slug=REVIEWED)
        kept = (neighbourhood.reviewed_on, neighbourhood.reviewed_by_id)
        latest = neighbourhood.history.latest().history_id
        connection.close()
        return kept, latest

    def restore(kept, latest):
        neighbourhood = Neighbourhood.objects.filter(slug=REVIEWED)
        neighbourhood.update(reviewed_on=kept[0], reviewed_by_id=kept[1])
        added = neighbourhood.get().history.filter(history_id__gt=latest)
        links = apps.get_model("neighbourhoods", "HistoricalNeighbourhood_partners")
        links.objects.filter(history__in=added).delete()  # the versions' partners
        added.delete()
        staff_forget(username)
        connection.close()

    with django_db_blocker.unblock():
        kept, latest = in_a_thread(create)
    yield username, password
    with django_db_blocker.unblock():
        in_a_thread(lambda: restore(kept, latest))


def test_an_editor_finds_a_page_due_for_review_and_marks_it_reviewed(live_url, page, editor):
    problems = watch(page)
    sign_in(page, live_url, *editor)

    page.get_by_role("link", name="Due for review").click()
    due = page.locator("#due-for-review")
    expect(due).to_contain_text("Hackney Downs")
    expect(due).to_contain_text("Never")
    shot(page, "admin-due-for-review")
    assert axe_violations(page) == []

    # The neighbourhood's page: axe on the Review box alone. The rest of the page has
    # problems of its own, not yet fixed (docs/accessibility.md, "Review dates").
    due.get_by_role("link", name="Hackney Downs", exact=True).click()
    review = page.locator("#page-review")
    expect(review).to_contain_text("Nobody has marked it as reviewed yet")
    expect(review).to_contain_text("Its page says: “Text from")
    assert axe_violations(page, within="#page-review") == []

    review.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator(".messagelist")).to_contain_text("its page now says “Page last reviewed:")
    expect(page.locator("#page-review")).to_contain_text("Last reviewed on")
    shot(page, "admin-page-reviewed")
    assert axe_violations(page, within="#page-review") == []

    page.goto(live_url + f"/neighbourhoods/{REVIEWED}/")
    expect(page.locator(".nhsuk-review-date")).to_contain_text("Page last reviewed:")
    assert violations(page, problems) == []
