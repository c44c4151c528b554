"""Staff in the admin, in Chromium: the move preview with its before-and-after map, a move
that splits an area confirmed with a reason, the history with its diff, and undo. Under the
site's Content-Security-Policy, with no violation. Screenshots go to artifacts/screenshots/.
"""

from playwright.sync_api import expect

from .conftest import HARMLESS, SPLITS, shot, sign_in
from .test_content_security_policy import violations, watch


def open_preview(page, live_url, code, target):
    """Find the LSOA in the list, tick it, choose the action, then the neighbourhood."""
    page.goto(live_url + f"/admin/neighbourhoods/lsoa/?q={code}")
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "move_to_neighbourhood")
    page.click("button[name=index]")
    expect(page.get_by_role("heading", name="Move", exact=False).first).to_be_visible()
    page.select_option("#id_neighbourhood", label=target)
    page.click("input[value='Preview the move']")
    expect(page.locator("#what-changes")).to_be_visible()


def test_a_move_is_previewed_with_a_map_and_a_split_needs_a_reason(live_url, page, data_manager):
    problems = watch(page)
    sign_in(page, live_url, *data_manager)

    open_preview(page, live_url, *HARMLESS)
    flows = page.locator("#move-flows")
    expect(flows).to_contain_text(HARMLESS[1])
    expect(page.locator("#move-areas")).to_contain_text("still one piece")
    expect(page.locator(".move-maps svg")).to_have_count(2)
    expect(page.locator(".move-maps svg").first.locator("path").first).to_be_visible()
    expect(page.locator("input[name=understood]")).to_have_count(0)
    shot(page, "admin-move-preview")

    open_preview(page, live_url, *SPLITS)
    expect(page.locator("#move-areas")).to_contain_text("it would stop being one piece")
    page.click("#confirm-move input[type=submit]")
    expect(page.locator("#confirm-move")).to_contain_text("Give the reason")
    shot(page, "admin-move-split-needs-a-reason")
    page.fill("#id_reason", "A pilot the board agreed")
    page.check("#id_understood")
    page.click("#confirm-move input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("Moved 1 LSOA to Clissold Park")
    assert violations(page, problems) == []


def test_staff_see_the_diff_and_undo_a_move(live_url, page, data_manager):
    problems = watch(page)
    sign_in(page, live_url, *data_manager)
    open_preview(page, live_url, *HARMLESS)
    page.click("#confirm-move input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text(f"Moved 1 LSOA to {HARMLESS[1]}")

    page.click("a.historylink")
    history = page.locator("#change-history")
    expect(history.locator("tbody tr").first).to_contain_text(f"→ {HARMLESS[1]}")
    expect(history.locator("tbody tr").first).to_contain_text(data_manager[0])
    shot(page, "admin-lsoa-history")

    page.locator("#change-history tbody tr").nth(1).get_by_role("link").first.click()
    page.click("input[value='Restore this version']")
    expect(page.locator("#move-preview")).to_contain_text("restoring an earlier version")
    expect(page.locator("#move-flows")).to_contain_text(HARMLESS[1])
    shot(page, "admin-restore-preview")
    page.click("#confirm-move input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("Moved 1 LSOA")

    page.goto(live_url + "/admin/recent-changes/")
    expect(page.locator("#recent-changes tbody tr").first).to_contain_text("Restored the version")
    shot(page, "admin-recent-changes")
    assert violations(page, problems) == []
