"""The profile on a neighbourhood's page, the comparison page and the profile's API answers,
on the small borough with its made-up statistics (tests/neighbourhoods/profile_files.py)."""

import csv
import io

import pytest
from django.core.management import call_command

from tests.neighbourhoods.profile_files import FIGURES, write_profile_files

LONDON_FIELDS = ("C1", "H1", "H2")


def residents(names):
    return sum(FIGURES[n][0] for n in names)


def test_the_page_shows_the_profile_beside_city_and_hackney(client, statistics):
    page = client.get("/neighbourhoods/london-fields/").content.decode()
    assert "Who lives here" in page
    assert f"({residents(LONDON_FIELDS):,} summed from the published counts)" in page
    assert f"of City and Hackney's {residents(FIGURES):,}" in page
    # Each chart has its table.
    for caption in ("by age (Census 2021)", "by ethnic group (Census 2021)",
                    "by national IMD 2025 decile"):  # fmt: skip
        assert f"Residents of London Fields {caption}" in page
    # H1 (decile 1) and H2 (decile 2) of 4,800 residents are in the most deprived fifth.
    share = round(100 * (FIGURES["H1"][0] + FIGURES["H2"][0]) / residents(LONDON_FIELDS), 1)
    assert f"{share}% of the residents of London Fields" in page
    assert "Deprivation of the registered patients (IMD 2019)" in page
    assert '<svg class="portal-decile-map"' in page and "The map as a list" in page
    assert "Open Government Licence v3.0" in page and "released 30 October 2025" in page


def test_a_count_under_ten_is_left_out_on_the_page_and_said_so(client, statistics, tmp_path):
    # London Fields' "Other ethnic group": 5 + 3 + 2 = 10 is shown; Clissold Park's 0 too.
    page = client.get("/neighbourhoods/london-fields/").content.decode()
    assert "Fewer than 10" not in page
    figures = {**FIGURES, "H2": (*FIGURES["H2"][:2], [100, 800, 799, 1], *FIGURES["H2"][3:])}
    write_profile_files(tmp_path / "again", figures)
    call_command("import_profiles", data_dir=str(tmp_path / "again"), stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    page = client.get("/neighbourhoods/london-fields/").content.decode()
    assert "Fewer than 10" in page
    assert "the count of &#x27;Other ethnic group&#x27; is under 10" in page


def test_the_page_without_statistics_has_no_profile(client, borough):
    page = client.get("/neighbourhoods/london-fields/")
    assert page.status_code == 200 and "Who lives here" not in page.content.decode()


def test_the_comparison_sorts_by_links_and_keeps_city_and_hackney_last(client, statistics):
    page = client.get("/neighbourhoods/compare/?sort=residents&order=desc").content.decode()
    london, clissold = page.index(">London Fields<"), page.index(">Clissold Park<")
    whole = page.index("City and Hackney (all 5 small areas)")
    assert london < clissold < whole  # 4,800 residents before 1,800
    assert 'href="?sort=residents&amp;order=asc"' in page  # choose again to reverse
    page = client.get("/neighbourhoods/compare/?sort=residents&order=asc").content.decode()
    assert (
        page.index(">Clissold Park<")
        < page.index(">London Fields<")
        < page.index("City and Hackney (all")
    )


@pytest.mark.parametrize("query", ["sort=bogus", "sort=residents&order=sideways"])
def test_a_sort_that_is_not_offered_is_a_clear_400(client, statistics, query):
    response = client.get(f"/neighbourhoods/compare/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error:" in page and "There is a problem" in page
    assert client.get(f"/neighbourhoods/compare.csv?{query}").status_code == 400


def test_the_comparison_as_csv(client, statistics):
    response = client.get("/neighbourhoods/compare.csv?sort=residents&order=desc")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Open Government Licence" in line for line in comments)
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert [row["name"] for row in rows] == ["London Fields", "Clissold Park", "City and Hackney"]
    assert int(rows[0]["residents"]) == residents(LONDON_FIELDS)
    assert int(rows[2]["residents"]) == residents(FIGURES)


def test_the_profile_as_json_carries_the_releases(client, statistics):
    response = client.get("/api/v1/neighbourhoods/london-fields/profile")
    assert response.status_code == 200
    answer = response.json()
    assert answer["neighbourhood"]["residents"] == residents(LONDON_FIELDS)
    assert answer["city_and_hackney"]["residents"] == residents(FIGURES)
    assert "map" not in answer["neighbourhood"]
    assert answer["registered_patients_imd2019"]["pcn"]["decile"] == 2
    dates = {release["source"]: release["release_date"] for release in answer["releases"]}
    assert dates["English Indices of Deprivation 2025, by LSOA"] == "2025-10-30"
    assert all(release["attribution"] for release in answer["releases"])


def test_the_profile_as_csv(client, statistics):
    response = client.get("/api/v1/neighbourhoods/london-fields/profile.csv")
    text = response.content.decode()
    assert "attachment" in response["Content-Disposition"]
    assert "# English Indices of Deprivation 2025" in text and "released 2025-10-30" in text
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    assert rows[0][:3] == ["section", "measure", "residents"]
    people = {row[1]: row for row in rows}
    assert int(people["Census 2021 usual residents"][2]) == residents(LONDON_FIELDS)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/neighbourhoods/nowhere/profile", "neighbourhood_not_found"),
        ("/api/v1/neighbourhoods/NOT%20A%20SLUG/profile.csv", "neighbourhood_not_found"),
    ],
)
def test_an_unknown_neighbourhood_is_a_404(client, statistics, path, code):
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == code


