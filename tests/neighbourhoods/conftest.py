"""A small borough built by factories, for the fast tests of the core: lookups, stored answers,
move previews and boundary versions.

Five LSOAs in a row, west to east, each a square of 0.01 degrees (about 690 m by 1.1 km)
between latitudes 51.54 and 51.55, with Islington to their west:

    Islington | C1 (City) | H1 | H2 | H3 | H4      (H1 to H4 in Hackney)
              |    London Fields     | Clissold | no neighbourhood
                                       Park

The City of London (E09000001) and Hackney (E09000012) are the place's local authorities;
Islington (E09000019) is outside. Every postcode lies on the middle line (latitude about
51.545) unless said, so a practice's distance from it is its difference in longitude.

After the rows are built, the answers are worked out as the imports do (within
answers_deferred, rebuild_areas then recompute_postcode_answers), so every stored answer,
district answer and the first boundary version are the project's own.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.gis.geos import Point
from django.db import connection, transaction

from neighbourhoods.models import (
    LocalAuthority,
    Lsoa,
    Membership,
    Neighbourhood,
    Postcode,
    Practice,
)
from neighbourhoods.services.answers import answers_deferred, answers_recompute
from neighbourhoods.services.areas import areas_rebuild
from neighbourhoods.services.moves import lsoas_move
from partnership.models import Place
from tests.factories import (
    LocalAuthorityFactory,
    LsoaFactory,
    MembershipFactory,
    NeighbourhoodFactory,
    PlaceFactory,
    PostcodeFactory,
    PracticeFactory,
    rectangle,
    square,
)

HACKNEY, CITY, ISLINGTON = "E09000012", "E09000001", "E09000019"
SOUTH, NORTH, MIDDLE = 51.54, 51.55, 51.545
# The west edge of each LSOA: C1 is in the City, H1 to H4 in Hackney.
LSOA_WEST = {"C1": -0.09, "H1": -0.08, "H2": -0.07, "H3": -0.06, "H4": -0.05}
LSOA_AUTHORITY = {"C1": CITY, "H1": HACKNEY, "H2": HACKNEY, "H3": HACKNEY, "H4": HACKNEY}
LSOA_CODE = {name: f"E019900{i:02d}" for i, name in enumerate(LSOA_WEST, start=1)}
LSOA_NEIGHBOURHOOD = {"C1": "london-fields", "H1": "london-fields", "H2": "london-fields",
                      "H3": "clissold-park", "H4": None}  # fmt: skip


def centre(lsoa: str) -> tuple[float, float]:
    """(longitude, latitude) of an LSOA's centre."""
    return round(LSOA_WEST[lsoa] + 0.005, 6), MIDDLE


# ods code: name, where (longitude, latitude) or None, and its memberships
# (neighbourhood, started, ended) in days from today (None: no date).
PRACTICES = {
    "F90001": ("Dalston Practice", centre("H1"), [("london-fields", None, None)]),
    "F90002": ("City Practice", centre("C1"), [("london-fields", -2000, None)]),
    # Nearer E8 1DY than any other, but its membership has ended or not begun.
    "F90003": ("Ended Surgery", (-0.066, MIDDLE), [("london-fields", -2000, -30)]),
    "F90004": ("Future Surgery", (-0.064, MIDDLE), [("london-fields", 30, None)]),
    "F90005": ("Stoke Newington Practice", centre("H3"), [("clissold-park", -2000, None)]),
    "F90006": ("No Location Surgery", None, [("london-fields", None, None)]),
}

# postcode: (longitude, latitude), local authority, terminated on
POSTCODES = {
    "E8 1DY": ((-0.065, MIDDLE), HACKNEY, None),  # H2, London Fields
    "E8 2AA": ((-0.063, 51.543), HACKNEY, None),  # H2
    "E8 9ZY": ((-0.062, 51.546), HACKNEY, datetime.date(2018, 3, 1)),  # H2, terminated
    "E8 1AA": ((-0.075, 51.546), HACKNEY, None),  # H1
    "EC2Y 5DE": ((-0.085, 51.546), CITY, None),  # C1
    # The City's by its code, but its point is 55 m north of every LSOA: the nearest, C1.
    "EC4Y 9AH": ((-0.085, 51.5505), CITY, None),
    "N16 9JT": ((-0.055, 51.546), HACKNEY, None),  # H3, Clissold Park
    "E8 4AA": ((-0.056, 51.544), HACKNEY, None),  # H3
    "E9 5AA": ((-0.045, MIDDLE), HACKNEY, None),  # H4, in no neighbourhood
    "N1 1AA": ((-0.10, MIDDLE), ISLINGTON, None),  # in Islington
    # Inside H3's square, but Islington's by its code: its code decides.
    "N16 8HU": ((-0.0555, 51.5485), ISLINGTON, None),
}

