"""A Data manager loads a release of the open data from the admin, in Chromium, against the
portal as `make run` serves it (nginx, gunicorn and the scheduler's cluster): upload, the
check running in the background while the page follows it without JavaScript, the preview
in words, applying with a reason, and the record. Each page passes axe-core at WCAG 2.2 AA.
Screenshots go to artifacts/screenshots/.

The March 2026 epraccur release is previewed only (applying it would change every test's
data); the ePCN release already in use is applied, which changes nothing."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from neighbourhoods.importers.practices import EPCN

from .axe import AXE, WCAG_22_AA
from .conftest import shot, sign_in
from .test_content_security_policy import in_a_thread, violations, watch

MARCH_EPRACCUR = "gp_practices/ods_epraccur_2026-03_city_and_hackney_pcn_practices.csv"
CHECKED = "Checked: ready to apply"


def axe_violations(page, within=None):
    """axe-core on the page the Data manager is on (or only the part `within`, a CSS
    selector). The admin's pages carry no script with a nonce to add it by, so it runs in a
    second page, as wide as the first and signed in as the same person, that lets a test's
    script past the policy (the policy itself is checked by `watch`)."""
    context = page.context.browser.new_context(bypass_csp=True, viewport=page.viewport_size)
    try:
        context.add_cookies(page.context.cookies())
        audit = context.new_page()
        audit.goto(page.url)
        audit.add_script_tag(content=AXE.read_text())
        results = audit.evaluate(
            """([tags, within]) => axe.run(
                within ? {include: [within]} : document, {runOnly: {type: 'tag', values: tags}}
            )""",
            [WCAG_22_AA, within],
        )
    finally:
        context.close()
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in results["violations"]
    ]


@pytest.fixture(autouse=True)
def _releases_removed_after(django_db_blocker):
    """The served portal commits the releases and runs these tests make: they are removed
    afterwards, so the tests after them find the tables as they were."""
    from django.db import connection

    from neighbourhoods.models import DataRelease, ImportRun

    def high_water():
        marks = (
            max(DataRelease.objects.values_list("pk", flat=True), default=0),
            max(ImportRun.objects.values_list("pk", flat=True), default=0),
        )
        connection.close()
        return marks

    def remove(marks):
        DataRelease.objects.filter(pk__gt=marks[0]).delete()
        ImportRun.objects.filter(pk__gt=marks[1]).delete()
        connection.close()

    with django_db_blocker.unblock():
        marks = in_a_thread(high_water)
    yield
    with django_db_blocker.unblock():
        in_a_thread(lambda: remove(marks))


def upload(page, live_url, source, relative_path):
    page.goto(live_url + "/admin/neighbourhoods/datarelease/add/")
    assert axe_violations(page) == []
    page.select_option("#id_source", source)
    page.set_input_files("#id_file", str(settings.PORTAL_DATA_DIR / relative_path))
    page.click("input[value='Upload and check']")
    expect(page.locator(".messagelist")).to_contain_text("is being checked")


def wait_until(page, status, timeout=90_000):
    """The page refreshes itself every few seconds while the cluster works."""
    expect(page.locator("#release h2")).to_have_text(status, timeout=timeout)


@pytest.mark.realdata
def test_a_data_manager_previews_the_march_2026_release_before_anything_changes(
    live_url, page, data_manager
):
    problems = watch(page)
    sign_in(page, live_url, *data_manager)
    upload(page, live_url, "ods-epraccur", MARCH_EPRACCUR)
    shot(page, "admin-release-checking")
    wait_until(page, CHECKED)
    preview = page.locator("#release-preview")
    expect(preview).to_contain_text("nothing has been changed; the import would do this")
    expect(preview).to_contain_text("read in ODS's newer format")
    expect(preview).to_contain_text("Addresses changed")
    expect(page.locator("input[value='Apply this release']")).to_be_visible()
    shot(page, "admin-release-preview")
    assert axe_violations(page) == []
    assert violations(page, problems) == []


@pytest.mark.realdata
def test_a_data_manager_applies_a_release_with_a_reason_and_reads_its_record(
    live_url, page, data_manager
):
    problems = watch(page)
    sign_in(page, live_url, *data_manager)
    upload(page, live_url, "ods-epcn", EPCN)
    wait_until(page, CHECKED)
    expect(page.locator("#release-preview")).to_contain_text("nothing to change")
    page.fill("#id_reason", "The ePCN release in use, applied again to check the record")
    page.click("input[value='Apply this release']")
    expect(page.locator(".messagelist")).to_contain_text("is being applied")
    wait_until(page, "Applied")
    expect(page.locator("#release")).to_contain_text("What applying it changed")
    shot(page, "admin-release-applied")
    page.get_by_role("link", name="The import run's record").click()
    expect(page.locator("#content")).to_contain_text("applied again to check the record")
    shot(page, "admin-release-import-run")
    assert axe_violations(page) == []
    page.goto(live_url + "/admin/data-freshness/")
    expect(page.locator("#data-freshness")).to_contain_text("Releases in use")
    shot(page, "admin-data-freshness")
    assert axe_violations(page) == []
    assert violations(page, problems) == []
