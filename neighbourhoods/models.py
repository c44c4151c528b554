import datetime
import functools
import re
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils.text import slugify

from partnership.models import OrderedContent, PartnerOrganisation, Place, Source

from .audit.trail import audited, last_version

# Removal: a practice or neighbourhood deleted in the admin is kept, marked removed (who, and
# when), so it can be restored with the memberships its removal ended (services/removal.py).
# A removed record is left out of everything the portal shows: every read that residents,
# the API or the admin's lists see asks for `not_removed()` (or, in SQL, `removed_at IS
# NULL`). The default managers still hold every record, so the imports, unique checks and
# the audit trail see removed records too.
REMOVAL_FIELDS = ["removed_at", "removed_by"]


class RemovableQuerySet(models.QuerySet):
    def not_removed(self):
        return self.filter(removed_at__isnull=True)

    def removed(self):
        return self.filter(removed_at__isnull=False)


class Removable(models.Model):
    """A record that staff delete by removing it (services.removal): kept, and hidden."""

    removed_at = models.DateTimeField("deleted at", null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="deleted by",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


# What a form may choose: a membership, an LSOA or a postcode is never given a removed one.
NOT_REMOVED = {"removed_at__isnull": True}


class Neighbourhood(OrderedContent, Removable):
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

    objects = RemovableQuerySet.as_manager()
    # The area is kept by the boundary versions, not in every history row; removal is
    # recorded by the rows its service writes (with their reason), and is undone only by
    # restoring, never by restoring an earlier version.
    history = audited(excluded_fields=["boundary", *REMOVAL_FIELDS], m2m_fields=["partners"])

    def get_absolute_url(self):
        return reverse("neighbourhoods:detail", kwargs={"slug": self.slug})

    def current_memberships(self, on=None):
        return (
            self.memberships.current(on)
            .not_removed()
            .select_related("practice")
            .order_by("practice__name")
        )

    def past_memberships(self, on=None):
        return (
            self.memberships.ended(on)
            .not_removed()
            .select_related("practice")
            .order_by("practice__name")
        )


class NeighbourhoodAim(models.Model):
    """What every neighbourhood sets out to do, shown on the neighbourhoods pages."""

    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)

    history = audited()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text[:80]


# Word similarity at or above this is a match ("bartn" finds Barton House, 0.67); between
# SUGGEST and STRONG it is only offered as "Did you mean" ("homerton" is 0.56 like Barton).
STRONG_SIMILARITY = 0.6
SUGGEST_SIMILARITY = 0.4
MIN_SEARCH_LENGTH = 2
# Words of a search after these are not read: no name or address needs more.
MAX_SEARCH_WORDS = 8