# What the rows above make, worked out by hand.
IN_LSOA = {"E8 1DY": "H2", "E8 2AA": "H2", "E8 9ZY": "H2", "E8 1AA": "H1", "EC2Y 5DE": "C1",
           "EC4Y 9AH": "C1", "N16 9JT": "H3", "E8 4AA": "H3", "E9 5AA": "H4"}  # fmt: skip


@dataclass
class Borough:
    place: Place
    authorities: dict[str, LocalAuthority]
    neighbourhoods: dict[str, Neighbourhood]  # by slug
    lsoas: dict[str, Lsoa]  # C1, H1 ... H4
    practices: dict[str, Practice]  # by ODS code
    memberships: dict[str, list[Membership]] = field(default_factory=dict)  # by ODS code
    postcodes: dict[str, Postcode] = field(default_factory=dict)

    @property
    def london_fields(self) -> Neighbourhood:
        return self.neighbourhoods["london-fields"]

    @property
    def clissold_park(self) -> Neighbourhood:
        return self.neighbourhoods["clissold-park"]


def _day(offset):
    return None if offset is None else datetime.date.today() + datetime.timedelta(days=offset)


def build_borough() -> Borough:
    with answers_deferred():
        place = PlaceFactory(local_authority_codes=[HACKNEY, CITY])
        authorities = {
            HACKNEY: LocalAuthorityFactory(
                gss_code=HACKNEY, name="Hackney", nhs_body="NHS North East London",
                boundary=rectangle(-0.08, SOUTH, -0.04, NORTH),
            ),
            CITY: LocalAuthorityFactory(
                gss_code=CITY, name="City of London", nhs_body="NHS North East London",
                boundary=square(-0.09, SOUTH),
            ),
            ISLINGTON: LocalAuthorityFactory(
                gss_code=ISLINGTON, name="Islington", nhs_body="NHS North Central London",
                boundary=rectangle(-0.11, SOUTH, -0.09, NORTH),
            ),
        }  # fmt: skip
        neighbourhoods = {
            "london-fields": NeighbourhoodFactory(
                place=place, name="London Fields", slug="london-fields", pcn_code="U40100"
            ),
            "clissold-park": NeighbourhoodFactory(
                place=place, name="Clissold Park", slug="clissold-park", pcn_code="U51492"
            ),
        }
        lsoas = {
            name: LsoaFactory(
                code=LSOA_CODE[name],
                name=f"Test {name}",
                local_authority_code=LSOA_AUTHORITY[name],
                boundary=square(west, SOUTH),
                neighbourhood=neighbourhoods.get(LSOA_NEIGHBOURHOOD[name]),
            )
            for name, west in LSOA_WEST.items()
        }
        practices, memberships = {}, {}
        for ods_code, (name, where, joined) in PRACTICES.items():
            practices[ods_code] = PracticeFactory(
                ods_code=ods_code,
                name=name,
                address=f"1 {name} Road\nLondon",
                postcode="E8 1AA",
                location=Point(*where, srid=4326) if where else None,
            )
            memberships[ods_code] = [
                MembershipFactory(
                    practice=practices[ods_code],
                    neighbourhood=neighbourhoods[slug],
                    started_on=_day(started),
                    ended_on=_day(ended),
                )
                for slug, started, ended in joined
            ]
        postcodes = {
            code: PostcodeFactory(
                postcode=code,
                location=Point(*where, srid=4326),
                local_authority_code=authority,
                terminated=terminated_on is not None,
                terminated_on=terminated_on,
            )
            for code, (where, authority, terminated_on) in POSTCODES.items()
        }
        # As load_neighbourhood_areas and import_boundaries do.
        areas_rebuild()
        answers_recompute(everything=True)
    return Borough(place, authorities, neighbourhoods, lsoas, practices, memberships, postcodes)


def load_borough() -> Borough:
    """The borough as the database holds it now, in instances of this test's own."""
    practices = Practice.objects.in_bulk(list(PRACTICES), field_name="ods_code")
    memberships = {code: [] for code in PRACTICES}
    for membership in Membership.objects.filter(practice__ods_code__in=list(PRACTICES)):
        memberships[membership.practice.ods_code].append(membership)
    by_code = Lsoa.objects.in_bulk(list(LSOA_CODE.values()), field_name="code")
    return Borough(
        place=Place.objects.main(),
        authorities=LocalAuthority.objects.in_bulk(
            [HACKNEY, CITY, ISLINGTON], field_name="gss_code"
        ),
        neighbourhoods=Neighbourhood.objects.in_bulk(
            ["london-fields", "clissold-park"], field_name="slug"
        ),
        lsoas={name: by_code[code] for name, code in LSOA_CODE.items()},
        practices=practices,
        memberships=memberships,
        postcodes=Postcode.objects.in_bulk(list(POSTCODES), field_name="postcode"),
    )


