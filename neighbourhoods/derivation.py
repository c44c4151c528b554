"""Deriving indicative neighbourhood areas from LSOAs, practice locations and list sizes.

No official map of the neighbourhoods is published: a neighbourhood is a group of GP
practices. This module draws an indicative area for each, reproducibly, from open data:

1. **Seeds.** Every LSOA holding an active practice goes to that practice's neighbourhood
   (if practices of two neighbourhoods share an LSOA, the larger list size wins).
2. **Single-neighbourhood authorities.** Where every practice in a local authority belongs
   to one neighbourhood, all that authority's LSOAs go to it (the City of London has only
   the Neaman Practice, so the whole City is in Shoreditch Park and City).
3. **Bridges.** Where a neighbourhood's practices lie in separate places, the fewest
   unassigned LSOAs that join them up go to it, so its area can be one piece.
4. **Targets.** LSOAs are built to hold similar numbers of residents, so each neighbourhood's
   share of the LSOAs is set to its share of the registered patients.
5. **Growth.** Repeatedly, the neighbourhood furthest below its target takes the unassigned
   LSOA bordering its area whose centre is nearest one of its own practices. Areas only ever
   grow into LSOAs that share a border (of at least 10 m) with them.
6. **Contiguity.** If a neighbourhood ends up in more than one piece, the pieces without
   most of its registered patients go to the neighbour they share most border with.

Ties are broken by LSOA code, so the same data always gives the same areas.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from .models import Lsoa, Membership, Practice

MIN_SHARED_BORDER_M = 10


@dataclass(frozen=True)
class AreaUnit:
    code: str
    name: str
    local_authority_code: str
    x: float  # centre, British National Grid metres
    y: float


@dataclass(frozen=True)
class PracticeSite:
    ods_code: str
    neighbourhood: str  # PCN code
    lsoa: str | None
    x: float
    y: float
    patients: int


@dataclass
class Derivation:
    assignment: dict[str, str]  # LSOA code -> PCN code
    reasons: dict[str, str]
    practices_inside: list[str] = field(default_factory=list)
    practices_outside: list[tuple[str, str]] = field(default_factory=list)  # (ods, why)
    pieces_moved: list[tuple[str, str, str]] = field(default_factory=list)  # (lsoa, from, to)


def derive(
    units: list[AreaUnit],
    adjacency: dict[str, dict[str, float]],
    practices: list[PracticeSite],
) -> Derivation:
    codes = sorted(u.code for u in units)
    by_code = {u.code: u for u in units}
    neighbourhoods = sorted({p.neighbourhood for p in practices})
    assignment: dict[str, str] = {}
    reasons: dict[str, str] = {}

    # 1. Seeds: LSOAs holding practices.
    claims: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in practices:
        if p.lsoa in by_code:
            claims[p.lsoa][p.neighbourhood] += p.patients
    for lsoa, by_nbh in sorted(claims.items()):
        winner = max(sorted(by_nbh), key=lambda n: by_nbh[n])
        assignment[lsoa] = winner
        reasons[lsoa] = "holds a practice"

    # 2. Local authorities whose practices are all in one neighbourhood.
    nbhs_in_authority: dict[str, set[str]] = defaultdict(set)
    for p in practices:
        if p.lsoa in by_code:
            nbhs_in_authority[by_code[p.lsoa].local_authority_code].add(p.neighbourhood)
    for code in codes:
        authority = by_code[code].local_authority_code
        owners = nbhs_in_authority.get(authority, set())
        authorities_with_practices = len(nbhs_in_authority)
        if code not in assignment and len(owners) == 1 and authorities_with_practices > 1:
            assignment[code] = next(iter(owners))
            reasons[code] = "its local authority's practices are all in this neighbourhood"

    # 3. Bridges between a neighbourhood's separate seeds, fewest LSOAs first.
    for nbh in neighbourhoods:
        while True:
            members = {c for c, n in assignment.items() if n == nbh}
            parts = pieces(members, adjacency)
            if len(parts) < 2:
                break
            path = _shortest_bridge(parts[0], set().union(*parts[1:]), assignment, adjacency)
            if not path:
                break
            for code in path:
                assignment[code], reasons[code] = nbh, "joins up the neighbourhood's practices"

    # 4. Targets from list sizes.
    patients = defaultdict(int)
    for p in practices:
        patients[p.neighbourhood] += p.patients
    total_patients = sum(patients.values()) or 1
    target = {n: len(codes) * patients[n] / total_patients for n in neighbourhoods}

    # 5. Growth into bordering LSOAs, nearest own practice first.
    sites = defaultdict(list)
    for p in practices:
        sites[p.neighbourhood].append((p.x, p.y))

    def nearness(nbh: str, code: str) -> float:
        u = by_code[code]
        return min(math.hypot(u.x - x, u.y - y) for x, y in sites[nbh])

    size = defaultdict(int)
    for nbh in assignment.values():
        size[nbh] += 1
    while len(assignment) < len(codes):
        candidates = []
        for nbh in neighbourhoods:
            frontier = {
                other
                for code, owner in assignment.items()
                if owner == nbh
                for other in adjacency.get(code, {})
                if other not in assignment and other in by_code
            }
            if frontier:
                best = min(sorted(frontier), key=lambda c: nearness(nbh, c))
                candidates.append((size[nbh] / target[nbh], nbh, best))
        if not candidates:
            # An island no area borders: give it to the neighbourhood with the nearest practice.
            for code in codes:
                if code not in assignment:
                    nbh = min(neighbourhoods, key=lambda n: (nearness(n, code), n))
                    assignment[code], reasons[code] = nbh, "borders no area: nearest practice"
                    size[nbh] += 1
            break
        _, nbh, code = min(candidates)
        assignment[code], reasons[code] = nbh, "grown from its neighbours"
        size[nbh] += 1

    derivation = Derivation(assignment=assignment, reasons=reasons)
    _make_contiguous(derivation, adjacency, practices)

    for p in practices:
        owner = assignment.get(p.lsoa) if p.lsoa else None
        if owner == p.neighbourhood:
            derivation.practices_inside.append(p.ods_code)
        elif p.lsoa is None or p.lsoa not in by_code:
            derivation.practices_outside.append((p.ods_code, "its point is outside every LSOA"))
        else:
            derivation.practices_outside.append((p.ods_code, f"its LSOA {p.lsoa} went to {owner}"))
    return derivation


def _shortest_bridge(start: set[str], goal: set[str], assignment, adjacency) -> list[str]:
    """The fewest unassigned LSOAs linking `start` to any of `goal` (breadth first)."""
    frontier = sorted(start)
    came_from: dict[str, str | None] = dict.fromkeys(frontier)
    while frontier:
        next_frontier = []
        for code in frontier:
            for other in sorted(adjacency.get(code, {})):
                if other in came_from:
                    continue
                if other in goal:
                    path, step = [], code
                    while step is not None and step not in start:
                        path.append(step)
                        step = came_from[step]
                    return sorted(path)
                if other not in assignment:
                    came_from[other] = code
                    next_frontier.append(other)
        frontier = next_frontier
    return []


def pieces(members: set[str], adjacency: dict[str, dict[str, float]]) -> list[set[str]]:
    """The connected pieces of a set of LSOAs, largest first (then by lowest code)."""
    seen, out = set(), []
    for start in sorted(members):
        if start in seen:
            continue
        piece, stack = set(), [start]
        while stack:
            code = stack.pop()
            if code in piece:
                continue
            piece.add(code)
            stack.extend(o for o in adjacency.get(code, {}) if o in members and o not in piece)
        seen |= piece
        out.append(piece)
    return sorted(out, key=lambda p: (-len(p), min(p)))


def _make_contiguous(derivation, adjacency, practices):
    assignment = derivation.assignment
    patients_in = defaultdict(int)
    for p in practices:
        if p.lsoa:
            patients_in[(p.neighbourhood, p.lsoa)] += p.patients
    changed = True
    while changed:
        changed = False
        for nbh in sorted(set(assignment.values())):
            members = {c for c, n in assignment.items() if n == nbh}
            parts = pieces(members, adjacency)
            if len(parts) < 2:
                continue
            keep = max(
                parts, key=lambda part: (sum(patients_in[(nbh, c)] for c in part), len(part))
            )
            for part in parts:
                if part is keep:
                    continue
                border = defaultdict(float)
                for code in part:
                    for other, length in adjacency.get(code, {}).items():
                        owner = assignment.get(other)
                        if owner and owner != nbh:
                            border[owner] += length
                if not border:
                    continue
                heir = max(sorted(border), key=lambda n: border[n])
                for code in sorted(part):
                    assignment[code] = heir
                    derivation.reasons[code] = f"joined to a neighbour to keep {nbh} in one piece"
                    derivation.pieces_moved.append((code, nbh, heir))
                changed = True
    return derivation


def neighbour_pairs(rows) -> dict[str, dict[str, float]]:
    """Adjacency from (code_a, code_b, shared_border_m) rows, both directions."""
    adjacency: dict[str, dict[str, float]] = defaultdict(dict)
    for a, b, length in rows:
        if length >= MIN_SHARED_BORDER_M:
            adjacency[a][b] = length
            adjacency[b][a] = length
    return adjacency


# Reading the inputs from the database: the LSOAs of the area, the borders they share, and
# the practices with their places and list sizes.


def area_units(codes) -> list[AreaUnit]:
    """The area's LSOAs, each with a point inside it in British National Grid metres."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT code, name, local_authority_code,
                   ST_X(ST_PointOnSurface(ST_Transform(boundary, 27700))),
                   ST_Y(ST_PointOnSurface(ST_Transform(boundary, 27700)))
            FROM {Lsoa._meta.db_table} WHERE local_authority_code = ANY(%s) ORDER BY code
            """,
            [codes],
        )
        return [AreaUnit(*row) for row in cursor.fetchall()]


def shared_borders(codes) -> list[tuple[str, str, float]]:
    """Length of border each pair of LSOAs shares, in metres (tolerant of generalisation)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH l AS (
                SELECT code, ST_Transform(boundary, 27700) AS g FROM {Lsoa._meta.db_table}
                WHERE local_authority_code = ANY(%s)
            )
            SELECT a.code, b.code,
                   ST_Area(ST_Intersection(ST_Buffer(a.g, 2), ST_Buffer(b.g, 2))) / 4
            FROM l AS a JOIN l AS b ON a.code < b.code AND ST_DWithin(a.g, b.g, 4)
            """,
            [codes],
        )
        return cursor.fetchall()


def practice_sites(codes) -> list[PracticeSite]:
    """Current members with a location: where they are, their LSOA and their list size."""
    memberships = (
        Membership.objects.current()
        .not_removed()
        .filter(practice__location__isnull=False)
        .select_related("practice", "neighbourhood")
    )
    lsoa_at = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.ods_code, l.code,
                   ST_X(ST_Transform(p.location, 27700)), ST_Y(ST_Transform(p.location, 27700))
            FROM {Practice._meta.db_table} AS p
            LEFT JOIN {Lsoa._meta.db_table} AS l
              ON l.local_authority_code = ANY(%s) AND ST_Covers(l.boundary, p.location)
            WHERE p.location IS NOT NULL
            """,
            [codes],
        )
        for ods, lsoa, x, y in cursor.fetchall():
            lsoa_at[ods] = (lsoa, x, y)
    sites = []
    for m in memberships:
        lsoa, x, y = lsoa_at[m.practice.ods_code]
        sites.append(
            PracticeSite(
                ods_code=m.practice.ods_code,
                neighbourhood=m.neighbourhood.pcn_code,
                lsoa=lsoa,
                x=x,
                y=y,
                patients=m.practice.registered_patients or 0,
            )
        )
    return sorted(sites, key=lambda s: s.ods_code)