class PracticeQuerySet(RemovableQuerySet):
    def open_at(self, postcode: str, *, but=None):
        """Practices open now at a postcode (other than `but`), by name."""
        practices = self.filter(status="A", postcode=postcode).order_by("name")
        return practices.exclude(pk=but.pk) if but is not None else practices

    def search(self, query: str):
        """Practices matching a name (even misspelt), a place or street in their address, an
        ODS code, a postcode or the start of one ("E5 0", "N16"). Every word must match, in
        the name or the address or (a misspelling) by its likeness to a word of the name: a
        whole query that merely looks like a name ("well street surgery" and Elsdale Street
        Surgery) is not a match. Weak fuzzy matches are left out: see suggestions()."""
        from django.contrib.postgres.search import TrigramWordSimilarity

        from .postcodes import ParsedPostcode

        text = " ".join(query.split())
        postcode = ParsedPostcode.parse(text)
        if postcode and postcode.is_full:
            return self.filter(postcode=postcode.with_space).order_by("name")
        if ODS_CODE_RE.match(text.upper()):
            return self.filter(ods_code=text.upper())
        if postcode or ParsedPostcode.parse_partial(text):  # "N16", or "E5 0": its start
            start = " ".join(text.upper().split())
            start = start if " " in start else f"{start} "
            return self._similar(text).filter(postcode__startswith=start).order_by("name")
        words = text.split()[:MAX_SEARCH_WORDS]
        every_word = Q()
        likeness = {}
        for i, word in enumerate(words):
            in_word = Q(name__icontains=word) | Q(ods_name__icontains=word)
            if len(word) >= 3:  # "ba" is in too many addresses to mean anything
                in_word |= Q(address__icontains=word)
                likeness[f"word_{i}"] = TrigramWordSimilarity(word, "name")
                likeness[f"ods_word_{i}"] = TrigramWordSimilarity(word, "ods_name")
                in_word |= Q(**{f"word_{i}__gte": STRONG_SIMILARITY})
                in_word |= Q(**{f"ods_word_{i}__gte": STRONG_SIMILARITY})
            every_word &= in_word
        return (
            self._similar(text)
            .annotate(**likeness)
            .filter(every_word)
            .order_by("-similarity", "name")
        )

    def suggestions(self, query: str, limit: int = 3):
        """Names that look a little like the query: offered as "Did you mean", never as matches."""
        text = " ".join(query.split())
        return (
            self._similar(text)
            .filter(similarity__gte=SUGGEST_SIMILARITY, similarity__lt=STRONG_SIMILARITY)
            .order_by("-similarity", "name")[:limit]
        )

    def _similar(self, text):
        from django.contrib.postgres.search import TrigramWordSimilarity

        return self.annotate(
            similarity=TrigramWordSimilarity(text, "name"),
            ods_similarity=TrigramWordSimilarity(text, "ods_name"),
        )


ODS_CODE_RE = re.compile(r"^[A-Z][0-9]{5}$")
NHS_GP_PROFILE_URL = "https://www.nhs.uk/services/gp-surgery/"


class Practice(Removable):
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
    serves = models.CharField(
        "who it is for",
        max_length=200,
        blank=True,
        help_text="Only for a practice that registers particular groups of people, in the "
        'words residents will read: for example "People who are homeless". Shown wherever '
        "the practice is listed. A practice with this filled in is not offered as a resident's "
        "nearest practice, unless it also registers everyone below.",
    )
    registers_everyone = models.BooleanField(
        "also registers everyone",
        default=False,
        help_text="Tick if the practice also registers anyone living nearby, as well as the "
        "people above: it is then offered as a resident's nearest practice.",
    )

    objects = PracticeQuerySet.as_manager()
    history = audited(excluded_fields=REMOVAL_FIELDS)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.ods_code})"

    # Stands for a practice's own code in its page's address, reversed once (page_url) and
    # given to map.js, which puts each marker's code in its place.
    CODE_STAND_IN = "A00000"

    def get_absolute_url(self):
        return self.page_url(self.ods_code)

    @classmethod
    def page_url(cls, ods_code: str) -> str:
        """A practice page's address, without reversing the URL for every practice shown."""
        return _practice_url_pattern().replace(cls.CODE_STAND_IN, ods_code, 1)

    @property
    def nhs_website_url(self) -> str:
        """The practice's profile on the NHS website, which names a GP surgery's page by its
        name and "X" before its ODS code: London Fields Medical Centre (F84021) is at
        /services/gp-surgery/london-fields-medical-centre/XF84021."""
        return f"{NHS_GP_PROFILE_URL}{slugify(self.ods_name or self.name)}/X{self.ods_code}"

    @property
    def address_lines(self):
        return [line for line in self.address.splitlines() if line.strip()]

    @property
    def for_whom(self) -> str:
        """The note residents read beside the practice, "" for a practice for everyone."""
        return for_whom(self.serves, self.registers_everyone)


def for_whom(serves: str, registers_everyone: bool) -> str:
    """A practice's note as residents read it: "For people who are homeless only."."""
    if not serves:
        return ""
    who = serves[0].lower() + serves[1:].rstrip(".")
    if registers_everyone:
        return f"For {who}. It also registers anyone living nearby."
    return f"For {who} only."


# The current-membership rule, stated once in its three forms (a filter, SQL, a method): a
# membership is in force from its start date (or always, with none) to its end date
# inclusive (or for good, with none).


