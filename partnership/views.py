from django.db.models import Max, Prefetch, Sum
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView, TemplateView

from neighbourhoods.models import Lsoa, Neighbourhood, Practice, current_membership_q

from .data_sources import DATA_SOURCES
from .models import PartnerOrganisation, Place, Source


def main_place():
    place = Place.objects.main()
    if place is None:
        raise Http404("No place has been set up yet.")
    return place


class HomeView(TemplateView):
    template_name = "partnership/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        place = main_place()
        context.update(
            place=place,
            priorities=place.priorities.all(),
            work_programmes=place.work_programmes.all(),
            health_challenges=place.health_challenges.all(),
            neighbourhoods=Neighbourhood.objects.filter(place=place),
            workstreams=place.workstreams.all(),
            # Lazy, like the querysets above: none of them runs while the page's content is
            # cached (templates/partnership/home.html).
            patients=SimpleLazyObject(lambda: registered_patients_in(place)),
        )
        return context


def registered_patients_in(place):
    """Patients registered with the practices now in the place's neighbourhoods."""
    practices = Practice.objects.filter(
        current_membership_q(prefix="memberships__"), memberships__neighbourhood__place=place
    ).distinct()
    return practices.aggregate(
        registered_patients=Sum("registered_patients"),
        registered_patients_as_of=Max("registered_patients_as_of"),
    )


class PartnerListView(ListView):
    template_name = "partnership/partner_list.html"
    context_object_name = "partners"

    def get_queryset(self):
        return PartnerOrganisation.objects.prefetch_related("places")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partners = list(context["partners"])
        context["core_partners"] = [p for p in partners if p.is_core_partner]
        context["other_partners"] = [p for p in partners if not p.is_core_partner]
        return context


class PartnerDetailView(DetailView):
    template_name = "partnership/partner_detail.html"
    context_object_name = "partner"
    queryset = PartnerOrganisation.objects.prefetch_related(
        "places",
        "workstreams",
        Prefetch("neighbourhoods", queryset=Neighbourhood.objects.order_by("order", "name")),
    )


class AboutDataView(TemplateView):
    template_name = "partnership/about_data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["data_sources"] = DATA_SOURCES
        context["content_sources"] = Source.objects.all()
        context["lsoa_count"] = Lsoa.objects.filter(neighbourhood__isnull=False).count()
        return context
