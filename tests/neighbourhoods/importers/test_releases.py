"""Releases of the open data from the admin: what is refused at once, kept by its hash, and
who may upload, apply and undo (neighbourhoods/importers/releases.py, admin/releases.py)."""

import hashlib
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from neighbourhoods.importers.onspd import OnspdImport
from neighbourhoods.importers.releases import Progress, release_check, upload_refusal
from neighbourhoods.models import DataRelease
from tests import TEST_DATA

pytestmark = pytest.mark.django_db

ONSPD = (TEST_DATA / "onspd_sample.csv").read_bytes()
UPLOAD = "admin:neighbourhoods_datarelease_add"


@pytest.fixture(autouse=True)
def releases_dir(settings, tmp_path):
    settings.PORTAL_RELEASES_DIR = tmp_path / "releases"
    return settings.PORTAL_RELEASES_DIR


def member_of(group_name):
    user = get_user_model().objects.create_user(
        group_name.lower().replace(" ", "-"), password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def data_manager(client):
    client.force_login(member_of("Data managers"))
    return client


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("onspd.csv", b"", "is empty"),
        ("onspd.xlsx", b"PK\x03\x04\x14\x00\x06\x00", "zip archive or an Excel workbook"),
        ("onspd.csv", b"PK\x03\x04" + b"\x00" * 64, "zip archive or an Excel workbook"),
        ("onspd.txt", b"pcd,pcds\nE8 1DY,E8 1DY\n", "not a CSV file"),
        ("onspd.csv", b"pcd,pcds\x00\x00\n", "not a text file"),
        (
            "epraccur.csv",
            "code,name\nF84063,Caf\u00e9 Practice\n".encode("cp1252"),
            "not saved as UTF-8",
        ),
        ("epraccur.csv", b"just some words\nmore words\n", "no commas"),
    ],
)
def test_a_file_that_cannot_be_a_release_is_refused_saying_why(name, content, says):
    assert says in upload_refusal(name, len(content), content[:65536], kind="csv")


def test_a_csv_file_in_utf8_with_a_byte_order_mark_may_be_a_release():
    content = "\ufeffcode,name\nF84063,Caf\u00e9 Practice\n".encode()
    assert upload_refusal("epraccur.csv", len(content), content, kind="csv") is None
    # A character cut in two at the end of the sample read is not a wrong encoding.
    assert upload_refusal("epraccur.csv", 10**6, content[:-3], kind="csv") is None


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PORTAL_RELEASE_MAX_BYTES = 1000
    assert "at most 1,000 bytes" in upload_refusal("onspd.csv", 1001, ONSPD[:1001], kind="csv")


def test_a_data_manager_uploads_a_release_which_is_kept_by_its_hash_and_checked(
    data_manager, releases_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = data_manager.post(
            reverse(UPLOAD),
            {"source": "onspd", "file": SimpleUploadedFile("ONSPD_FEB_2024_UK.csv", ONSPD)},
        )
    release = DataRelease.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:neighbourhoods_datarelease_change", args=[release.pk]
    )
    digest = hashlib.sha256(ONSPD).hexdigest()
    assert release.sha256 == digest and release.size == len(ONSPD)
    assert release.status == DataRelease.Status.CHECKING
    assert (releases_dir / digest / "ONSPD_FEB_2024_UK.csv").read_bytes() == ONSPD
    assert len(queued) == 1  # the check, queued once the upload is committed
    page = data_manager.get(response["Location"])
    assert page.status_code == 200
    assert b'http-equiv="refresh"' in page.content  # follows the check without JavaScript
    assert b"Being checked: nothing has changed" in page.content


def test_an_upload_refused_keeps_nothing_and_says_why_by_the_field(data_manager, releases_dir):
    response = data_manager.post(
        reverse(UPLOAD),
        {"source": "ods-epcn", "file": SimpleUploadedFile("epcn.xlsx", b"PK\x03\x04rest")},
    )
    assert response.status_code == 200
    assert "zip archive or an Excel workbook" in response.content.decode()
    assert not DataRelease.objects.exists()
    assert not releases_dir.exists() or not any(releases_dir.iterdir())


def test_a_release_must_name_its_source(data_manager):
    response = data_manager.post(
        reverse(UPLOAD), {"source": "", "file": SimpleUploadedFile("onspd.csv", ONSPD)}
    )
    assert response.status_code == 200
    assert not DataRelease.objects.exists()


