"""Import LSOA 2021 and London borough boundaries, then redraw the neighbourhood areas."""

from pathlib import Path

from neighbourhoods import services
from neighbourhoods.geography import ICB_FOR_AUTHORITY
from neighbourhoods.importers.base import ImportCommand, SourceFileError, data_dir, quote
from neighbourhoods.importers.boundaries import multipolygon, read_features
from neighbourhoods.models import LocalAuthority, Lsoa

# An LSOA may lie this share of its area outside its own local authority (slivers where two
# generalised boundaries do not quite meet) before the file is refused.
OUTSIDE_AUTHORITY_TOLERANCE = 0.01

LSOAS = "boundaries/lsoa_2021_gen20_city_and_hackney.geojson"
BOROUGHS = "boundaries/london_boroughs_lad22_gen20.geojson"


class Command(ImportCommand):
    help = (
        "Import LSOA 2021 boundaries and London borough boundaries (ONS, generalised to 20 m). "
        "LSOAs keep their neighbourhood; neighbourhood areas and postcode answers are worked "
        "out again when a boundary changes. Refuses, changing nothing, a broken file, a point "
        "outside Great Britain, an LSOA outside its own borough, or a file that would remove "
        "more than PORTAL_IMPORT_MAX_SHRINK of the LSOAs. Safe to run again."
    )
    primary_kind = "LSOAs"

    def run_import(self, summary, *args, **options):
        folder = data_dir(options["data_dir"])
        lsoa_features = read_features(
            self.use_file(folder / LSOAS), ["LSOA21CD", "LSOA21NM", "LAD22CD"]
        )
        borough_features = read_features(self.use_file(folder / BOROUGHS), ["LAD22CD", "LAD22NM"])
        lsoas = {
            f["properties"]["LSOA21CD"]: (
                f["properties"]["LSOA21NM"],
                f["properties"]["LAD22CD"],
                multipolygon(f, f"{Path(LSOAS).name}, {f['properties']['LSOA21CD']}"),
            )
            for f in self.progress(lsoa_features, desc="LSOAs", unit="area")
        }
        boroughs = {
            f["properties"]["LAD22CD"]: (
                f["properties"]["LAD22NM"],
                multipolygon(f, f"{Path(BOROUGHS).name}, {f['properties']['LAD22CD']}"),
            )
            for f in self.progress(borough_features, desc="Boroughs", unit="area")
        }

        self.check_lsoas_in_authorities(lsoas, boroughs)

        self.save_boroughs(boroughs, summary)
        boundaries_changed = self.save_lsoas(lsoas, summary)
        if boundaries_changed:
            redrawn = services.rebuild_areas()
            answered = services.recompute_postcode_answers()
            summary.note(
                f"{redrawn} neighbourhood area(s) redrawn; {answered} postcode answer(s) "
                "worked out again."
            )
        return "Imported boundaries"

    def check_lsoas_in_authorities(self, lsoas, boroughs):
        """Each LSOA lies inside the local authority it names, but for boundary slivers."""
        stored = {a.gss_code: a.boundary for a in LocalAuthority.objects.exclude(boundary=None)}
        for code, (_name, authority_code, boundary) in sorted(lsoas.items()):
            where = f"{LSOAS.rsplit('/', 1)[-1]}, {code}"
            authority = boroughs[authority_code][1] if authority_code in boroughs else None
            authority = authority or stored.get(authority_code)
            if authority is None:
                raise SourceFileError(
                    f"{where}: its local authority {quote(authority_code)} is neither in "
                    f"{BOROUGHS.rsplit('/', 1)[-1]} nor in the database. Check the two files "
                    "belong together, or download them again."
                )
            outside = boundary.difference(authority).area / boundary.area
            if outside > OUTSIDE_AUTHORITY_TOLERANCE:
                raise SourceFileError(
                    f"{where}: {outside:.0%} of the LSOA lies outside its own local authority "
                    f"{authority_code} (at most {OUTSIDE_AUTHORITY_TOLERANCE:.0%} is allowed for "
                    "boundary slivers). Check the LSOA's LAD22CD and its boundary, or download "
                    "the file again."
                )

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
        if not lsoas:
            raise SourceFileError(f"{LSOAS.rsplit('/', 1)[-1]} has no LSOAs.")
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
        self.guard_shrink(
            summary,
            file=LSOAS.rsplit("/", 1)[-1],
            verb="remove",
            lost=gone.count(),
            total=len(existing),
            what="LSOAs",
        )
        if gone.exists():
            summary.count("LSOAs", "removed", gone.count())
            gone.delete()
            changed_any = True
        return changed_any
