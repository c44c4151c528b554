import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from neighbourhoods.models import (
    DataRelease,
    LocalAuthority,
    Lsoa,
    Membership,
    Neighbourhood,
    NeighbourhoodAim,
    Postcode,
    Practice,
)
from partnership.models import (
    ContactMessage,
    Draft,
    HealthChallenge,
    PartnerOrganisation,
    Place,
    Priority,
    Source,
    WorkProgramme,
)
from workstreams.models import Workstream, WorkstreamPriority


def square(x, y, size=0.01):
    """A square area with its south-west corner at (x, y), in degrees. Corners are rounded
    to 9 places, so squares side by side share their edges exactly (-0.08 + 0.01 is not
    -0.07 in floating point) and their union is one piece."""
    x1, y1 = round(x + size, 9), round(y + size, 9)
    return MultiPolygon(Polygon(((x, y), (x1, y), (x1, y1), (x, y1), (x, y))), srid=4326)


def rectangle(west, south, east, north):
    """An area between two longitudes and two latitudes, in degrees."""
    ring = ((west, south), (east, south), (east, north), (west, north), (west, south))
    return MultiPolygon(Polygon(ring), srid=4326)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    key = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Source document {n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ["slug"]

    name = "City and Hackney"
    slug = "city-and-hackney"
    summary = "The NHS and councils plan care together."
    description = "A place partnership within NHS North East London."
    nhs_body = "NHS North East London"
    sub_icb_location_code = "A3A8R"
    residents = 267800


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    place = factory.SubFactory(PlaceFactory)
    title = factory.Sequence(lambda n: f"Priority {n}")
    order = factory.Sequence(int)


class WorkProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkProgramme

    place = factory.SubFactory(PlaceFactory)
    title = factory.Sequence(lambda n: f"Work programme {n}")


class HealthChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthChallenge

    place = factory.SubFactory(PlaceFactory)
    title = factory.Sequence(lambda n: f"Health challenge {n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    kind = PartnerOrganisation.Kind.NHS_PROVIDER
    summary = "Runs local services."


class WorkstreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workstream

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Workstream {n}")
    slug = factory.Sequence(lambda n: f"workstream-{n}")
    summary = "Plans a kind of care."


class WorkstreamPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkstreamPriority

    workstream = factory.SubFactory(WorkstreamFactory)
    title = factory.Sequence(lambda n: f"Workstream priority {n}")
    order = factory.Sequence(int)


def workstream_with_priorities(
    name="Adults", titles=("Falls", "Frailty", "Loneliness"), partners=()
):
    """A workstream with its priorities numbered 1, 2, 3… in the order given (and its
    partners), and its version recording them, as adding them in the admin would leave it."""
    from workstreams.services import priorities_reorder

    workstream = WorkstreamFactory(name=name)
    for number, title in enumerate(titles, start=1):
        WorkstreamPriorityFactory(workstream=workstream, title=title, order=number)
    if partners:
        workstream.partners.set(partners)
    priorities_reorder(workstream=workstream)
    return workstream


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Park {n}")
    slug = factory.Sequence(lambda n: f"park-{n}")
    park_name = factory.LazyAttribute(lambda o: o.name)
    pcn_code = factory.Sequence(lambda n: f"U{n:05d}")
    summary = "A group of GP practices."


class NeighbourhoodAimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeighbourhoodAim

    text = factory.Sequence(lambda n: f"Aim {n}")


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    ods_code = factory.Sequence(lambda n: f"F9{n:04d}")
    name = factory.Sequence(lambda n: f"Practice {n}")
    address = "1 High Street\nLondon"
    postcode = "E8 1DY"
    location = factory.LazyFunction(lambda: Point(-0.06, 51.55, srid=4326))
    phone = "020 7000 0000"
    registered_patients = 10000
    registered_patients_as_of = datetime.date(2026, 4, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    practice = factory.SubFactory(PracticeFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    started_on = datetime.date(2019, 10, 1)


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ["gss_code"]

    gss_code = factory.Sequence(lambda n: f"E0999{n:04d}")
    name = factory.Sequence(lambda n: f"Borough {n}")
    boundary = factory.LazyFunction(lambda: square(-0.2, 51.4, 0.1))


class LsoaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lsoa

    code = factory.Sequence(lambda n: f"E0199{n:04d}")
    name = factory.Sequence(lambda n: f"Test 999{n}")
    local_authority_code = "E09999999"
    boundary = factory.LazyFunction(lambda: square(-0.3, 51.3))


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postcode

    postcode = factory.Sequence(lambda n: f"ZZ{n % 90 + 10} {n % 10}ZZ")
    outcode = factory.LazyAttribute(lambda o: o.postcode.split()[0])
    location = factory.LazyFunction(lambda: Point(-0.29, 51.31, srid=4326))
    local_authority_code = "E09999999"
    source = Postcode.Source.ONSPD


class DataReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataRelease

    source = DataRelease.Source.ONSPD
    original_name = factory.Sequence(lambda n: f"ONSPD_FEB_2024_UK_{n}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    size = 1000
    uploaded_at = factory.LazyFunction(timezone.now)


class DraftFactory(factory.django.DjangoModelFactory):
    """A draft of a partner's page, as its admin form keeps it."""

    class Meta:
        model = Draft

    content_type = factory.LazyFunction(
        lambda: ContentType.objects.get_for_model(PartnerOrganisation)
    )
    object_id = factory.LazyFunction(lambda: str(PartnerFactory().pk))
    name = "Hackney CVS"
    data = factory.LazyFunction(lambda: {"summary": ["Drafted words."]})


class ContactMessageFactory(factory.django.DjangoModelFactory):
    """A message from the contact form, as a resident sends it."""

    class Meta:
        model = ContactMessage

    message = "The map on this page shows the wrong practice for Dalston."
    page = "/neighbourhoods/london-fields/"
