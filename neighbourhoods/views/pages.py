import datetime

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Count, F, Prefetch, Sum
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView, ListView

from partnership.data_sources import DATA_SOURCES
from partnership.reviews import page_review

from .. import maps
from ..models import (
    ODS_CODE_RE,
    Membership,
    Neighbourhood,
    NeighbourhoodAim,
    Practice,
    current_membership_q,
    membership_not_removed_q,
)
from ..selectors import imported_releases


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
        context["review"] = page_review(context["neighbourhoods"])
        return context


class NeighbourhoodDetailView(DetailView):
    template_name = "neighbourhoods/neighbourhood_detail.html"
    context_object_name = "neighbourhood"

    def get_queryset(self):
        return (
            Neighbourhood.objects.not_removed()
            .select_related("place", "source")
            .prefetch_related("partners")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        neighbourhood = self.object
        current = list(neighbourhood.current_memberships())
        context.update(
            current_memberships=current,
            past_memberships=neighbourhood.past_memberships(),
            registered_patients=sum(m.practice.registered_patients or 0 for m in current),
            patients_as_of=max(
                (
                    m.practice.registered_patients_as_of
                    for m in current
                    if m.practice.registered_patients_as_of
                ),
                default=None,
            ),
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
        context["map_config"] = {
            "areasUrl": maps.areas_url(),
            "practicesUrl": reverse("api:practices"),
            # Each practice marker's box links to its page: this address, with its own code.
            "practiceUrl": Practice.page_url(Practice.CODE_STAND_IN),
            "practiceUrlCode": Practice.CODE_STAND_IN,
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
        release = imported_releases().get(LIST_SIZE_SOURCE)
        context.update(
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
        "practices": [{"name": practice.name, "point": point}],
    }
