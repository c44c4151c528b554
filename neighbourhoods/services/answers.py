"""Postcode and district answers: the one entry point that works them out again.

A lookup never computes anything. Whenever an LSOA's neighbourhood, an LSOA boundary, a
postcode, a practice, a membership, a neighbourhood or a local authority changes, the
change calls `answers_recompute` with what it touched (the signals do for saves through the
ORM, skipping raw saves), in the same transaction, so a request reads one row. Inside
`answers_deferred` (every import runs inside it) the calls are noted and worked out once at
the end. The SQL and the answer's shape are `stored_answer`'s.
"""

import threading
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from config import surrogates

from .. import stored_answer
from ..models import Lsoa, Postcode
from ..selectors import area_authority_codes, postcodes_a_practice_may_touch
from .publishing import boundaries_publish, caches_clear, postcode_keys

_pending = threading.local()

# Past this many practices changed in one block (an import), every answer is stored again
# rather than each practice's postcodes found: finding them reads the postcodes' answers
# once a practice, about 0.1 s each, where storing all of them takes about 5 s.
PRACTICES_ONE_BY_ONE = 25


class Deferred:
    """What answers_deferred gives its block: after the block, `changed` is how many answers
    the work at its end changed (None when an outer answers_deferred does the work)."""

    changed: int | None = None


@contextmanager
def answers_deferred():
    """Within it, answers_recompute only notes what a change touched; on the way out the
    answers are all worked out once. Imports save dozens of rows, and each would otherwise
    work out its neighbourhood's answers again. Nothing is worked out if the block raises:
    its transaction is rolled back."""
    deferred = Deferred()
    if getattr(_pending, "work", None) is not None:  # already deferring
        yield deferred
        return
    _pending.work = Work()
    try:
        yield deferred
        work = _pending.work
    finally:
        _pending.work = None
    deferred.changed = work.do()


class Work:
    """What the changes so far touched: every answer, or some postcodes' (the LSOA and
    neighbourhood of each decided again), or the answers of some postcodes, of those some
    practices may be nearest, or of those in some neighbourhoods or local authorities
    (stored again as they are)."""

    def __init__(self):
        self.everything = False
        self.postcode_ids: set = set()
        self.answer_ids: set = set()
        self.practices: list = []  # (ODS code, the points it is at and was at)
        self.lsoa_ids: set = set()
        self.neighbourhood_ids: set = set()
        self.authority_codes: set = set()

    def do(self) -> int:
        if self.everything:
            return _decide_and_store()
        changed = set()
        if len(self.practices) > PRACTICES_ONE_BY_ONE:  # practices cannot move an area
            changed |= _store(areas_may_have_changed=False)
        else:
            for ods_code, points in self.practices:
                self.answer_ids.update(postcodes_a_practice_may_touch(ods_code, points))
        if self.lsoa_ids:
            changed |= _decide_and_store(lsoa_ids=self.lsoa_ids, count=False)
        if self.postcode_ids:
            changed |= _decide_and_store(postcode_ids=self.postcode_ids, count=False)
        if self.answer_ids or self.neighbourhood_ids or self.authority_codes:  # one statement
            changed |= _store(
                postcode_ids=self.answer_ids or None,
                neighbourhood_ids=self.neighbourhood_ids or None,
                authority_codes=self.authority_codes or None,
                areas_may_have_changed=bool(self.neighbourhood_ids or self.authority_codes),
            )
        return len(changed)


def answers_recompute(
    *,
    everything=False,
    lsoa_ids=(),
    postcode_ids=(),
    neighbourhood_ids=(),
    authority_codes=(),
    answer_ids=(),
    practice=None,
    now=False,
) -> int:
    """Work out again the answers a change touched: every answer, or those of the postcodes
    in the LSOAs given or of the postcodes given (their LSOA and neighbourhood decided
    again), or the answers alone of the postcodes in `answer_ids`, or of those a practice
    (`practice`: its ODS code and the points it is at and was at) may be nearest, or those in
    the neighbourhoods or local authorities given. At once, returning
    how many answers changed; or, within answers_deferred, once at its end (returning 0),
    unless `now` asks for them at once (an import that reports the count)."""
    work = None if now else getattr(_pending, "work", None)
    now = work is None
    if now:
        work = Work()
    work.everything |= everything
    work.lsoa_ids.update(lsoa_ids)
    work.postcode_ids.update(postcode_ids)
    work.answer_ids.update(answer_ids)
    if practice is not None:
        work.practices.append(practice)
    work.neighbourhood_ids.update(neighbourhood_ids)
    work.authority_codes.update(authority_codes)
    return work.do() if now else 0