def test_no_statistics_is_a_404_that_says_so(client, borough):
    response = client.get("/api/v1/neighbourhoods/london-fields/profile")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "profile_not_found"


def test_the_move_preview_shows_both_profiles_before_and_after(staff_client, statistics):
    from django.urls import reverse

    from neighbourhoods.models import BoundaryVersion, NeighbourhoodProfile

    borough = statistics
    h1 = borough.lsoas["H1"]
    url = reverse("admin:neighbourhoods_lsoa_move")
    html = staff_client.get(
        url, {"ids": h1.pk, "neighbourhood": borough.clissold_park.pk}
    ).content.decode()
    table = html[html.index('id="move-profiles"') :]
    table = table[: table.index("</table>")]
    before_lf, after_lf = residents(LONDON_FIELDS), residents(("C1", "H2"))
    assert f"<td>{before_lf:,}</td><td>{after_lf:,}</td>" in table
    before_cp, after_cp = residents(("H3",)), residents(("H3", "H1"))
    assert f"<td>{before_cp:,}</td><td>{after_cp:,}</td>" in table
    assert "In England's most deprived fifth" in table and "Aged 65 years and over" in table

    versions = BoundaryVersion.objects.count()
    response = staff_client.post(
        url,
        {"ids": h1.pk, "confirm": "yes", "neighbourhood": borough.clissold_park.pk,
         "reason": "Checked with the team", "understood": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert BoundaryVersion.objects.count() == versions + 1
    latest = BoundaryVersion.objects.latest()
    moved = NeighbourhoodProfile.objects.get(version=latest, neighbourhood=borough.clissold_park)
    assert moved.figures["residents"] == after_cp


def test_a_neighbourhood_with_no_lsoas_says_so_rather_than_show_empty_shares(client, statistics):
    from neighbourhoods.services.moves import lsoas_move

    borough = statistics
    lsoas_move(lsoa_ids=[borough.lsoas["H3"].pk], neighbourhood=None)
    page = client.get("/neighbourhoods/clissold-park/").content.decode()
    assert "No small statistical areas (LSOAs) are in Clissold Park" in page
    assert "Residents of Clissold Park by age" not in page
    compare = client.get("/neighbourhoods/compare/?sort=most_deprived_fifth_share&order=desc")
    assert compare.status_code == 200
    row = compare.content.decode().split(">Clissold Park<")[1].split("</tr>")[0]
    assert row.count("Not known") == 6  # its six shares; 0 residents; its patients known