@pytest.mark.parametrize("group", ["Viewers", "Editors"])
def test_only_data_managers_upload_apply_or_undo(client, group):
    client.force_login(member_of(group))
    assert client.get(reverse(UPLOAD)).status_code == 403
    release = DataRelease.objects.create(
        source="onspd", original_name="a.csv", sha256="0" * 64, size=1,
        uploaded_at="2026-12-01T00:00Z", status=DataRelease.Status.PREVIEWED,
    )  # fmt: skip
    for name in ("apply", "undo"):
        for pk in (release.pk, release.pk + 1000):  # the same answer, whether it exists or not
            url = reverse(f"admin:neighbourhoods_datarelease_{name}", args=[pk])
            assert client.post(url, {"reason": "x"}).status_code == 403
    release.refresh_from_db()
    assert release.status == DataRelease.Status.PREVIEWED


def test_undoing_a_release_that_was_never_applied_is_refused_plainly(data_manager):
    release = DataRelease.objects.create(
        source="onspd", original_name="a.csv", sha256="0" * 64, size=1,
        uploaded_at="2026-12-01T00:00Z", status=DataRelease.Status.PREVIEWED,
    )  # fmt: skip
    url = reverse("admin:neighbourhoods_datarelease_undo", args=[release.pk])
    page = data_manager.post(url, follow=True)
    assert page.status_code == 200
    assert "There is no earlier applied release of this source" in page.content.decode()


def test_applying_needs_a_reason_and_a_checked_release(
    data_manager, django_capture_on_commit_callbacks
):
    release = DataRelease.objects.create(
        source="onspd", original_name="a.csv", sha256="0" * 64, size=1,
        uploaded_at="2026-12-01T00:00Z", status=DataRelease.Status.PREVIEWED,
    )  # fmt: skip
    url = reverse("admin:neighbourhoods_datarelease_apply", args=[release.pk])
    data_manager.post(url, {"reason": "   "})
    release.refresh_from_db()
    assert release.status == DataRelease.Status.PREVIEWED
    with django_capture_on_commit_callbacks() as queued:
        data_manager.post(url, {"reason": "ONS's February release"})
    release.refresh_from_db()
    assert release.status == DataRelease.Status.APPLYING and len(queued) == 1
    assert release.reason == "ONS's February release"
    with django_capture_on_commit_callbacks() as queued:
        response = data_manager.post(url, {"reason": "again"})  # once only
    assert len(queued) == 0
    assert (
        "Only a release that has been checked"
        in data_manager.get(response["Location"]).content.decode()
    )


def test_an_onspd_release_is_checked_previewed_applied_and_recorded(
    data_manager, borough, django_capture_on_commit_callbacks
):
    """The whole journey on the small borough, with the scheduler's tasks run at once (the
    tests' settings run django-q2 synchronously)."""
    from neighbourhoods.models import ImportRun, Postcode

    held = Postcode.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = data_manager.post(
            reverse(UPLOAD),
            {"source": "onspd", "file": SimpleUploadedFile("ONSPD_FEB_2024_UK.csv", ONSPD)},
        )
    release = DataRelease.objects.get()
    assert release.status == DataRelease.Status.PREVIEWED, release.message
    assert release.preview[0].startswith("Preview of import_onspd")
    assert any("would be added" in line for line in release.preview)
    assert Postcode.objects.count() == held  # nothing changed by the check
    assert not ImportRun.objects.filter(source="import_onspd").exists()
    page = data_manager.get(response["Location"]).content.decode()
    assert "What applying it would change" in page and "Apply this release" in page

    apply = reverse("admin:neighbourhoods_datarelease_apply", args=[release.pk])
    with django_capture_on_commit_callbacks(execute=True):
        data_manager.post(apply, {"reason": "ONS's February 2024 directory"})
    release.refresh_from_db()
    assert release.status == DataRelease.Status.APPLIED, release.message
    assert Postcode.objects.count() > held
    run = release.import_run
    assert run.source == "import_onspd" and run.outcome == ImportRun.Outcome.SUCCEEDED
    assert "ONS's February 2024 directory" in run.run_by
    assert run.release_date.isoformat() == "2024-02-01"  # from the file's own name
    page = data_manager.get(response["Location"]).content.decode()
    assert "What applying it changed" in page and "Undo" in page


