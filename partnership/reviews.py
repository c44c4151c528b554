"""Review dates that a person set (docs/history.md, "Review dates"): what a public page says
about how current its text is, and which pages are due for review.

A page is reviewed when a member of staff marks it so in the admin
(partnership.services.pages_mark_reviewed). Until then it says where its text came from and
when it was published here, rather than a review date nobody set."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from neighbourhoods.models import day_text
from neighbourhoods.selectors import months_after

from .models import OrderedContent, Source


@dataclass(frozen=True)
class PageReview:
    """How current a public page's text is: the day a person last reviewed all of it, or,
    until then, where the text not yet reviewed came from and when the page was published.
    A page whose text is in its template, not in the admin (the contact, accessibility and
    privacy pages), says instead when that text last changed (`updated_on`)."""

    reviewed_on: datetime.date | None
    sources: tuple[Source, ...] = ()
    published_on: datetime.date | None = None
    updated_on: datetime.date | None = None

    @property
    def text(self) -> str:
        if self.reviewed_on is not None:
            return f"Page last reviewed: {day_text(self.reviewed_on)}"
        if self.updated_on is not None:
            return f"Page last updated: {day_text(self.updated_on)}"
        sentences = []
        if self.sources:
            sentences.append(f"Text from {in_a_list([s.citation for s in self.sources])}.")
        if self.published_on is not None:
            sentences.append(f"Published on this site {day_text(self.published_on)}.")
        return " ".join(sentences)


def in_a_list(items: list[str]) -> str:
    """Items joined for a sentence: "A and B", or "A; B; and C" (citations have commas of
    their own)."""
    if len(items) <= 2:
        return " and ".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


def page_review(records) -> PageReview | None:
    """What a page showing `records` says about them (None for a page that shows none).

    A page made of several records (the partners, the workstreams) counts as reviewed once
    every record on it has been, on the oldest of their days: the page is only as current as
    its least recently checked part. It was published on the earliest day any of them was.
    Read each record's `source` with select_related, so a list page asks once."""
    records = list(records)
    if not records:
        return None
    published = min((r.published_on for r in records if r.published_on), default=None)
    unreviewed = [r for r in records if r.reviewed_on is None]
    if not unreviewed:
        return PageReview(min(r.reviewed_on for r in records), published_on=published)
    sources = {r.source_id: r.source for r in unreviewed if r.source_id is not None}
    return PageReview(None, sources=tuple(sources.values()), published_on=published)


def reviewed_models() -> list:
    """The models whose records have a public page with a review date."""
    return [m for m in apps.get_models() if issubclass(m, OrderedContent)]


def is_due(record, today: datetime.date, months: int) -> bool:
    """Never reviewed, or reviewed more than `months` months before `today` (reviewed on
    5 December 2025, due from 6 December 2026 with 12 months)."""
    return record.reviewed_on is None or today > months_after(record.reviewed_on, months)


def _shown(model):
    """The records of a model residents can see: a neighbourhood deleted in the admin
    (neighbourhoods.models.Removable) has no page to review."""
    records = model._default_manager.all()
    return records.not_removed() if hasattr(records, "not_removed") else records


def pages_due_for_review(models, *, today=None, months=None) -> list:
    """The records of `models` due for review on `today` (default: today), oldest first:
    those never reviewed, by the day they were published, then the rest by the day they were
    last reviewed. `months` defaults to the PORTAL_REVIEW_AFTER_MONTHS setting."""
    today = today or timezone.localdate()
    months = months or settings.PORTAL_REVIEW_AFTER_MONTHS
    shown = ["name", "slug", "published_on", "reviewed_on", "reviewed_by"]  # no boundaries
    due = [
        record
        for model in models
        for record in _shown(model).select_related("reviewed_by").only(*shown)
        if is_due(record, today, months)
    ]
    return sorted(
        due,
        key=lambda r: (
            r.reviewed_on is not None,
            r.reviewed_on or r.published_on or datetime.date.min,
            str(r._meta.verbose_name),
            str(r),
        ),
    )