def current_membership_q(on=None, prefix=""):
    """Memberships in force on a date (today by default); `prefix` follows a relation to them."""
    on = on or datetime.date.today()
    started = Q(**{f"{prefix}started_on__isnull": True}) | Q(**{f"{prefix}started_on__lte": on})
    not_ended = Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    return started & not_ended


def current_membership_sql(alias: str) -> str:
    """current_membership_q as SQL over the membership table named `alias`, on the date
    passed as the parameter %(today)s: London's date from Python (timezone.localdate()), not
    the database's CURRENT_DATE, which is UTC's for an hour after midnight in summer and which
    a test cannot move."""
    return (
        f"({alias}.started_on IS NULL OR {alias}.started_on <= %(today)s::date)\n"
        f"              AND ({alias}.ended_on IS NULL OR {alias}.ended_on >= %(today)s::date)"
    )


# A practice is in one neighbourhood at a time: no two of its memberships are in force on a
# common day, counted as the rule above counts them. Stated once in its three forms: the
# database's exclusion constraint over membership_days (Membership.Meta), a filter
# (MembershipQuerySet.overlapping) and a test in memory (days_overlap).


def membership_days():
    """A membership's days in force as a PostgreSQL date range: both ends inclusive, and an
    empty end unbounded."""
    return Func(
        F("started_on"),
        F("ended_on"),
        RangeBoundary(inclusive_lower=True, inclusive_upper=True),
        function="DATERANGE",
        output_field=DateRangeField(),
    )


def days_overlap(first, second) -> bool:
    """Whether two (started_on, ended_on) periods share a day, for memberships in memory."""
    (start_a, end_a), (start_b, end_b) = first, second
    return (start_a is None or end_b is None or start_a <= end_b) and (
        start_b is None or end_a is None or start_b <= end_a
    )