def empty_the_portal_tables():
    """A whole run (`make test`) loads the real data into the database these tests share:
    empty the portal's own tables, within the transaction the module rolls back, so the
    borough is all there is and the real data is back for the tests after."""
    models = [
        model
        for label in ("partnership", "workstreams", "neighbourhoods")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    tables = dict.fromkeys(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def _module_transaction(django_db_blocker, *setup):
    """Run `setup` in a transaction kept open for a module and rolled back after its last
    test. Each test runs in a savepoint within it (pytest-django's `db`), so what one test
    changes is undone before the next."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            for step in setup:
                step()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _built_borough(django_db_setup, django_db_blocker):
    """The borough, built once for a module, on the portal's tables emptied."""
    yield from _module_transaction(django_db_blocker, empty_the_portal_tables, build_borough)


@pytest.fixture(scope="module")
def _emptied_portal(django_db_setup, django_db_blocker):
    """The portal's tables emptied for a module (as _built_borough, without the borough): for
    tests that make every record they read, and name them as the real data does."""
    yield from _module_transaction(django_db_blocker, empty_the_portal_tables)


@pytest.fixture
def empty_portal(_emptied_portal, db):
    """No practice, partner, neighbourhood or history but what the test makes."""


@pytest.fixture
def borough(_built_borough, db) -> Borough:
    return load_borough()


@pytest.fixture
def population(settings, tmp_path):
    """An open data folder holding only residents by LSOA: C1, H1 and H2 have an estimate,
    H3 and H4 none (as a 2021 LSOA with a new code has none)."""
    from neighbourhoods.population import ESTIMATES

    residents = {"C1": 1500, "H1": 1600, "H2": 1700}
    path = tmp_path / ESTIMATES
    path.parent.mkdir(parents=True)
    lines = ["LSOA11CD,LSOA11NM,Persons_All-Ages"]
    lines += [f"{LSOA_CODE[name]},Test {name},{count}" for name, count in residents.items()]
    path.write_text("\n".join(lines) + "\n")
    settings.PORTAL_DATA_DIR = tmp_path
    return {LSOA_CODE[name]: count for name, count in residents.items()}


@pytest.fixture
def statistics(borough, tmp_path):
    """The small borough with its made-up profile statistics imported
    (tests/neighbourhoods/profile_files.py)."""
    import io

    from django.core.management import call_command

    from tests.neighbourhoods.profile_files import write_profile_files

    write_profile_files(tmp_path)
    call_command("import_profiles", data_dir=str(tmp_path), stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    return borough


def london(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment on a day, London time."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def dated_versions(borough):
    """The borough's areas published four times:

    1. as built, ten days ago at 09:00;
    2. H2 (E8 1DY's LSOA) moved to Clissold Park, three days ago at 23:30 (still that day);
    3. Clissold Park renamed Clissold and Stoke Newington (a new slug too), today;
    4. H4 (E9 5AA's LSOA, in no neighbourhood until now) moved to it, today.
    """
    from django.utils import timezone

    from neighbourhoods.models import BoundaryVersion

    today = timezone.localdate()
    first, second = today - datetime.timedelta(days=10), today - datetime.timedelta(days=3)
    [built] = BoundaryVersion.objects.all()
    BoundaryVersion.objects.filter(pk=built.pk).update(published_at=london(first, 9))
    clissold = borough.clissold_park
    lsoas_move(lsoa_ids=[borough.lsoas["H2"].pk], neighbourhood=clissold,
                        reason="H2 to Clissold Park")  # fmt: skip
    moved = BoundaryVersion.objects.latest()
    BoundaryVersion.objects.filter(pk=moved.pk).update(published_at=london(second, 23, 30))
    clissold.name, clissold.slug = "Clissold and Stoke Newington", "clissold-and-stoke-newington"
    clissold.save()
    renamed = BoundaryVersion.objects.latest()
    lsoas_move(lsoa_ids=[borough.lsoas["H4"].pk], neighbourhood=clissold,
                        reason="H4 given a neighbourhood")  # fmt: skip
    latest = BoundaryVersion.objects.latest()
    versions = [BoundaryVersion.objects.get(pk=v.pk) for v in (built, moved, renamed, latest)]
    assert len({v.pk for v in versions}) == 4 == BoundaryVersion.objects.count()
    return {"versions": versions, "first": first, "second": second, "today": today}
