"""Derive which neighbourhood each LSOA is in, and write it to fixtures/ with its attribution."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from neighbourhoods import derivation
from neighbourhoods.importers.areas import DEFAULT_OUTPUT
from neighbourhoods.models import Lsoa, Neighbourhood
from neighbourhoods.selectors import area_authority_codes

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
        "practice locations and list sizes (the method is in neighbourhoods/derivation.py), and "
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
        units = derivation.area_units(codes)
        adjacency = derivation.neighbour_pairs(derivation.shared_borders(codes))
        practices = derivation.practice_sites(codes)
        if not practices:
            raise CommandError("No practices with a location: run import_practices first.")

        result = derivation.derive(units, adjacency, practices)
        names = dict(Neighbourhood.objects.values_list("pcn_code", "name"))
        unit_names = {u.code: u.name for u in units}
        document = {
            "description": "Which neighbourhood each LSOA (2021) in City and Hackney is in.",
            "method": derivation.__doc__.strip(),
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