def day_text(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_text(started_on, ended_on) -> str:
    """A membership's dates as staff read them: "from 1 October 2019 to 31 March 2024"."""
    if started_on and ended_on:
        return f"from {day_text(started_on)} to {day_text(ended_on)}"
    if started_on:
        return f"from {day_text(started_on)}, with no end date"
    if ended_on:
        return f"until {day_text(ended_on)}, with no start date"
    return "with no start or end date"


def membership_not_removed_q(prefix=""):
    """Memberships whose practice and neighbourhood are both on the portal (neither removed);
    `prefix` follows a relation to them. A membership its practice's removal ended is still in
    force, by its dates, on the day of the removal: this leaves it out all the same."""
    return Q(
        **{f"{prefix}practice__removed_at__isnull": True,
           f"{prefix}neighbourhood__removed_at__isnull": True}
    )  # fmt: skip


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        return self.filter(current_membership_q(on))

    def not_removed(self):
        return self.filter(membership_not_removed_q())

    def overlapping(self, membership):
        """The practice's other memberships in force on any day `membership` is."""
        days = DateRange(membership.started_on, membership.ended_on, bounds="[]")
        return (
            self.filter(practice_id=membership.practice_id)
            .exclude(pk=membership.pk)
            .alias(days=membership_days())
            .filter(days__overlap=days)
        )

    def ended(self, on=None):
        on = on or datetime.date.today()
        return self.filter(ended_on__lt=on)


class Membership(models.Model):
    """A practice's membership of a neighbourhood; ended memberships are kept, not deleted."""

    class EndedByRemoval(models.TextChoices):
        PRACTICE = "practice", "its practice's deletion"
        NEIGHBOURHOOD = "neighbourhood", "its neighbourhood's deletion"

    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to=NOT_REMOVED,
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to=NOT_REMOVED,
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # Set when removing its practice or neighbourhood ended it (services.removal), so that
    # restoring that record reopens exactly this membership, with the end date it had.
    ended_by_removal_of = models.CharField(
        max_length=13, choices=EndedByRemoval.choices, blank=True, editable=False
    )
    ended_on_before_removal = models.DateField(null=True, blank=True, editable=False)

    objects = MembershipQuerySet.as_manager()
    # The removal's bookkeeping is left out: restoring an earlier version never changes it.
    history = audited(excluded_fields=["ended_by_removal_of", "ended_on_before_removal"])

    class Meta:
        ordering = ["neighbourhood", "practice__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "neighbourhood", "started_on"],
                name="unique_membership_start",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
            ExclusionConstraint(
                name="membership_one_neighbourhood_at_a_time",
                expressions=[
                    ("practice", RangeOperators.EQUAL),
                    (membership_days(), RangeOperators.OVERLAPS),
                ],
                violation_error_code="overlap",
                violation_error_message=(
                    "The practice is already in a neighbourhood on some of these dates: a "
                    "practice can be in only one neighbourhood at a time."
                ),
            ),
        ]

    def __str__(self):
        return f"{self._named('practice')} in {self._named('neighbourhood')}"

    def _named(self, relation):
        """The practice's or the neighbourhood's name. A membership's history outlives both:
        once one is deleted, it is named as its last version had it, and marked so."""
        try:
            record = getattr(self, relation)
            return f"{record.name} (deleted)" if record.is_removed else record.name
        except ObjectDoesNotExist:
            field = self._meta.get_field(relation)
            last = last_version(field.related_model, getattr(self, field.attname))
            if last is None:
                return f"a deleted {field.related_model._meta.verbose_name}"
            return f"{last.name} (deleted)"

    def validate_constraints(self, exclude=None):
        """Django's check of the constraints before a save (a model form's, so the admin's),
        with the two staff meet put so they can act on them: an end date before the start
        date, and dates that overlap another membership of the practice, named with its
        dates. (The constraints' own messages can name neither.) A form that leaves the
        practice out (its page's inline) has its rows checked together by its formset."""
        exclude = set(exclude or ())
        if not exclude & {"started_on", "ended_on"}:
            if self.ends_before_start:
                raise ValidationError(
                    {
                        "ended_on": ValidationError(
                            self.ends_before_start_message(), code="ends_before_start"
                        )
                    }
                )
            other = None if "practice" in exclude else self.overlapping().first()
            if other is not None:
                raise ValidationError(
                    {NON_FIELD_ERRORS: ValidationError(self.overlap_message(other), code="overlap")}
                )
        super().validate_constraints(exclude=exclude)

    @property
    def ends_before_start(self) -> bool:
        return bool(self.started_on and self.ended_on and self.ended_on < self.started_on)

    def ends_before_start_message(self) -> str:
        return (
            f"This membership ends on {day_text(self.ended_on)}, before it starts on "
            f"{day_text(self.started_on)}. The end date is the last day the practice is in "
            "the neighbourhood: correct one of the dates."
        )

    def overlapping(self):
        return Membership.objects.overlapping(self).select_related("practice", "neighbourhood")

    def overlaps(self, other) -> bool:
        return days_overlap((self.started_on, self.ended_on), (other.started_on, other.ended_on))

    def overlap_message(self, other) -> str:
        """Why this membership cannot be saved beside `other`, a membership of the same
        practice on some of the same days."""
        return (
            f"{self._named('practice')} is already in {other._named('neighbourhood')} "
            f"{other.period}. A practice can be in only one neighbourhood at a time: end that "
            "membership before this one starts, or change these dates."
        )

    @property
    def period(self) -> str:
        return period_text(self.started_on, self.ended_on)

    @property
    def period_before_removal(self) -> str:
        """Its dates as they were before a removal ended it, as restoring puts them back."""
        return period_text(self.started_on, self.ended_on_before_removal)

    @property
    def has_ended(self):
        return self.ended_by()

    def ended_by(self, on=None) -> bool:
        """The same test as MembershipQuerySet.ended, for memberships already in memory."""
        on = on or datetime.date.today()
        return self.ended_on is not None and self.ended_on < on

    def is_current(self, on=None):
        """The same test as current_membership_q, for memberships already in memory."""
        on = on or datetime.date.today()
        started = self.started_on is None or self.started_on <= on
        return started and (self.ended_on is None or self.ended_on >= on)


class LocalAuthority(models.Model):
    """A local authority district (a London borough, or the City of London)."""

    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=100)
    nhs_body = models.CharField(
        "NHS integrated care board",
        max_length=100,
        blank=True,
        help_text="Where residents of this area are sent when they are outside our place.",
    )
    boundary = models.MultiPolygonField(srid=4326, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name


class Ward(models.Model):
    """An electoral ward, named from Code-Point Open's code list: a postcode's answer says
    which ward it is in."""

    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Lsoa(models.Model):
    """A 2021 Lower Layer Super Output Area: the building block of the neighbourhood areas."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    local_authority_code = models.CharField(max_length=9, db_index=True)
    boundary = models.MultiPolygonField(srid=4326)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        null=True,
        blank=True,
        # A neighbourhood with areas cannot be deleted: its postcodes would lose their answer.
        on_delete=models.PROTECT,
        related_name="lsoas",
        limit_choices_to=NOT_REMOVED,
        help_text="Changing this redraws both neighbourhoods' areas and every postcode's answer.",
    )

    # Which neighbourhood it was in, and when; its ONS boundary is kept by boundary versions.
    history = audited(excluded_fields=["boundary"])

    class Meta:
        ordering = ["code"]
        verbose_name = "LSOA"
        verbose_name_plural = "LSOAs"

    def __str__(self):
        return f"{self.name} ({self.code})"


class PostcodeQuerySet(models.QuerySet):
    def live(self):
        return self.filter(terminated=False)


class Postcode(models.Model):
    """A postcode with its point, and its neighbourhood worked out ahead of time."""

    class Source(models.TextChoices):
        CODEPOINT = "codepoint", "OS Code-Point Open"
        ONSPD = "onspd", "ONS Postcode Directory"

    postcode = models.CharField(max_length=8, help_text="With a space: 'E8 1DY'.")
    outcode = models.CharField(max_length=4)
    # No spatial index: nothing asks which postcodes lie in an area or near a point (a point
    # is answered from the areas' own boundaries), and a national table's would cost seconds
    # on every first load.
    location = models.PointField(srid=4326, spatial_index=False)
    positional_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    local_authority_code = models.CharField(max_length=9)
    ward_code = models.CharField(max_length=9, blank=True)
    terminated = models.BooleanField(default=False)
    terminated_on = models.DateField(
        null=True, blank=True, help_text="The month it stopped being used, when known."
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    # Worked out by neighbourhoods.services, never by a request:
    lsoa = models.ForeignKey(Lsoa, null=True, blank=True, on_delete=models.SET_NULL, db_index=False)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="postcodes",
        limit_choices_to=NOT_REMOVED,
        db_index=False,
    )
    # Everything else a lookup shows, so that answering is one indexed read of this row:
    # the point, the local authority's name and NHS body, the neighbourhood's name and slug,
    # and its nearest current practices with their distances (docs/performance.md).
    answer = models.JSONField(null=True, blank=True, editable=False)

    objects = PostcodeQuerySet.as_manager()
    # What staff change in the admin (audit.trail.AUDITED_ON_SAVE): the imports write around
    # save() and leave no rows. Its LSOA, neighbourhood and answer are worked out afterwards
    # from audited records, so they are left out.
    history = audited(excluded_fields=["lsoa", "neighbourhood", "answer"])

    class Meta:
        ordering = ["postcode"]
        # Declared here rather than with unique=True and db_index=True, which on PostgreSQL
        # also build a varchar_pattern_ops index for LIKE 'prefix%' that no query here makes.
        # The foreign keys are indexed only where set: all but a few thousand of a national
        # load's rows have neither. Every index is rebuilt after a first national load
        # (importers.staging), so each one left out is time saved there.
        constraints = [models.UniqueConstraint(fields=["postcode"], name="postcode_unique")]
        indexes = [
            models.Index(fields=["outcode"], name="postcode_outcode"),
            models.Index(fields=["local_authority_code"], name="postcode_authority"),
            models.Index(
                fields=["lsoa"], name="postcode_lsoa", condition=models.Q(lsoa__isnull=False)
            ),
            models.Index(
                fields=["neighbourhood"],
                name="postcode_neighbourhood",
                condition=models.Q(neighbourhood__isnull=False),
            ),
        ]

    def __str__(self):
        return self.postcode


def counts_in_words(counts: dict, *, words: dict | None = None) -> list[str]:
    """An import's counts by kind of record, as its summary says them: {"Practices":
    {"added": 3, "changed": 1}} is "Practices: 3 added, 1 changed". `words` rewords an
    outcome (a preview's "would change")."""
    words = words or {}
    lines = []
    for kind, by_outcome in counts.items():
        order = ["added", "changed", "removed", "unchanged"]
        order += sorted(set(by_outcome) - set(order))
        parts = [f"{by_outcome[o]:,} {words.get(o, o)}" for o in order if by_outcome.get(o)]
        lines.append(f"{kind}: {', '.join(parts) or 'none'}")
    return lines


class ImportRunQuerySet(models.QuerySet):
    def succeeded(self):
        return self.filter(outcome__in=[ImportRun.Outcome.SUCCEEDED, ImportRun.Outcome.UNCHANGED])


class ImportRun(models.Model):
    """One run of an import command: what it read, what it did, and who ran it.

    Written after the import's own transaction ends, so a refused or failed run is kept too.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running (or stopped before it could finish: nothing changed)"
        SUCCEEDED = "succeeded", "Succeeded"
        UNCHANGED = "unchanged", "Succeeded: nothing to change"
        REFUSED = "refused", "Refused: nothing changed"
        FAILED = "failed", "Failed: nothing changed"

    source = models.CharField(max_length=40, db_index=True, help_text="The import command.")
    files = models.JSONField(
        default=list,
        blank=True,
        help_text="Each file read: its name, size in bytes, SHA-256 and release date if known.",
    )
    release_date = models.DateField(
        null=True, blank=True, help_text="The source's release date, where its files say."
    )
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(
        default=0, help_text="Removed, terminated or blanked records."
    )
    refused = models.PositiveIntegerField(
        default=0, help_text="Rows left out, or, for a refused run, the records it objected to."
    )
    counts = models.JSONField(default=dict, blank=True, help_text="Counts by kind of record.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    message = models.TextField(blank=True)
    run_by = models.CharField(max_length=150)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"

    @property
    def counts_in_words(self) -> list[str]:
        return counts_in_words(self.counts)


class DistrictAnswer(models.Model):
    """How a postcode district's live postcodes split between the neighbourhoods.

    Worked out by neighbourhoods.services whenever postcode answers change, so a district
    lookup reads one row. `shares` lists {id, name, slug, postcodes}, most postcodes first.
    """

    outcode = models.CharField(max_length=4, unique=True)
    postcodes = models.PositiveIntegerField(help_text="Live postcodes in the district.")
    outside = models.PositiveIntegerField(help_text="Those outside City and Hackney.")
    no_neighbourhood = models.PositiveIntegerField(
        default=0, help_text="Those in City and Hackney whose area has no neighbourhood yet."
    )
    shares = models.JSONField(default=list)

    class Meta:
        ordering = ["outcode"]

    def __str__(self):
        return self.outcode


class BoundaryVersionQuerySet(models.QuerySet):
    def on(self, date: datetime.date):
        """The version in force on a date: the last one published by the end of that day
        (London time); None before the first."""
        from django.utils import timezone

        end_of_day = timezone.make_aware(
            datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time())
        )
        return self.filter(published_at__lt=end_of_day).order_by("-published_at", "-pk").first()


class BoundaryVersion(models.Model):
    """One published state of the neighbourhood areas, kept for good and dated, as MapIt
    keeps its generations: which LSOAs each neighbourhood had, and the areas they made.

    A new version is taken whenever what is published changes (services.published)."""

    published_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    # LSOA code -> neighbourhood id (null for an LSOA in none).
    assignments = models.JSONField(default=dict)
    # What the version holds, summed up, so an unchanged publish takes no new version.
    fingerprint = models.CharField(max_length=64, db_index=True)

    objects = BoundaryVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = ["published_at", "pk"]

    def __str__(self):
        from django.utils import timezone

        when = timezone.localtime(self.published_at)
        return f"Version {self.pk} of {when.day} {when:%B %Y, %H:%M}"


class BoundaryVersionArea(models.Model):
    """One neighbourhood's area in a boundary version, with its name as it was then."""

    version = models.ForeignKey(BoundaryVersion, on_delete=models.CASCADE, related_name="areas")
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=100)
    slug = models.SlugField()
    lsoas = models.PositiveIntegerField(default=0)
    boundary = models.MultiPolygonField(srid=4326, null=True, blank=True)

    class Meta:
        ordering = ["version", "name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "neighbourhood"], name="one_area_each")
        ]

    def __str__(self):
        return f"{self.name} in {self.version}"


