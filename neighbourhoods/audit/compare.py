"""How a change reads, for all three apps: a value as staff say it ("22 November 2026",
"City and Hackney", "NHS provider", "Yes"), and the words one version changed, marked with
<del> and <ins> and with visible text ("[removed: …]", "[added: …]"), so a change is told by
more than colour (WCAG 2.2 1.4.1).

One home for both the short lists (a record's History, Recent changes) and the comparison of
one version with the one before it. Like the trail's core, it names no app's models."""

import datetime
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.contrib.gis.db.models import GeometryField, PointField
from django.contrib.gis.geos import Point
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from .trail import last_version

NONE, BLANK = "(none)", "(blank)"
# What a history row did, by its type, in the words the filters use (simple-history says
# "Created" for an addition).
DONE = {"+": "Added", "~": "Changed", "-": "Deleted"}


def done(row) -> str:
    """What a version did, in words: published, scheduled or taken down (drafts), else
    added, changed or deleted."""
    if getattr(row, "publication", ""):
        return row.get_publication_display()
    return DONE[row.history_type]


# Words (with the apostrophes, hyphens, commas and points inside them: "don't", "280,000"),
# runs of spaces, and each other character on its own: the units a change is marked in.
TOKENS = re.compile(r"\w+(?:['’,.-]\w+)*|\s+|[^\w\s]")
# Two texts sharing less than this (difflib's ratio over their words) read better as one
# replaced by the other than as a patchwork of small changes.
REWRITTEN = 0.4
# Words kept either side of a change when a list shows only the changed passages.
CONTEXT_WORDS = 6


def day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def when(moment: datetime.datetime) -> str:
    """A moment as staff say it, in London: "22 November 2026, 14:05"."""
    local = timezone.localtime(moment)
    return f"{day(local)}, {local:%H:%M}"


