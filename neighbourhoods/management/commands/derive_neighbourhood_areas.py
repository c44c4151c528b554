"""Derive which neighbourhood each LSOA is in, and write it to fixtures/ with its attribution."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from neighbourhoods import areas
from neighbourhoods.models import Lsoa, Membership, Neighbourhood
from neighbourhoods.services import area_authority_codes

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "fixtures" / "neighbourhood_areas.json"

ATTRIBUTION = [
    "Derived by this project's derive_neighbourhood_areas command. Indicative only: a "
    "resident's GP practice decides their neighbourhood.",
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right (2022).",
    "Contains information from NHS England (Organisation Data Service), licensed under the "
    "current version of the Open Government Licence.",
    "Contains Ordnance Survey data © Crown copyright and database right 2025. Contains Royal "
    "Mail data © Royal Mail copyright and database right 2025.",
]


class Command(BaseCommand):
    help = (
        "Work out an indicative area for each neighbourhood from LSOA 2021 boundaries, "
        "practice locations and list sizes (the method is in neighbourhoods/areas.py), and "
        "write the LSOA assignments to fixtures/neighbourhood_areas.json. Needs the "
        "boundaries, postcodes and practices imported first. Changes nothing in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT))

    def handle(self, *args, output, **options):
        codes = area_authority_codes()
        lsoas = Lsoa.objects.filter(local_authority_code__in=codes)
        if not lsoas.exists():
            raise CommandError("No LSOAs in the area: run import_boundaries first.")
        units = self.units(codes)
        adjacency = areas.neighbour_pairs(self.shared_borders(codes))
        practices = self.practices(codes)
        if not practices:
            raise CommandError("No practices with a location: run import_practices first.")

        result = areas.derive(units, adjacency, practices)
        names = dict(Neighbourhood.objects.values_list("pcn_code", "name"))
        unit_names = {u.code: u.name for u in units}
        document = {
            "description": "Which neighbourhood each LSOA (2021) in City and Hackney is in.",
            "method": areas.__doc__.strip(),
            "attribution": ATTRIBUTION,
            "sources": [
                "LSOA (December 2021) boundaries, generalised to 20 m (ONS)",
                "NHS ODS ePCN (October 2024) practice memberships",
                "NHS England Patients Registered at a GP Practice (April 2026)",
                "OS Code-Point Open 2025.4 practice postcode locations",
            ],
            "areas": [
                {
                    "lsoa": code,
                    "lsoa_name": unit_names[code],
                    "neighbourhood": pcn,
                    "neighbourhood_name": names.get(pcn, ""),
                    "reason": result.reasons[code],
                }
                for code, pcn in sorted(result.assignment.items())
            ],
        }
        Path(output).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")

        self.stdout.write(self.style.SUCCESS(f"Wrote {len(result.assignment)} LSOAs to {output}"))
        for pcn in sorted(names, key=names.get):
            count = sum(1 for p in result.assignment.values() if p == pcn)
            self.stdout.write(f"  {names[pcn]}: {count} LSOAs")
        total = len(result.practices_inside) + len(result.practices_outside)
        self.stdout.write(
            f"Practices inside their own neighbourhood's area: {len(result.practices_inside)} "
            f"of {total}"
        )
        for ods, why in result.practices_outside:
            self.stdout.write(f"  {ods} is outside: {why}")
        for lsoa, was, now in result.pieces_moved:
            self.stdout.write(f"  {lsoa} moved from {was} to {now} to keep {was} in one piece")

    def units(self, codes):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT code, name, local_authority_code,
                       ST_X(ST_PointOnSurface(ST_Transform(boundary, 27700))),
                       ST_Y(ST_PointOnSurface(ST_Transform(boundary, 27700)))
                FROM neighbourhoods_lsoa WHERE local_authority_code = ANY(%s) ORDER BY code
                """,
                [codes],
            )
            return [areas.AreaUnit(*row) for row in cursor.fetchall()]

    def shared_borders(self, codes):
        """Length of border each pair of LSOAs shares, in metres (tolerant of generalisation)."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH l AS (
                    SELECT code, ST_Transform(boundary, 27700) AS g FROM neighbourhoods_lsoa
                    WHERE local_authority_code = ANY(%s)
                )
                SELECT a.code, b.code,
                       ST_Area(ST_Intersection(ST_Buffer(a.g, 2), ST_Buffer(b.g, 2))) / 4
                FROM l AS a JOIN l AS b ON a.code < b.code AND ST_DWithin(a.g, b.g, 4)
                """,
                [codes],
            )
            return cursor.fetchall()

    def practices(self, codes):
        memberships = (
            Membership.objects.current()
            .filter(practice__location__isnull=False)
            .select_related("practice", "neighbourhood")
        )
        lsoa_at = {}
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT p.ods_code, l.code,
                       ST_X(ST_Transform(p.location, 27700)), ST_Y(ST_Transform(p.location, 27700))
                FROM neighbourhoods_practice AS p
                LEFT JOIN neighbourhoods_lsoa AS l
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
                areas.PracticeSite(
                    ods_code=m.practice.ods_code,
                    neighbourhood=m.neighbourhood.pcn_code,
                    lsoa=lsoa,
                    x=x,
                    y=y,
                    patients=m.practice.registered_patients or 0,
                )
            )
        return sorted(sites, key=lambda s: s.ods_code)