class LsoaStatistics(models.Model):
    """Census 2021 and deprivation figures for one 2021 LSOA, as published (import_profiles).

    Keyed by the LSOA's code rather than the LSOA row, so that the figures stay as their
    publisher released them whatever happens to the boundaries; the import refuses a file that
    does not cover exactly the LSOAs the portal holds."""

    code = models.CharField(max_length=9, unique=True)
    residents = models.PositiveIntegerField(help_text="Census 2021 usual residents.")
    # Band or group -> usual residents, in the publisher's order and words.
    ages = models.JSONField(default=dict)
    ethnic_groups = models.JSONField(default=dict)
    # Domain -> {"decile", "rank", "score"}: the English Indices of Deprivation 2025.
    imd2025 = models.JSONField(default=dict)
    # Domain -> decile in the 2019 indices, through the ONS 2011-2021 LSOA lookup; empty
    # where the 2021 LSOA was made from several 2011 LSOAs (merged, or redrawn), so that
    # no single 2019 figure belongs to it.
    imd2019 = models.JSONField(default=dict)
    # The lookup's change code: U unchanged, S split from one 2011 LSOA, M merged, X redrawn.
    change_since_2011 = models.CharField(max_length=1, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "LSOA statistics"
        verbose_name_plural = "LSOA statistics"

    def __str__(self):
        return self.code


class LanguageStatistics(models.Model):
    """Census 2021 language figures for an area larger than an LSOA, as published
    (import_profiles): proficiency in English per 2021 MSOA (TS029), and main language per
    borough (TS024), which ONS publishes for no smaller area."""

    class Kind(models.TextChoices):
        MSOA = "msoa", "MSOA: proficiency in English"
        BOROUGH = "borough", "Borough: main language"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    code = models.CharField(max_length=9)
    name = models.CharField(max_length=100)
    # The 2021 LSOAs in the MSOA, from ONS's LSOA boundaries (empty for a borough).
    lsoa_codes = models.JSONField(default=list)
    # Category or language -> residents aged 3 and over, in the publisher's words.
    counts = models.JSONField(default=dict)
    # All usual residents aged 3 and over, as published.
    total = models.PositiveIntegerField()

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="one_language_figure_each")
        ]
        verbose_name = "language statistics"
        verbose_name_plural = "language statistics"

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}"


