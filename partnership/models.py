import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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


class PublishedQuerySet(models.QuerySet):
    def live(self):
        """What residents see: records not taken down (docs/history.md, Drafts)."""
        return self.filter(live=True)


class Publishable(models.Model):
    """A page that can be taken down (by hand, or at a date and time) and published again.
    A record is live from the moment it is published: a new one is not saved at all until
    then (its draft is kept instead; Draft)."""

    live = models.BooleanField(
        "published",
        default=True,
        help_text="Residents see it. Taking it down keeps it here, to publish again.",
    )
    expire_at = models.DateTimeField(
        "take down at",
        null=True,
        blank=True,
        help_text="Optional: the date and time (London) its page is taken down by itself.",
    )

    class Meta:
        abstract = True


class Draft(models.Model):
    """Changes to a record that residents do not see yet: the record's admin form as a member
    of staff submitted it with *Save draft* (or *Schedule*), kept rather than saved.
    Publishing submits the same form again, through the same admin page, so every check and
    every rule of saving applies then, as it would have then (docs/history.md, Drafts).
    A draft of a record not yet published has no `object_id`."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=300, help_text="The record's name, as drafted.")
    data = models.JSONField(help_text="The form as submitted: each field's values.")
    based_on = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The version of the record the draft was made from (its history id).",
    )
    saved_at = models.DateTimeField(auto_now=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    go_live_at = models.DateTimeField(
        "publish at", null=True, blank=True, help_text="When the scheduler publishes it."
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The publisher who scheduled it: it is published as theirs.",
    )
    problem = models.TextField(
        blank=True, help_text="Why a scheduled publish did not happen, in words."
    )

    class Meta:
        ordering = ["-saved_at"]
        permissions = [("publish_draft", "Can publish and schedule drafts, and take pages down")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=~models.Q(object_id=""),
                name="one_draft_per_record",
            )
        ]

    def __str__(self):
        return f"Draft of {self.content_type.name} “{self.name}”"

    @property
    def model(self):
        return self.content_type.model_class()

    @property
    def is_new(self) -> bool:
        return not self.object_id


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


class PlaceItem(Publishable):
    """An ordered line of a place's content: shared by priorities, programmes and challenges.
    Each can be taken down (by hand, or at its *take down at*) and published again, as a
    partner can: residents see the live ones (`place.priorities.live()`)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)
    live = models.BooleanField(
        "published",
        default=True,
        help_text="Residents see it on its place's page. Taking it down keeps it here, to "
        "publish again.",
    )
    expire_at = models.DateTimeField(
        "take down at",
        null=True,
        blank=True,
        help_text="Optional: the date and time (London) it is taken off its place's page by "
        "itself.",
    )

    objects = PublishedQuerySet.as_manager()

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


class PartnerOrganisation(OrderedContent, Publishable):
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

    objects = PublishedQuerySet.as_manager()
    history = audited(m2m_fields=["places"])

    def get_absolute_url(self):
        return reverse("partnership:partner-detail", kwargs={"slug": self.slug})


class ContactMessageQuerySet(models.QuerySet):
    def past_keeping(self, now=None):
        """Messages kept as long as the privacy notice says and no longer: closed ones
        KEEP_CLOSED after they were closed, any KEEP_ANY after they were sent."""
        now = now or timezone.now()
        return self.filter(
            models.Q(status=ContactMessage.Status.CLOSED, closed_at__lt=now - KEEP_CLOSED)
            | models.Q(sent_at__lt=now - KEEP_ANY)
        )


# How long a message is kept (the privacy notice states both, from here).
KEEP_CLOSED_MONTHS = 6
KEEP_ANY_MONTHS = 24
KEEP_CLOSED = datetime.timedelta(days=KEEP_CLOSED_MONTHS * 31)
KEEP_ANY = datetime.timedelta(days=KEEP_ANY_MONTHS * 31)


class ContactMessage(models.Model):
    """A message a resident sent through the contact form, in staff's queue. Only what the
    privacy notice declares is kept: the message, the page it was sent from (its path, never
    its query), a reply-to email if given, when it was sent, and how staff are handling it.
    No history is kept of it, so deleting it deletes it."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_HAND = "in_hand", "In hand"
        CLOSED = "closed", "Closed"

    message = models.TextField()
    page = models.CharField(
        "page it came from", max_length=300, blank=True,
        help_text="The address of the page the resident was on, without any search they made.",
    )  # fmt: skip
    reply_to = models.EmailField("reply-to email", blank=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "message from the contact form"
        verbose_name_plural = "messages from the contact form"

    def __str__(self):
        first = " ".join(self.message.split())
        return first[:60] + ("…" if len(first) > 60 else "")

    def save(self, *args, **kwargs):
        # The retention clock starts when a message is closed, and stops if it is reopened.
        if self.status == self.Status.CLOSED:
            self.closed_at = self.closed_at or timezone.now()
        else:
            self.closed_at = None
        if kwargs.get("update_fields") is not None and "status" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "closed_at"}
        super().save(*args, **kwargs)
