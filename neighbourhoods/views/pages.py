import datetime
import io

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Count, F, Prefetch, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.generic import DetailView, ListView, TemplateView

from partnership.data_sources import DATA_SOURCES
from partnership.models import PartnerOrganisation
from partnership.reviews import page_review

from .. import csv_cells, maps, profiles
from ..models import (
    ODS_CODE_RE,
    Membership,
    Neighbourhood,
    NeighbourhoodAim,
    Practice,
    current_membership_q,
    membership_not_removed_q,
)
from ..selectors import imported_releases, membership_release


class NeighbourhoodListView(ListView):
    template_name = "neighbourhoods/neighbourhood_list.html"
    context_object_name = "neighbourhoods"

    def get_queryset(self):
        current = current_membership_q(prefix="memberships__") & membership_not_removed_q(
            prefix="memberships__"
        )
        return (
            Neighbourhood.objects.not_removed()
            .select_related("source")
            .annotate(
                practice_count=Count("memberships", filter=current),
                patients=Sum("memberships__practice__registered_patients", filter=current),
            )
            # Meta.ordering is not applied to a query with GROUP BY (Django 3.1 on): without
            # this, the list came in whatever order the database's aggregate gave.
            .order_by("order", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["aims"] = NeighbourhoodAim.objects.all()
        context["membership_release"] = membership_release()
        context["review"] = page_review(context["neighbourhoods"])
        return context


class NeighbourhoodDetailView(DetailView):
    template_name = "neighbourhoods/neighbourhood_detail.html"
    context_object_name = "neighbourhood"

    def get_queryset(self):
        return (
            Neighbourhood.objects.not_removed()
            .select_related("place", "source")
            .prefetch_related(Prefetch("partners", queryset=PartnerOrganisation.objects.live()))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        neighbourhood = self.object
        current = list(neighbourhood.current_memberships())
        patients = sum(m.practice.registered_patients or 0 for m in current)
        patients_as_of = max(
            (
                m.practice.registered_patients_as_of
                for m in current
                if m.practice.registered_patients_as_of
            ),
            default=None,
        )
        context.update(
            membership_release=membership_release(),
            current_memberships=current,
            past_memberships=neighbourhood.past_memberships(),
            registered_patients=patients,
            patients_as_of=patients_as_of,
            profile=profiles.profile_page(
                neighbourhood,
                memberships=current,
                patients=patients,
                patients_as_of=patients_as_of,
            ),  # fmt: skip
            aims=NeighbourhoodAim.objects.all(),
            map_config=own_area_map_config(neighbourhood, current),
            review=page_review([neighbourhood]),
        )
        return context


def own_area_map_config(neighbourhood, memberships) -> dict | None:
    """The neighbourhood's own area, in focus, with its practices numbered as in the table."""
    if neighbourhood.boundary is None:
        return None
    return {
        "areasUrl": maps.areas_url(),
        "neighbourhood": neighbourhood.slug,
        "focusArea": True,
        "practices": [
            {
                "number": number,
                "name": m.practice.name,
                "point": [round(m.practice.location.y, 6), round(m.practice.location.x, 6)],
                "url": m.practice.get_absolute_url(),
                "forWhom": m.practice.for_whom,
            }
            for number, m in enumerate(memberships, start=1)
            if m.practice.location is not None
        ],
    }


# How many area colours portal.css defines (.portal-area-1 to -8), as map.js knows too.
AREA_COLOURS = 8


class NeighbourhoodMapView(ListView):
    """All eight areas and their practices on a map, with the same facts as a list beside it."""

    template_name = "neighbourhoods/neighbourhood_map.html"
    context_object_name = "neighbourhoods"

    def get_queryset(self):
        return (
            Neighbourhood.objects.not_removed()
            .annotate(label_point=PointOnSurface("boundary"))
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.current().not_removed().select_related("practice"),
                    to_attr="current",
                )
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        neighbourhoods = context["neighbourhoods"]
        # Each area's number: on its label on the map, in the key and in the list.
        for number, neighbourhood in enumerate(neighbourhoods, start=1):
            neighbourhood.number = number
            neighbourhood.colour = (number - 1) % AREA_COLOURS + 1  # .portal-area-N in CSS
        practices = sorted(
            (m.practice for n in neighbourhoods for m in n.current if m.practice.location),
            key=lambda practice: practice.name,
        )
        context["membership_release"] = membership_release()
        context["map_config"] = {
            "areasUrl": maps.areas_url(),
            # The page carries its practices (each marker's box links to its page), so its
            # map asks nothing of the API.
            "practices": [
                {
                    "name": p.name,
                    "point": [round(p.location.y, 6), round(p.location.x, 6)],
                    "url": p.get_absolute_url(),
                    "forWhom": p.for_whom,
                }
                for p in practices
            ],
            "areas": {
                n.slug: {
                    "number": n.number,
                    "label": [round(n.label_point.y, 6), round(n.label_point.x, 6)],
                }
                for n in neighbourhoods
                if n.label_point is not None
            },
        }
        return context


LIST_SIZE_SOURCE = "gp-registered-patients"
# Close enough to see the streets around a practice, far enough to see where it is.
PRACTICE_MAP_ZOOM = 15


class PracticeDetailView(DetailView):
    """One GP practice: its neighbourhood and membership history, list size, address, phone,
    a small map and its NHS website profile. A lower-case code redirects to the page."""

    template_name = "neighbourhoods/practice_detail.html"
    context_object_name = "practice"

    def get(self, request, *args, **kwargs):
        code = kwargs["ods_code"]
        canonical = code.upper()
        if not ODS_CODE_RE.match(canonical):
            raise Http404("Not a practice code")
        if code != canonical:
            return redirect("practice-detail", ods_code=canonical, permanent=True)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        """A practice deleted in the admin is not found, as before deletion kept it: residents
        are never sent to one (it is in no answer, search or map), and a closed practice,
        which they may still look for, keeps its page and says it has closed."""
        memberships = (
            Membership.objects.not_removed()
            .select_related("neighbourhood")
            .order_by(F("started_on").asc(nulls_first=True), "ended_on")
        )
        practice = (
            Practice.objects.not_removed()
            .prefetch_related(Prefetch("memberships", queryset=memberships))
            .filter(ods_code=self.kwargs["ods_code"])
            .first()
        )
        if practice is None:
            raise Http404("No such practice")
        return practice

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        practice = self.object
        today = datetime.date.today()
        history = [(m, membership_state(m, today)) for m in practice.memberships.all()]
        current = next((m for m, state in history if state == "current"), None)
        releases = imported_releases()
        release = releases.get(LIST_SIZE_SOURCE)
        context.update(
            # A closed practice: the data does not say where its patients went, but an open
            # practice at the same postcode is worth knowing of (The Elm and Rosewood
            # Practices, closed in 2025, shared 1A Fountayne Road with one still open).
            open_at_same_postcode=(
                list(Practice.objects.not_removed().open_at(practice.postcode, but=practice))
                if practice.status == Practice.Status.CLOSED and practice.postcode
                else []
            ),
            membership_release=getattr(releases.get("ods-epcn"), "release_date", None),
            history=history,
            current_membership=current,
            last_membership=next((m for m, state in reversed(history) if state == "ended"), None),
            list_size_as_of=practice.registered_patients_as_of
            or (release.release_date if release else None),
            list_size_release=release.release_date if release else None,
            list_size_source=next(s for s in DATA_SOURCES if s.key == LIST_SIZE_SOURCE),
            map_config=practice_map_config(practice, current),
            map_caption=(
                f"The map shows where {practice.name} is"
                + (
                    f", with the {current.neighbourhood.name} neighbourhood's area drawn solid "
                    "and the others dashed."
                    if current
                    else "."
                )
            ),
        )
        return context


def membership_state(membership, today) -> str:
    """'current', 'ended' or 'future': how the practice page words a membership."""
    if membership.is_current(today):
        return "current"
    if membership.ended_by(today):
        return "ended"
    return "future"


def practice_map_config(practice, membership) -> dict | None:
    """The practice's own point, close up, over the areas; its neighbourhood's drawn solid."""
    if practice.location is None:
        return None
    point = [round(practice.location.y, 6), round(practice.location.x, 6)]
    return {
        "areasUrl": maps.areas_url(),
        "neighbourhood": membership.neighbourhood.slug if membership else None,
        "centre": point,
        "zoom": PRACTICE_MAP_ZOOM,
        "practices": [{"name": practice.name, "point": point, "forWhom": practice.for_whom}],
    }


def patients_by_neighbourhood() -> dict[int, int]:
    """Neighbourhood id -> patients registered with its current practices."""
    current = current_membership_q(prefix="memberships__") & membership_not_removed_q(
        prefix="memberships__"
    )
    return dict(
        Neighbourhood.objects.not_removed()
        .annotate(patients=Sum("memberships__practice__registered_patients", filter=current))
        .order_by()
        .values_list("pk", "patients")
    )


class NeighbourhoodCompareView(TemplateView):
    """The eight neighbourhoods side by side on the profiles' measures, sortable by any column
    with links (no JavaScript needed), and as CSV."""

    template_name = "neighbourhoods/neighbourhood_compare.html"

    def get(self, request, *args, **kwargs):
        key = request.GET.get("sort", "name")
        order = request.GET.get("order", "asc")
        problems = []
        if key not in profiles.COMPARE_COLUMNS:
            problems.append("Choose a column to sort by from the table's headings.")
            key = "name"
        if order not in ("asc", "desc"):
            problems.append("Sort in ascending or descending order (asc or desc).")
            order = "asc"
        rows = profiles.sorted_comparison(
            profiles.comparison(patients_by_neighbourhood()), key, order == "desc"
        )
        if kwargs.get("csv"):
            if problems:
                return HttpResponse(" ".join(problems), status=400, content_type="text/plain")
            return self.csv(rows)
        context = self.get_context_data(
            rows=rows,
            sort=key,
            order=order,
            problems=problems,
            columns=[
                {
                    "key": column,
                    "label": label,
                    "sorted": column == key,
                    "order": order if column == key else None,
                    "next": "desc" if column == key and order == "asc" else "asc",
                }
                for column, label in profiles.COMPARE_COLUMNS.items()
            ],
            releases=profiles.profile_releases(patients_as_of=patients_release()),
        )
        return self.render_to_response(context, status=400 if problems else 200)

    def csv(self, rows):
        out = io.StringIO()
        csv_cells.comment(out, f"The eight neighbourhoods compared. {profiles.INDICATIVE}")
        for release in profiles.profile_releases(patients_as_of=patients_release()):
            date = release["release_date"]
            csv_cells.comment(
                out,
                f"{release['source']} ({release['publisher']}), released "
                f"{date.isoformat() if date else 'not imported'}. {release['attribution']}",
            )
        writer = csv_cells.writer(out, lineterminator="\n")
        keys = list(profiles.COMPARE_COLUMNS)
        writer.writerow(keys)
        for row in rows:
            writer.writerow(["" if row[k] is None else row[k] for k in keys])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="neighbourhoods-compared.csv"'
        return response


def patients_release():
    return (
        Practice.objects.not_removed()
        .exclude(registered_patients_as_of=None)
        .order_by("-registered_patients_as_of")
        .values_list("registered_patients_as_of", flat=True)
        .first()
    )