def test_a_release_the_import_refuses_is_refused_with_its_words(
    data_manager, borough, django_capture_on_commit_callbacks
):
    broken = (TEST_DATA / "onspd_broken.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        data_manager.post(
            reverse(UPLOAD), {"source": "onspd", "file": SimpleUploadedFile("onspd.csv", broken)}
        )
    release = DataRelease.objects.get()
    assert release.status == DataRelease.Status.REFUSED
    assert "Nothing was changed" in release.message
    assert release.preview == []


def test_an_applied_release_is_undone_by_checking_and_applying_the_one_before_it(
    data_manager, borough, django_capture_on_commit_callbacks
):
    def upload_and_apply(name, content):
        with django_capture_on_commit_callbacks(execute=True):
            data_manager.post(
                reverse(UPLOAD), {"source": "onspd", "file": SimpleUploadedFile(name, content)}
            )
        release = DataRelease.objects.latest("uploaded_at")
        with django_capture_on_commit_callbacks(execute=True):
            data_manager.post(
                reverse("admin:neighbourhoods_datarelease_apply", args=[release.pk]),
                {"reason": f"{name} in use"},
            )
        release.refresh_from_db()
        assert release.status == DataRelease.Status.APPLIED, release.message
        return release

    first = upload_and_apply("ONSPD_FEB_2024_UK.csv", ONSPD)
    undo_first = reverse("admin:neighbourhoods_datarelease_undo", args=[first.pk])
    refused = data_manager.post(undo_first, follow=True).content.decode()
    assert "There is no earlier applied release of this source" in refused

    # The next release moves E9 9ZX a few metres; undoing it puts the first release back.
    moved = ONSPD.replace(b"535300,185000", b"535310,185010")
    assert moved != ONSPD
    second = upload_and_apply("ONSPD_MAY_2024_UK.csv", moved)
    with django_capture_on_commit_callbacks(execute=True):
        response = data_manager.post(
            reverse("admin:neighbourhoods_datarelease_undo", args=[second.pk])
        )
    again = DataRelease.objects.latest("uploaded_at")
    assert again.undoes == second and again.sha256 == first.sha256
    assert again.status == DataRelease.Status.PREVIEWED, again.message
    assert any("would change" in line for line in again.preview)
    assert response["Location"].endswith(f"/{again.pk}/change/")


def test_progress_keeps_the_latest_line_from_a_thread_of_its_own(monkeypatch):
    """The progress bars' latest line reaches the release from a thread of its own (so on a
    connection of its own, outside the import's transaction), once a second at most."""
    import threading

    from neighbourhoods.importers.releases import Progress

    stored = []
    monkeypatch.setattr(
        Progress, "_store", lambda self, line: stored.append((line, threading.get_ident()))
    )
    with Progress(release_id=1) as progress:
        progress.write("\rPostcodes:  20%|##        | 1/5 [00:01<00:04, 1.0block/s]")
        progress.write("\rPostcodes:  40%|####      | 2/5 [00:01<00:01, 1.9block/s]")
        progress.write("\n")  # nothing to keep
    lines = [line for line, _ in stored]
    assert lines[-1].startswith("Postcodes:  40%")
    assert len(lines) <= 2  # not one write to the database per update of the bar
    assert all(thread != threading.get_ident() for _, thread in stored)


class PageProgress(io.StringIO):
    """Where a release's import writes its progress, worded as the release's page words it."""

    bar_format = Progress.bar_format


def test_a_release_in_progress_says_in_words_how_far_it_has_got(borough, tmp_path):
    path = tmp_path / "ONSPD_FEB_2024_UK.csv"
    path.write_bytes(ONSPD)
    out = PageProgress()

    OnspdImport(progress_to=out).preview(file=str(path))

    lines = [line.strip() for line in out.getvalue().replace("\r", "\n").splitlines()]
    assert any(re.fullmatch(r"Postcodes: 100% read after 00:0\d, about 00:00 to go "
                            r"\(minutes:seconds\)", line) for line in lines), lines  # fmt: skip
    assert "Saving 3 postcodes: the database is comparing them with those held" in lines
    assert "Working out the postcode answers the changes touch" in lines


def test_a_release_whose_file_is_no_longer_kept_is_refused_in_words(borough):
    release = DataRelease.objects.create(
        source="onspd", original_name="ONSPD_FEB_2024_UK.csv", sha256="0" * 64, size=1,
        uploaded_at="2026-12-01T00:00Z",
    )  # fmt: skip

    release = release_check(release.pk)

    assert release.status == DataRelease.Status.REFUSED
    assert release.message == (
        "ONSPD_FEB_2024_UK.csv is no longer kept on the server: upload it again. Nothing was "
        "changed."
    )
