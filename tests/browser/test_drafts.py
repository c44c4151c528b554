"""An Editor drafts and previews, a Publisher schedules and publishes, in Chromium against
the portal as `make run` serves it: a partner's page and a workstream's priorities in a new
order. Residents see nothing until the publish; the preview tab shows the page with the
draft. Deleting the workstream and restoring it from Deleted records brings its priorities
back in their order. Each new admin page, and the preview, passes axe-core at WCAG 2.2 AA.
Screenshots go to artifacts/screenshots/."""

import datetime
import re
import uuid

import pytest
from playwright.sync_api import expect

from .axe import AXE, WCAG_22_AA
from .conftest import new_page, shot, sign_in, staff_forget, with_app
from .test_content_security_policy import in_a_thread
from .test_data_releases import axe_violations

NAME = f"Test Partner {uuid.uuid4().hex[:6]}"
WORKSTREAM = f"Test Workstream {uuid.uuid4().hex[:6]}"


def axe_here(page):
    """axe-core on this very page (its context lets the test's script past the policy):
    for the preview, a POST's answer that a second page could not open again."""
    page.add_script_tag(content=AXE.read_text())
    results = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return [f"{v['id']}: {v['help']}" for v in results["violations"]]


@pytest.fixture
def people_and_pages(django_db_blocker):
    """An Editor and a Publisher the served portal can see, a partner of the main place and a
    workstream with three priorities; all removed afterwards, with their history."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import Group
    from django.db import connection

    from partnership.models import Draft, PartnerOrganisation, Place
    from workstreams.models import Workstream, WorkstreamPriority
    from workstreams.services import priorities_reorder

    people = {}

    def create():
        for group in ("Editors", "Publishers"):
            username, password = f"{group[:3].lower()}-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
            user = get_user_model().objects.create_user(
                username, is_staff=True, first_name=group[:-1], last_name="Tester"
            )
            user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group))
            with_app(user)
            people[group] = (username, password)
        place = Place.objects.main()
        partner = PartnerOrganisation.objects.create(
            name=NAME, slug=NAME.lower().replace(" ", "-"), kind="voluntary", order=99,
            summary="Runs community groups across Hackney.",
        )  # fmt: skip
        partner.places.set([place])
        workstream = Workstream.objects.create(
            place=place, name=WORKSTREAM, slug=WORKSTREAM.lower().replace(" ", "-"),
            summary="Care for adults.", order=99,
        )  # fmt: skip
        for number, title in enumerate(["Falls", "Frailty", "Loneliness"], start=1):
            WorkstreamPriority.objects.create(workstream=workstream, title=title, order=number)
        priorities_reorder(workstream=workstream)
        connection.close()
        return partner.pk, workstream.pk

    def remove(partner_pk, workstream_pk):
        Draft.objects.all().delete()
        PartnerOrganisation.objects.filter(pk=partner_pk).delete()
        Workstream.objects.filter(pk=workstream_pk).delete()
        PartnerOrganisation.history.filter(id=partner_pk).delete()
        Workstream.history.filter(id=workstream_pk).delete()
        WorkstreamPriority.history.filter(workstream_id=workstream_pk).delete()
        for username, _ in people.values():
            staff_forget(username)
        connection.close()

    with django_db_blocker.unblock():
        pks = in_a_thread(create)
    yield people, pks
    with django_db_blocker.unblock():
        in_a_thread(lambda: remove(*pks))


def publish_due(at):
    from django.db import connection

    from partnership.tasks import publish_scheduled

    said = publish_scheduled(now=at)
    connection.close()
    return said


def test_an_editor_drafts_and_a_publisher_schedules_a_partners_page(
    live_url, browser, people_and_pages, django_db_blocker
):
    people, (partner_pk, _) = people_and_pages
    slug = NAME.lower().replace(" ", "-")
    editor = new_page(browser, bypass_csp=True)
    sign_in(editor, live_url, *people["Editors"])
    editor.goto(live_url + f"/admin/partnership/partnerorganisation/{partner_pk}/change/")

    # The Editor may save a draft and preview; there is no Publish button.
    status = editor.locator("#publishing-status")
    expect(status).to_contain_text("Published: residents see its page")
    expect(editor.locator("input[name=_publish]")).to_have_count(0)
    editor.fill("#id_summary", "Runs community groups and a food bank across Hackney.")
    with editor.context.expect_page() as opened:
        editor.locator("input[name=_preview]").first.click()
    preview = opened.value
    expect(preview.locator("#preview-banner")).to_contain_text("Residents cannot see it")
    expect(preview.locator("main")).to_contain_text("a food bank")
    shot(preview, "admin-draft-preview")
    assert axe_here(preview) == []
    preview.close()

    editor.locator("input[name=_save_draft]").first.click()
    expect(editor.locator(".messagelist")).to_contain_text("Draft of")
    expect(status).to_contain_text("The form below shows the draft")
    shot(editor, "admin-draft-editor")
    assert axe_violations(editor, "#publishing-status") == []
    assert axe_violations(editor, ".drafts-submit-row") == []
    public = new_page(browser)
    public.goto(live_url + f"/partners/{slug}/")
    expect(public.locator("main")).not_to_contain_text("a food bank")

    # The Publisher sees the draft, and schedules it.
    publisher = new_page(browser)
    sign_in(publisher, live_url, *people["Publishers"])
    publisher.goto(live_url + "/admin/partnership/draft/")
    expect(publisher.locator("#result_list")).to_contain_text(NAME)
    shot(publisher, "admin-drafts-list")
    assert axe_violations(publisher) == []
    publisher.get_by_role("link", name=NAME).click()
    at = (datetime.datetime.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    publisher.fill("#id__go_live_at", at.strftime("%Y-%m-%dT%H:%M"))
    publisher.locator("input[name=_schedule]").first.click()
    expect(publisher.locator(".messagelist")).to_contain_text("will be published on")
    expect(publisher.locator("#publishing-status")).to_contain_text("scheduled to be published")
    shot(publisher, "admin-draft-scheduled")
    assert axe_violations(publisher, ".drafts-schedule") == []

    # At its time the scheduler's task publishes it, as the Publisher's.
    from zoneinfo import ZoneInfo

    moment = at.replace(tzinfo=ZoneInfo("Europe/London")) + datetime.timedelta(seconds=5)
    with django_db_blocker.unblock():
        said = in_a_thread(lambda: publish_due(moment))
    assert said == f"Published “{NAME}”."
    public.goto(live_url + f"/partners/{slug}/")
    expect(public.locator("main")).to_contain_text("a food bank")
    publisher.goto(live_url + f"/admin/partnership/partnerorganisation/{partner_pk}/history/")
    expect(publisher.locator("#change-history")).to_contain_text("Published as scheduled by")
    for context in (editor.context, publisher.context, public.context):
        context.close()


def test_a_workstreams_order_is_drafted_published_and_restored_with_it(
    live_url, browser, people_and_pages
):
    people, (_, workstream_pk) = people_and_pages
    slug = WORKSTREAM.lower().replace(" ", "-")
    editor = new_page(browser)
    sign_in(editor, live_url, *people["Editors"])
    change = live_url + f"/admin/workstreams/workstream/{workstream_pk}/change/"
    editor.goto(change)
    rows = editor.locator("#priorities-group tbody tr.form-row.has_original")
    for index in range(rows.count()):
        title = rows.nth(index).locator("input[name$='-title']").input_value()
        number = {"Falls": "3", "Frailty": "2", "Loneliness": "1"}[title]
        rows.nth(index).locator("input[name$='-order']").fill(number)
    editor.locator("input[name=_save_draft]").first.click()
    expect(editor.locator(".messagelist")).to_contain_text("Draft of")
    shot(editor, "admin-workstream-order-draft")
    public = new_page(browser)
    public.goto(live_url + f"/workstreams/{slug}/")
    text = public.locator("main").inner_text()
    assert text.index("Falls") < text.index("Frailty") < text.index("Loneliness")

    publisher = new_page(browser)
    sign_in(publisher, live_url, *people["Publishers"])
    publisher.goto(change)
    publisher.locator("input[name=_publish]").first.click()
    public.goto(live_url + f"/workstreams/{slug}/")
    text = public.locator("main").inner_text()
    assert text.index("Loneliness") < text.index("Frailty") < text.index("Falls")

    # Deleted, then restored from Deleted records: its priorities come back in that order.
    publisher.goto(change.replace("/change/", "/delete/"))
    publisher.get_by_role("button", name=re.compile("Yes, I’m sure|Yes, I'm sure")).click()
    publisher.goto(live_url + "/admin/deleted-records/")
    table = publisher.locator("#deleted-workstream")
    expect(table).to_contain_text(WORKSTREAM)
    shot(publisher, "admin-deleted-content")
    assert axe_violations(publisher, "#content-main") == []
    table.get_by_role("link", name=f"Restore {WORKSTREAM}").click()
    expect(publisher.locator("#restore-parts")).to_contain_text("Its 3 parts")
    assert axe_violations(publisher, "#content-main") == []
    publisher.get_by_role("button", name="Yes, restore it").click()
    expect(publisher.locator(".messagelist")).to_contain_text("with its 3 workstream priorities")
    public.goto(live_url + f"/workstreams/{slug}/")
    text = public.locator("main").inner_text()
    assert text.index("Loneliness") < text.index("Frailty") < text.index("Falls")
    for context in (editor.context, publisher.context, public.context):
        context.close()
