"""A Data manager deletes a practice in Chromium, is told first what that does, finds it in
Deleted records and restores it, while residents meanwhile find no page for it. Under the
site's Content-Security-Policy, with no violation; each page passes axe-core at WCAG 2.2 AA.
Screenshots go to artifacts/screenshots/.
"""

import pytest
from playwright.sync_api import expect

from .conftest import shot, sign_in
from .test_content_security_policy import in_a_thread, violations, watch
from .test_data_releases import axe_violations


@pytest.fixture
def practice_in_a_neighbourhood(django_db_blocker):
    """A practice in a neighbourhood today, put back afterwards if the test left it deleted."""

    def pick():
        from django.db import connection

        from neighbourhoods.models import Membership

        membership = (
            Membership.objects.current()
            .not_removed()
            .filter(ended_on=None)
            .select_related("practice", "neighbourhood")
            .order_by("practice__ods_code")
            .first()
        )
        connection.close()
        return membership.practice.pk, membership.practice.ods_code, membership.neighbourhood.name

    def put_back(pk):
        from django.db import connection

        from neighbourhoods.models import Practice
        from neighbourhoods.services.removal import record_restore

        practice = Practice.objects.get(pk=pk)
        if practice.is_removed:
            record_restore(record=practice)
        connection.close()

    with django_db_blocker.unblock():
        picked = in_a_thread(pick)
    yield picked
    with django_db_blocker.unblock():
        in_a_thread(lambda: put_back(picked[0]))


def test_a_practice_is_deleted_and_restored_from_deleted_records(
    live_url, page, data_manager, practice_in_a_neighbourhood
):
    pk, code, neighbourhood = practice_in_a_neighbourhood
    problems = watch(page)
    sign_in(page, live_url, *data_manager)

    page.goto(live_url + f"/admin/neighbourhoods/practice/{pk}/delete/")
    expect(page.locator("#removal-ending")).to_contain_text("Its 1 membership will end today")
    expect(page.locator("#content-main")).to_contain_text(neighbourhood)
    expect(page.locator("#content-main")).to_contain_text("it can be restored from there")
    shot(page, "admin-practice-delete")
    assert axe_violations(page) == []
    page.click("input[value='Yes, delete it']")
    expect(page.locator(".messagelist")).to_contain_text("its 1 membership ended today")
    assert page.request.get(live_url + f"/practices/{code}/").status == 404

    page.locator(".messagelist").get_by_role("link", name="Deleted records").click()
    row = page.locator("#deleted-practice tbody tr").filter(has_text=code)
    expect(row).to_contain_text(data_manager[0])
    expect(row).to_contain_text(neighbourhood)
    shot(page, "admin-deleted-records")
    assert axe_violations(page) == []
    row.get_by_role("link", name="Restore").click()
    expect(page.locator("#restore-reopening")).to_contain_text("will reopen")
    assert axe_violations(page) == []
    page.click("input[value='Yes, restore it']")

    expect(page.locator(".messagelist")).to_contain_text(
        "was restored, with the 1 membership its deletion ended"
    )
    assert page.request.get(live_url + f"/practices/{code}/").status == 200
    assert violations(page, problems) == []