class RegisteredPatientsDeprivation(models.Model):
    """The IMD 2019 score of a practice's or PCN's registered patients, weighted by where they
    live, and its national decile among practices (or PCNs)."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", "GP practice"
        PCN = "pcn", "Primary Care Network"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    score = models.FloatField()
    decile = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="one_deprivation_each")
        ]
        verbose_name = "registered patients' deprivation"
        verbose_name_plural = "registered patients' deprivation"

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}"


class NeighbourhoodProfile(models.Model):
    """A neighbourhood's profile (or, with no neighbourhood, City and Hackney's as a whole),
    worked out from the LSOAs in its area when a boundary version is taken or the statistics
    are imported (services.profiles), so that a page reads it in one query. Each boundary
    version keeps the profiles it had."""

    version = models.ForeignKey(
        BoundaryVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="profiles"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.CASCADE, related_name="profiles"
    )
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["version", "neighbourhood"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "neighbourhood"],
                name="one_profile_each",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"Profile of {self.figures.get('name', 'City and Hackney')}"


@functools.cache
def _practice_url_pattern() -> str:
    return reverse("practice-detail", kwargs={"ods_code": Practice.CODE_STAND_IN})


class DataRelease(models.Model):
    """A new release of one of the open data sources, uploaded by staff in the admin. It is
    checked and previewed before anything changes, and applied, with a reason, in the
    background (neighbourhoods.importers.releases). The file is kept under
    PORTAL_RELEASES_DIR in a folder named by its SHA-256, where the web server serves
    nothing; a zip (Code-Point Open) is unzipped into that folder too."""

    class Source(models.TextChoices):
        ODS_EPCN = "ods-epcn", "NHS ODS ePCN core partners: practices' neighbourhoods (CSV)"
        ODS_EPRACCUR = "ods-epraccur", "NHS ODS epraccur: GP practices (CSV)"
        GP_PATIENTS = "gp-registered-patients", "NHS England: patients registered (CSV)"
        ONSPD = "onspd", "ONS Postcode Directory (CSV)"
        CODEPOINT_OPEN = "codepoint-open", "OS Code-Point Open: postcodes (the zip, codepo_gb.zip)"
        ONS_LSOA_BOUNDARIES = "ons-lsoa-boundaries", "ONS LSOA 2021 boundaries (GeoJSON)"
        CENSUS_RESIDENTS = "census-residents", "ONS Census 2021: usual residents by LSOA (CSV)"
        CENSUS_AGES = "census-ages", "ONS Census 2021: residents in 6 age bands by LSOA (CSV)"
        CENSUS_ETHNICITY = "census-ethnicity", "ONS Census 2021: ethnic group by LSOA (CSV)"
        IMD_2025 = "imd-2025", "English Indices of Deprivation 2025 by LSOA (CSV)"
        IMD_2019 = "imd-2019", "English Indices of Deprivation 2019 by 2011 LSOA (CSV)"
        LSOA_LOOKUP = "lsoa11-lsoa21", "ONS 2011 to 2021 LSOA lookup (CSV)"
        PRACTICE_IMD = "practice-imd-2019", "IMD 2019 of practices' registered patients (CSV)"
        PCN_IMD = "pcn-imd-2019", "IMD 2019 of PCNs' registered patients (CSV)"
        CENSUS_PROFICIENCY = (
            "census-proficiency",
            "ONS Census 2021: proficiency in English by MSOA (CSV)",
        )
        CENSUS_LANGUAGES = (
            "census-languages",
            "ONS Census 2021: main language (detailed) by borough (CSV)",
        )

    class Status(models.TextChoices):
        CHECKING = "checking", "Being checked: nothing has changed"
        PREVIEWED = "previewed", "Checked: ready to apply"
        REFUSED = "refused", "Refused: nothing changed"
        APPLYING = "applying", "Being applied"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed: nothing changed"

    source = models.CharField(max_length=40, choices=Source.choices)
    original_name = models.CharField("file name", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("size in bytes")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    progress = models.CharField(max_length=200, blank=True)
    preview = models.JSONField(default=list, blank=True, help_text="What applying it changes.")
    message = models.TextField(blank=True, help_text="Why it was refused or failed.")
    reason = models.TextField(blank=True, help_text="Why it was applied.")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undoes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The applied release this one puts back the release before of.",
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "data release"
        permissions = [("apply_datarelease", "Can apply a data release")]

    def __str__(self):
        return f"{self.get_source_display()}: {self.original_name}"

    @property
    def stored_path(self):
        # In a folder named by its SHA-256, under its own name: the month in an ODS or ONSPD
        # file's name is the release date its import records.
        return Path(settings.PORTAL_RELEASES_DIR) / self.sha256 / Path(self.original_name).name

    @property
    def working(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)
