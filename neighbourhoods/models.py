import datetime

from django.contrib.gis.db import models
from django.db.models import Q, Sum
from django.urls import reverse

from partnership.models import PartnerOrganisation, Place, Source


class Neighbourhood(models.Model):
    """A group of GP practices (a Primary Care Network) named after a local park."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="neighbourhoods")
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    park_name = models.CharField(max_length=100)
    pcn_code = models.CharField(
        "ODS PCN code", max_length=10, unique=True, help_text="The Primary Care Network's ODS code."
    )
    pcn_name = models.CharField("ODS PCN name", max_length=200, blank=True)
    summary = models.TextField(help_text="One or two sentences for residents.")
    legacy_code = models.CharField(
        max_length=10, blank=True, help_text="The compass-point code used before 2019, if known."
    )
    partners = models.ManyToManyField(
        PartnerOrganisation,
        related_name="neighbourhoods",
        blank=True,
        help_text="Organisations involved in this neighbourhood's team.",
    )
    boundary = models.MultiPolygonField(
        srid=4326,
        null=True,
        blank=True,
        help_text="Indicative area. A resident's GP practice decides their neighbourhood.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("neighbourhoods:detail", kwargs={"slug": self.slug})

    def current_memberships(self, on=None):
        return self.memberships.current(on).select_related("practice").order_by("practice__name")

    def past_memberships(self, on=None):
        return self.memberships.ended(on).select_related("practice").order_by("practice__name")

    def registered_patients(self, on=None):
        return self.current_memberships(on).aggregate(total=Sum("practice__registered_patients"))[
            "total"
        ]


class NeighbourhoodAim(models.Model):
    """What every neighbourhood sets out to do, shown on the neighbourhoods pages."""

    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text[:80]


class Practice(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "A", "Active"
        CLOSED = "C", "Closed"
        DORMANT = "D", "Dormant"
        PROPOSED = "P", "Proposed"

    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200, help_text="The name residents know it by.")
    ods_name = models.CharField("ODS name", max_length=200, blank=True)
    address = models.TextField(blank=True, help_text="One line per address line.")
    postcode = models.CharField(max_length=8, blank=True)
    location = models.PointField(srid=4326, null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.ACTIVE)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    registered_patients = models.PositiveIntegerField(null=True, blank=True)
    registered_patients_as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.ods_code})"

    @property
    def address_lines(self):
        return [line for line in self.address.splitlines() if line.strip()]


def current_membership_q(on=None, prefix=""):
    """Memberships in force on a date (today by default); `prefix` follows a relation to them."""
    on = on or datetime.date.today()
    started = Q(**{f"{prefix}started_on__isnull": True}) | Q(**{f"{prefix}started_on__lte": on})
    not_ended = Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    return started & not_ended


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        return self.filter(current_membership_q(on))

    def ended(self, on=None):
        on = on or datetime.date.today()
        return self.filter(ended_on__lt=on)


class Membership(models.Model):
    """A practice's membership of a neighbourhood; ended memberships are kept, not deleted."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, related_name="memberships"
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["neighbourhood", "practice__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "neighbourhood", "started_on"], name="unique_membership_start"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.practice.name} in {self.neighbourhood.name}"

    @property
    def has_ended(self):
        return self.ended_on is not None and self.ended_on < datetime.date.today()
