"""Review dates that a person set (docs/history.md, "Review dates"): what a public page says
about how current its text is.

A page is reviewed when a member of staff marks it so in the admin
(partnership.services.pages_mark_reviewed). Until then it says where its text came from and
when it was published here, rather than a review date nobody set."""

import datetime
from dataclasses import dataclass

from neighbourhoods.models import day_text

from .models import Source


@dataclass(frozen=True)
class PageReview:
    """How current a public page's text is: the day a person last reviewed all of it, or,
    until then, where the text not yet reviewed came from and when the page was published."""

    reviewed_on: datetime.date | None
    sources: tuple[Source, ...] = ()
    published_on: datetime.date | None = None

    @property
    def text(self) -> str:
        if self.reviewed_on is not None:
            return f"Page last reviewed: {day_text(self.reviewed_on)}"
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
