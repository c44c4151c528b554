import datetime

from django.db.models import Max, Prefetch, Sum
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView, TemplateView

from neighbourhoods.models import (
    Lsoa,
    Neighbourhood,
    Practice,
    current_membership_q,
    membership_not_removed_q,
)
from neighbourhoods.selectors import data_freshness, imported_releases

from .data_sources import DATA_SOURCES
from .models import PartnerOrganisation, Place, Source
from .reviews import PageReview, page_review


def main_place():
    place = Place.objects.select_related("source").main()
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
            neighbourhoods=Neighbourhood.objects.not_removed().filter(place=place),
            workstreams=place.workstreams.all(),
            other_places=Place.objects.exclude(pk=place.pk).order_by("order", "pk"),
            review=page_review([place]),
            # Lazy, like the querysets above: none of them runs while the page's content is
            # cached (templates/partnership/home.html).
            patients=SimpleLazyObject(lambda: registered_patients_in(place)),
        )
        return context


def registered_patients_in(place):
    """Patients registered with the practices now in the place's neighbourhoods."""
    practices = Practice.objects.filter(
        current_membership_q(prefix="memberships__"),
        membership_not_removed_q(prefix="memberships__"),
        memberships__neighbourhood__place=place,
    ).distinct()
    return practices.aggregate(
        registered_patients=Sum("registered_patients"),
        registered_patients_as_of=Max("registered_patients_as_of"),
    )


class PartnerListView(ListView):
    """The main place's partners in three groups: the core partners, the other organisations
    working in its neighbourhoods, and the services elsewhere its residents use. Partners of
    other places are on those places' own pages."""

    template_name = "partnership/partner_list.html"
    context_object_name = "partners"

    def get_queryset(self):
        self.place = main_place()
        return PartnerOrganisation.objects.filter(places=self.place).select_related("source")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partners = list(context["partners"])
        context.update(
            place=self.place,
            core_partners=[p for p in partners if p.is_core_partner],
            local_partners=[
                p for p in partners if not p.is_core_partner and not p.based_outside_area
            ],
            outside_partners=[
                p for p in partners if not p.is_core_partner and p.based_outside_area
            ],
            other_places=Place.objects.exclude(pk=self.place.pk).order_by("order", "pk"),
            review=page_review(partners),
        )
        return context


class PartnerDetailView(DetailView):
    template_name = "partnership/partner_detail.html"
    context_object_name = "partner"
    queryset = PartnerOrganisation.objects.select_related("source").prefetch_related(
        "places",
        "workstreams",
        Prefetch(
            "neighbourhoods", queryset=Neighbourhood.objects.not_removed().order_by("order", "name")
        ),
    )

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=page_review([self.object]), **kwargs)


class PlaceDetailView(DetailView):
    """Another place partnership (Islington): its own content and partners, plainly not ours."""

    template_name = "partnership/place_detail.html"
    context_object_name = "place"
    queryset = Place.objects.select_related("source").prefetch_related(
        "partners", "priorities", "work_programmes"
    )

    def get_context_data(self, **kwargs):
        main = Place.objects.main()
        return super().get_context_data(
            main_place=main,
            is_main_place=main is not None and main.pk == self.object.pk,
            review=page_review([self.object]),
            **kwargs,
        )


class AboutDataView(TemplateView):
    template_name = "partnership/about_data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        releases = imported_releases()
        freshness = data_freshness(releases=releases)
        context["data_sources"] = [
            (source, releases.get(source.key), freshness[source.key]) for source in DATA_SOURCES
        ]
        context["content_sources"] = Source.objects.all()
        context["lsoa_count"] = Lsoa.objects.filter(neighbourhood__isnull=False).count()
        return context


# The date these pages' own text (in their templates, so reviewed with the code) was last
# checked; content records carry their own.
INFORMATION_PAGES_REVIEWED_ON = datetime.date(2026, 11, 22)


class InformationPageView(TemplateView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(review=PageReview(INFORMATION_PAGES_REVIEWED_ON), **kwargs)


class ContactView(InformationPageView):
    template_name = "partnership/contact.html"

    def get_context_data(self, **kwargs):
        place = main_place()
        partners = PartnerOrganisation.objects.filter(places=place, is_core_partner=True)
        return super().get_context_data(
            place=place, partners=partners.exclude(website=""), **kwargs
        )


class AccessibilityView(InformationPageView):
    template_name = "partnership/accessibility.html"


class PrivacyView(InformationPageView):
    template_name = "partnership/privacy.html"