@transaction.atomic
def _decide_and_store(*, lsoa_ids=None, postcode_ids=None, count=True):
    """Decide again the LSOA and neighbourhood of the postcodes given (all by default, or
    those in the LSOAs given, or the postcodes given), and store their answers; returns how
    many changed (their ids with count=False).

    A postcode is in the area when its own local-authority code says so. Its point then
    decides the LSOA: the one that covers it (a point on an edge still counts), or, for the
    few points that generalised boundaries leave just outside, the nearest LSOA in the area.
    The LSOA decides the neighbourhood, and then the rest of the answer is stored.
    Postcodes outside the area have no LSOA and no neighbourhood.
    """
    codes = area_authority_codes()
    lsoa_table, postcode_table = Lsoa._meta.db_table, Postcode._meta.db_table
    with connection.cursor() as cursor:
        if lsoa_ids is not None:  # the postcodes in these LSOAs now, wherever they go next
            cursor.execute(
                f"SELECT id FROM {postcode_table} WHERE lsoa_id = ANY(%s::bigint[])",
                [list(lsoa_ids)],
            )
            in_lsoas = [row[0] for row in cursor.fetchall()]
            if postcode_ids is not None:
                in_lsoas = sorted(set(in_lsoas) & set(postcode_ids))
            postcode_ids = in_lsoas
        ids = list(postcode_ids) if postcode_ids is not None else None
        cursor.execute(
            f"""
            WITH decided AS (
                SELECT p.id,
                       CASE WHEN p.local_authority_code = ANY(%(codes)s) THEN COALESCE(
                           (SELECT l.id FROM {lsoa_table} AS l
                            WHERE l.local_authority_code = ANY(%(codes)s)
                              AND ST_Covers(l.boundary, p.location)
                            ORDER BY l.id LIMIT 1),
                           (SELECT l.id FROM {lsoa_table} AS l
                            WHERE l.local_authority_code = ANY(%(codes)s)
                            ORDER BY l.boundary::geography <-> p.location::geography
                            LIMIT 1)
                       ) END AS lsoa_id
                FROM {postcode_table} AS p
                WHERE %(ids)s::bigint[] IS NULL OR p.id = ANY(%(ids)s::bigint[])
            )
            UPDATE {postcode_table} AS p
            SET lsoa_id = decided.lsoa_id, neighbourhood_id = l.neighbourhood_id
            FROM decided LEFT JOIN {lsoa_table} AS l ON l.id = decided.lsoa_id
            WHERE p.id = decided.id
              AND (p.lsoa_id IS DISTINCT FROM decided.lsoa_id
                   OR p.neighbourhood_id IS DISTINCT FROM l.neighbourhood_id)
            RETURNING p.id
            """,
            {"codes": codes, "ids": ids},
        )
        moved = {row[0] for row in cursor.fetchall()}
    if ids is not None and not ids:
        return 0 if count else set()
    changed = moved | _store(postcode_ids=ids)
    # Purged beside those whose stored answer changed: every postcode asked about (a
    # termination or a new point changes its answer, not its stored part) and every one
    # moved (a new LSOA or neighbourhood shows in the downloads, even with the same answer).
    touched = set(ids or ()) | moved
    if touched:
        caches_clear(*([surrogates.DOWNLOAD] if moved else []), *postcode_keys(touched))
    return len(changed) if count else changed


@transaction.atomic
def _store(
    *, postcode_ids=None, neighbourhood_ids=None, authority_codes=None, areas_may_have_changed=None
) -> set:
    """Store the whole answer of the postcodes chosen (all by default, or those given, those in
    the neighbourhoods given and those in the local authorities given), then the district
    answers.

    One set-based UPDATE: it only writes rows whose answer differs, and returns their ids.
    """
    listed = {
        "ids": postcode_ids,
        "neighbourhoods": neighbourhood_ids,
        "authorities": authority_codes,
    }
    params = {k: list(v) if v is not None else None for k, v in listed.items()}
    if any(v == [] for v in params.values()):
        return set()
    if areas_may_have_changed is None:
        areas_may_have_changed = postcode_ids is None
    with connection.cursor() as cursor:
        cursor.execute(stored_answer.answers_sql(), {**params, "today": timezone.localdate()})
        changed = {row[0] for row in cursor.fetchall()}
        cursor.execute(stored_answer.districts_sql())
    # Answers for chosen postcodes: a postcode save or import, or after an LSOA move, whose
    # areas_rebuild has already published the areas.
    boundaries_publish(areas_may_have_changed=areas_may_have_changed, changed_postcode_ids=changed)
    return changed
