from django.db import models
from django.urls import reverse

from neighbourhoods.audit.trail import AuditRecord, audited
from partnership.models import (
    OrderedContent,
    PartnerOrganisation,
    Place,
    Publishable,
    PublishedQuerySet,
    Source,
)


def priorities_in_order(workstream_id):
    """A workstream's priorities as its public page lists them: [[id, title], ...]."""
    return [
        [pk, title]
        for pk, title in WorkstreamPriority.objects.filter(workstream_id=workstream_id)
        .order_by("order", "pk")
        .values_list("pk", "title")
    ]


def order_in_words(kept):
    """ "1. Falls, 2. Frailty", as the public page numbers them."""
    if not kept:
        return "(none)"
    return ", ".join(f"{number}. {title}" for number, (_, title) in enumerate(kept, start=1))


class WorkstreamRecord(AuditRecord):
    """A version of a workstream keeps its priorities in order (their order is the
    workstream's, not each priority's), so its History can say how they were reordered and
    restoring it puts them back. The trail calls `keep_parts` on every row it writes."""

    priority_order = models.JSONField(
        null=True,
        blank=True,
        help_text="The priorities in order, as [id, title]; none if this version kept none.",
    )

    kept_part_fields = ["priority_order"]

    class Meta:
        abstract = True

    def keep_parts(self):
        self.priority_order = priorities_in_order(self.id)

    def kept_parts_changed(self):
        """Whether the priorities are in another order now (or others) than this version kept."""
        kept = [pk for pk, _ in self.priority_order or []]
        return self.priority_order is None or kept != [pk for pk, _ in priorities_in_order(self.id)]

    def kept_parts_changes(self, older):
        """The change from an older version, as the History page shows it, or None."""
        if older.priority_order is None or self.priority_order is None:
            return None
        if older.priority_order == self.priority_order:
            return None
        return {
            "field": "Priorities in order",
            "old": order_in_words(older.priority_order),
            "new": order_in_words(self.priority_order),
        }


class Workstream(OrderedContent, Publishable):
    """One of the care workstreams that plan services across the place."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="workstreams")
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    summary = models.TextField(help_text="One or two sentences for residents.")
    description = models.TextField(blank=True)
    partners = models.ManyToManyField(PartnerOrganisation, related_name="workstreams", blank=True)

    objects = PublishedQuerySet.as_manager()
    history = audited(m2m_fields=["partners"], base=WorkstreamRecord)

    def get_absolute_url(self):
        return reverse("workstreams:detail", kwargs={"slug": self.slug})


class WorkstreamPriority(models.Model):
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)

    # The order is the workstream's: each version of the workstream keeps it.
    history = audited(excluded_fields=["order"])

    class Meta:
        ordering = ["workstream", "order", "pk"]
        verbose_name_plural = "workstream priorities"
        constraints = [
            # Deferred to the end of the transaction, so a reorder can swap two numbers.
            models.UniqueConstraint(
                fields=["workstream", "order"],
                name="one_priority_per_number",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self):
        return self.title
