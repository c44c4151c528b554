"""Import LSOA 2021 and London borough boundaries, then redraw the neighbourhood areas."""

from django.db import transaction

from neighbourhoods import services
from neighbourhoods.geography import ICB_FOR_AUTHORITY
from neighbourhoods.importers.base import ImportCommand, Summary, data_dir
from neighbourhoods.importers.geojson import multipolygon, read_features
from neighbourhoods.models import LocalAuthority, Lsoa

LSOAS = "boundaries/lsoa_2021_gen20_city_and_hackney.geojson"
BOROUGHS = "boundaries/london_boroughs_lad22_gen20.geojson"


class Command(ImportCommand):
    help = (
        "Import LSOA 2021 boundaries and London borough boundaries (ONS, generalised to 20 m). "
        "LSOAs keep their neighbourhood; neighbourhood areas and postcode answers are worked "
        "out again when a boundary changes. Safe to run again."
    )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        folder = data_dir(options["data_dir"])
        lsoa_features = read_features(folder / LSOAS, ["LSOA21CD", "LSOA21NM", "LAD22CD"])
        borough_features = read_features(folder / BOROUGHS, ["LAD22CD", "LAD22NM"])
        lsoas = {
            f["properties"]["LSOA21CD"]: (
                f["properties"]["LSOA21NM"],
                f["properties"]["LAD22CD"],
                multipolygon(f, f"{LSOAS}, {f['properties']['LSOA21CD']}"),
            )
            for f in self.progress(lsoa_features, desc="LSOAs", unit="area")
        }
        boroughs = {
            f["properties"]["LAD22CD"]: (
                f["properties"]["LAD22NM"],
                multipolygon(f, f"{BOROUGHS}, {f['properties']['LAD22CD']}"),
            )
            for f in self.progress(borough_features, desc="Boroughs", unit="area")
        }

        summary = Summary()
        with transaction.atomic():
            self.save_boroughs(boroughs, summary)
            boundaries_changed = self.save_lsoas(lsoas, summary)
            if boundaries_changed:
                redrawn = services.rebuild_areas()
                answered = services.recompute_postcode_answers()
                summary.note(
                    f"{redrawn} neighbourhood area(s) redrawn; {answered} postcode answer(s) "
                    "worked out again."
                )
        self.report(summary, "Imported boundaries")

    def save_boroughs(self, boroughs, summary):
        existing = {a.gss_code: a for a in LocalAuthority.objects.all()}
        for code, (name, boundary) in sorted(boroughs.items()):
            authority = existing.get(code)
            if authority is None:
                LocalAuthority.objects.create(
                    gss_code=code,
                    name=name,
                    boundary=boundary,
                    nhs_body=ICB_FOR_AUTHORITY.get(code, ""),
                )
                summary.count("Boroughs", "added")
            elif authority.boundary is None or not authority.boundary.equals_exact(boundary, 1e-9):
                authority.boundary = boundary
                authority.save(update_fields=["boundary"])
                summary.count("Boroughs", "changed")
            else:
                summary.count("Boroughs", "unchanged")

    def save_lsoas(self, lsoas, summary) -> bool:
        existing = {lsoa.code: lsoa for lsoa in Lsoa.objects.all()}
        changed_any = False
        for code, (name, authority_code, boundary) in sorted(lsoas.items()):
            lsoa = existing.get(code)
            if lsoa is None:
                Lsoa.objects.create(
                    code=code, name=name, local_authority_code=authority_code, boundary=boundary
                )
                summary.count("LSOAs", "added")
                changed_any = True
                continue
            fields = []
            if lsoa.name != name:
                lsoa.name, fields = name, [*fields, "name"]
            if lsoa.local_authority_code != authority_code:
                lsoa.local_authority_code, fields = (
                    authority_code,
                    [*fields, "local_authority_code"],
                )
            if not lsoa.boundary.equals_exact(boundary, 1e-9):
                lsoa.boundary, fields = boundary, [*fields, "boundary"]
            if fields:
                lsoa.save(update_fields=fields)
                summary.count("LSOAs", "changed")
                changed_any = True
            else:
                summary.count("LSOAs", "unchanged")
        gone = Lsoa.objects.exclude(code__in=lsoas)
        if gone.exists():
            summary.count("LSOAs", "removed", gone.count())
            gone.delete()
            changed_any = True
        return changed_any
