from django.db import models
from django.urls import reverse

from neighbourhoods.audit.trail import audited
from partnership.models import OrderedContent, PartnerOrganisation, Place, Source


class Workstream(OrderedContent):
    """One of the care workstreams that plan services across the place."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="workstreams")
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    summary = models.TextField(help_text="One or two sentences for residents.")
    description = models.TextField(blank=True)
    partners = models.ManyToManyField(PartnerOrganisation, related_name="workstreams", blank=True)

    history = audited(m2m_fields=["partners"])

    def get_absolute_url(self):
        return reverse("workstreams:detail", kwargs={"slug": self.slug})


class WorkstreamPriority(models.Model):
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)

    history = audited()

    class Meta:
        ordering = ["workstream", "order", "pk"]
        verbose_name_plural = "workstream priorities"

    def __str__(self):
        return self.title