def readable(field, value) -> str:
    """`value` of `field` (a model field) as staff read it."""
    if isinstance(value, Point):
        return f"latitude {value.y:.5f}, longitude {value.x:.5f}"
    if isinstance(value, DeletedObject):
        return deleted_name(value.model, value.pk)
    if value is None:
        return NONE
    if value == "" or value == []:
        return BLANK if value == "" else NONE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = getattr(field, "flatchoices", None)
    if choices and not isinstance(value, list | models.Model):
        return str(dict(choices).get(value, value))
    if isinstance(value, datetime.datetime):
        return when(value)
    if isinstance(value, datetime.date):
        return day(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(readable(getattr(field, "base_field", None), item) for item in value)
    return str(value)


def deleted_name(model, pk) -> str:
    """A related record that no longer exists, by the name its last version had."""
    if pk is None:
        return NONE
    last = last_version(model, pk)
    if last is not None:
        return f"{last} (deleted)"
    return f"a deleted {model._meta.verbose_name} (no. {pk})"


def with_related(queryset):
    """History rows with the records their foreign keys name, in the same query (without
    those records' boundaries, which naming them does not need)."""
    names, heavy = [], []
    for field in queryset.model.tracked_fields:
        if isinstance(field, models.ForeignKey):
            names.append(field.name)
            heavy += [
                f"{field.name}__{f.name}"
                for f in field.related_model._meta.concrete_fields
                if isinstance(f, GeometryField) and not isinstance(f, PointField)
            ]
    # (select_related() with no names would follow every non-null key instead.)
    return queryset.select_related(*names).defer(*heavy) if names else queryset


def as_kept(version):
    """The record as `version` kept it (simple-history's history_object), holding the records
    its foreign keys name from the row's select_related, so naming it asks nothing more."""
    record = version.history_object
    for field in record._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            try:
                kept = type(version)._meta.get_field(field.name)
            except FieldDoesNotExist:  # left out of the history
                continue
            if kept.is_cached(version):
                field.set_cached_value(record, kept.get_cached_value(version))
    return record


def related(row, field):
    """A foreign key's value on a history row: the record it names, or a DeletedObject when
    that record has since been deleted (from select_related's join where there was one)."""
    try:
        value = getattr(row, field.name)
    except ObjectDoesNotExist:
        value = None
    pk = getattr(row, field.attname)
    if value is None and pk is not None:
        return DeletedObject(field.related_model, pk)
    return value


# Marking changed words ----------------------------------------------------------------------


def _segments(old: str, new: str) -> list[tuple[str, str, str]]:
    """The two texts as a run of ("same", text, text) and ("change", removed, added)."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if a and b and matcher.ratio() < REWRITTEN:
        return [("change", old, new)]
    segments = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        segments.append(("same" if tag == "equal" else "change", removed, added))
    # Spaces and punctuation alone between two changes belong to them: "[removed: a, b]"
    # reads better than "[removed: a], [removed: b]".
    merged = []
    for i, segment in enumerate(segments):
        between = (
            segment[0] == "same"
            and 0 < i < len(segments) - 1
            and not any(t[0].isalnum() for t in TOKENS.findall(segment[1]))
        )
        if between:
            segment = ("change", segment[1], segment[2])
        if segment[0] == "change" and merged and merged[-1][0] == "change":
            _, removed, added = merged.pop()
            segment = ("change", removed + segment[1], added + segment[2])
        merged.append(segment)
    parts = []
    for part in (part for segment in merged for part in _spaces_outside(segment)):
        if part[0] == "same" and parts and parts[-1][0] == "same":
            part = ("same", parts[-1][1] + part[1], parts.pop()[2] + part[2])
        parts.append(part)
    return parts


def _spaces_outside(segment):
    """A change's leading and trailing spaces shown as unchanged, outside its marks."""
    kind, removed, added = segment
    if kind == "same":
        return [segment]
    text = added or removed
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    parts = [("same", lead, lead)] if lead else []
    parts.append(("change", removed.strip(), added.strip()))
    if trail and text.strip():
        parts.append(("same", trail, trail))
    return parts


def _shortened(text: str, *, first: bool, last: bool) -> str:
    """Unchanged text between changes, kept to CONTEXT_WORDS words either side."""
    tokens = TOKENS.findall(text)
    words = [i for i, t in enumerate(tokens) if t[0].isalnum()]
    if len(words) <= 2 * CONTEXT_WORDS:
        return text
    head = "".join(tokens[: words[CONTEXT_WORDS - 1] + 1])
    tail = "".join(tokens[words[-CONTEXT_WORDS] :])
    if first:
        return f"… {tail}"
    if last:
        return f"{head} …"
    return f"{head} … {tail}"


def removed_mark(text: str) -> SafeString:
    return format_html('<span class="change-removed">[removed: <del>{}</del>]</span>', text)


def added_mark(text: str) -> SafeString:
    return format_html('<span class="change-added">[added: <ins>{}</ins>]</span>', text)


def marked_text(old: str, new: str, *, whole: bool = True) -> SafeString:
    """`new` with the words taken out of `old` and put in marked. With whole=False, only the
    changed passages, each with a few words either side."""
    segments = _segments(old or "", new or "")
    if old != new and all(removed == added for _, removed, added in segments):
        return format_html("{} [only spaces or line breaks changed]", new)
    html = []
    for i, (kind, removed, added) in enumerate(segments):
        if kind == "same":
            text = added
            if not whole:
                text = _shortened(text, first=i == 0, last=i == len(segments) - 1)
            html.append(format_html("{}", text))
            continue
        if removed:
            html.append(removed_mark(removed))
        if removed and added:
            html.append(" ")
        if added:
            html.append(added_mark(added))
    return mark_safe("".join(html))  # each piece escaped by format_html


def marked_swap(old: str, new: str) -> SafeString:
    """A value replaced by another: "[removed: No] [added: Yes]". Nothing is shown as
    removed when there was none, nor added when there is none now."""
    parts = []
    if old not in (NONE, BLANK):
        parts.append(removed_mark(old))
    if new not in (NONE, BLANK):
        parts.append(added_mark(new))
    if not parts:
        return format_html("{} → {}", old, new)
    return mark_safe(" ".join(parts))  # each part escaped by format_html


def marked_items(old: list[str], new: list[str]) -> SafeString:
    """Linked records (a partner's places), each kept, removed or added, by name."""
    names = sorted(set(old) | set(new), key=str.casefold)
    if not names:
        return mark_safe(NONE)
    parts = []
    for name in names:
        if name in old and name in new:
            parts.append(format_html("{}", name))
        elif name in old:
            parts.append(removed_mark(name))
        else:
            parts.append(added_mark(name))
    return mark_safe(", ".join(parts))  # each part escaped by format_html


def is_text(field) -> bool:
    return isinstance(field, models.TextField) and not field.choices


# The short lists: a record's History and Recent changes -------------------------------------


class ReadableChanges(HistoricalRecordContextHelper):
    """Simple-history's changes from one version to the next, as staff read them: each value
    readable() (never "[43 chars]" or "[] → [City and Hackney]"); text and linked records
    with the words changed marked ("marked"), any other value as "from → to"."""

    def context_for_delta_changes(self, delta):
        changes = [self.change(change.field, change.old, change.new) for change in delta.changes]
        # A record that keeps its parts with each version (a workstream's priorities in
        # order, trail.audited(base=...)) says how they changed.
        if hasattr(delta.new_record, "kept_parts_changes"):
            parts = delta.new_record.kept_parts_changes(delta.old_record)
            if parts is not None:
                changes.append({**parts, "marked": None})
        return changes

    def change(self, name, old, new):
        field = self.model._meta.get_field(name)
        if isinstance(field, models.ManyToManyField):
            old, new = self.linked(field, old), self.linked(field, new)
            return {
                "field": capfirst(field.verbose_name),
                "old": ", ".join(old) or NONE,
                "new": ", ".join(new) or NONE,
                "marked": marked_items(old, new),
            }
        before, after = readable(field, old), readable(field, new)
        marked = None
        if is_text(field) and old and new:
            marked = marked_text(old, new, whole=False)
        return {"field": capfirst(field.verbose_name), "old": before, "new": after,
                "marked": marked}  # fmt: skip

    def linked(self, field, rows) -> list[str]:
        """The names of the records linked in a version, from simple-history's rows."""
        target = get_m2m_reverse_field_name(field)
        return sorted(
            (readable(field, row[target]) for row in rows or []),
            key=str.casefold,
        )


# Comparing one version with the one before it -----------------------------------------------


@dataclass
class FieldComparison:
    label: str
    value: str  # as this version has it
    changed: bool
    marked: SafeString  # this version's value with what changed marked (or the value)


def tracked_fields(model):
    """The fields a version keeps, in the model's order: its own columns (not the id) and
    the many-to-many links kept with it."""
    historical = getattr(model, model._meta.simple_history_manager_attribute).model
    kept = {f.name for f in historical.tracked_fields if f.editable}
    links = {f.name for f in historical._history_m2m_fields}
    return [
        field
        for field in model._meta.get_fields()
        if (field.name in kept or field.name in links) and not getattr(field, "primary_key", 0)
    ]


def version_values(model, version) -> dict:
    """{field name: value} of one history row; linked records by name."""
    values = {}
    historical = type(version)
    for field in tracked_fields(model):
        if isinstance(field, models.ManyToManyField):
            target = get_m2m_reverse_field_name(field)
            link = getattr(historical, field.name).model._meta.get_field(target)
            values[field.name] = sorted(
                (
                    readable(field, related(row, link))
                    for row in getattr(version, field.name).select_related(target)
                ),
                key=str.casefold,
            )
        elif field.is_relation:
            values[field.name] = related(version, historical._meta.get_field(field.name))
        else:
            values[field.name] = getattr(version, field.attname)
    return values


def compare_versions(model, version, before=None) -> list[FieldComparison]:
    """Every field of `version`, each as this version has it and, where it differs from
    `before` (the version before it, if any), with what changed marked."""
    now = version_values(model, version)
    then = version_values(model, before) if before is not None else None
    fields = []
    for field in tracked_fields(model):
        label = capfirst(field.verbose_name)
        value = now[field.name]
        if isinstance(field, models.ManyToManyField):
            shown = ", ".join(value) or NONE
            changed = then is not None and then[field.name] != value
            marked = marked_items(then[field.name], value) if changed else format_html("{}", shown)
            fields.append(FieldComparison(label, shown, changed, marked))
            continue
        shown = readable(field, value)
        changed = then is not None and _differs(then[field.name], value)
        if not changed:
            marked = format_html("{}", shown)
        elif isinstance(value, str) and isinstance(then[field.name], str) and not field.choices:
            marked = marked_text(then[field.name], value)
        else:
            marked = marked_swap(readable(field, then[field.name]), shown)
        fields.append(FieldComparison(label, shown, changed, marked))
    return fields


def _differs(old, new) -> bool:
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return getattr(old, "pk", old) != getattr(new, "pk", new)
    if isinstance(old, DeletedObject) or isinstance(new, DeletedObject):
        return getattr(old, "pk", old) != getattr(new, "pk", new)
    return old != new
