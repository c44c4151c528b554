from django.db.models import Count, Prefetch, Sum
from django.urls import reverse
from django.views.generic import DetailView, ListView

from .. import maps
from ..models import Membership, Neighbourhood, NeighbourhoodAim, current_membership_q


class NeighbourhoodListView(ListView):
    template_name = "neighbourhoods/neighbourhood_list.html"
    context_object_name = "neighbourhoods"

    def get_queryset(self):
        current = current_membership_q(prefix="memberships__")
        return Neighbourhood.objects.annotate(
            practice_count=Count("memberships", filter=current),
            patients=Sum("memberships__practice__registered_patients", filter=current),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["aims"] = NeighbourhoodAim.objects.all()
        context["reviewed_on"] = max(
            (n.reviewed_on for n in context["neighbourhoods"] if n.reviewed_on), default=None
        )
        return context


class NeighbourhoodDetailView(DetailView):
    template_name = "neighbourhoods/neighbourhood_detail.html"
    context_object_name = "neighbourhood"

    def get_queryset(self):
        return Neighbourhood.objects.select_related("place").prefetch_related("partners")

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
            reviewed_on=neighbourhood.reviewed_on,
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
            }
            for number, m in enumerate(memberships, start=1)
            if m.practice.location is not None
        ],
    }


class NeighbourhoodMapView(ListView):
    """All eight areas and their practices on a map, with the same facts as a list beside it."""

    template_name = "neighbourhoods/neighbourhood_map.html"
    context_object_name = "neighbourhoods"

    def get_queryset(self):
        return Neighbourhood.objects.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.current().select_related("practice"),
                to_attr="current",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["map_config"] = {
            "areasUrl": maps.areas_url(),
            "practicesUrl": reverse("api:practices"),
        }
        return context
