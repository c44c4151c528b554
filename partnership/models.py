from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.audit.trail import audited


class Source(models.Model):
    """Where a piece of content came from, so staff can check and update it."""

    key = models.SlugField(unique=True, help_text="Short reference used in fixtures.")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    published = models.CharField(
        max_length=50, blank=True, help_text="Date or year of publication, as the source gives it."
    )
    url = models.URLField(blank=True)
    notes = models.TextField(blank=True, help_text="What was taken from it and what was updated.")

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def citation(self) -> str:
        """The source as the public pages name it: title, publisher (when published), as the
        "About the data" page lists it."""
        text = f"{self.title}, {self.publisher}" if self.publisher else self.title
        return f"{text} ({self.published})" if self.published else text


class OrderedContent(models.Model):
    """Named content staff put in order, recording where it came from, when it was published
    here and when a person last checked it is true (docs/history.md, "Review dates").

    The review fields are set only by a person marking the page reviewed in the admin
    (partnership.services.pages_mark_reviewed): no form, loader or migration sets them. The
    admin leaves all three out of its forms (neighbourhoods.audit.admin.ReviewedAdmin); they
    are not `editable=False`, which would leave them out of the history's "what changed"."""

    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)
    published_on = models.DateField(
        "published on this site",
        null=True,
        blank=True,
        default=timezone.localdate,
        help_text="When its text was first published on the portal.",
    )
    reviewed_on = models.DateField(
        "last reviewed",
        null=True,
        blank=True,
        help_text="When a member of staff last marked it as reviewed. Residents see it as "
        "'Page last reviewed'; until then, where its text came from and when it was published.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="reviewed by",
    )

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class PlaceQuerySet(models.QuerySet):
    def main(self):
        """The place this portal is about: the first in the admin's order (None if none)."""
        return self.order_by("order", "pk").first()


class Place(OrderedContent):
    """A place partnership: the NHS, councils and providers planning care for one area."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    summary = models.TextField(help_text="One or two sentences for residents.")
    description = models.TextField(blank=True)
    nhs_body = models.CharField(
        max_length=200, blank=True, help_text="The integrated care board the place sits in."
    )
    sub_icb_location_code = models.CharField(max_length=10, blank=True)
    local_authority_codes = ArrayField(
        models.CharField(max_length=9),
        default=list,
        blank=True,
        help_text="GSS codes of the local authorities the place covers, comma-separated "
        "(E09000001 is the City of London, E09000012 Hackney).",
    )
    residents = models.PositiveIntegerField(null=True, blank=True)
    residents_note = models.CharField(
        max_length=300, blank=True, help_text="Where the resident figure comes from."
    )
    registered_patients = models.PositiveIntegerField(null=True, blank=True)
    registered_patients_as_of = models.DateField(null=True, blank=True)
    languages_note = models.CharField(max_length=300, blank=True)

    objects = PlaceQuerySet.as_manager()
    history = audited()

    def get_absolute_url(self):
        return reverse("partnership:place-detail", kwargs={"slug": self.slug})


class PlaceItem(models.Model):
    """An ordered line of a place's content: shared by priorities, programmes and challenges."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        abstract = True
        ordering = ["place", "order", "pk"]

    def __str__(self):
        return self.title


class Priority(PlaceItem):
    history = audited()

    class Meta(PlaceItem.Meta):
        verbose_name_plural = "priorities"
        default_related_name = "priorities"


class WorkProgramme(PlaceItem):
    history = audited()

    class Meta(PlaceItem.Meta):
        default_related_name = "work_programmes"


class HealthChallenge(PlaceItem):
    history = audited()

    class Meta(PlaceItem.Meta):
        default_related_name = "health_challenges"


class PartnerOrganisation(OrderedContent):
    class Kind(models.TextChoices):
        NHS_COMMISSIONER = "nhs_commissioner", "NHS commissioner"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        NHS_PROVIDER = "nhs_provider", "NHS provider"
        GP_FEDERATION = "gp_federation", "GP federation"
        VOLUNTARY = "voluntary", "Voluntary and community sector"
        HOSPICE = "hospice", "Hospice"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    summary = models.TextField(help_text="What it does for residents, in plain English.")
    role_in_partnership = models.TextField(blank=True)
    website = models.URLField(blank=True)
    places = models.ManyToManyField(Place, related_name="partners", blank=True)
    is_core_partner = models.BooleanField(
        default=False,
        help_text="Core partners plan and buy care together; others provide services.",
    )
    based_outside_area = models.BooleanField(
        "based outside the area",
        default=False,
        help_text="A hospital or service elsewhere that residents use, rather than one "
        "working in City and Hackney's neighbourhoods.",
    )

    history = audited(m2m_fields=["places"])

    def get_absolute_url(self):
        return reverse("partnership:partner-detail", kwargs={"slug": self.slug})
