import datetime
import logging

from django.conf import settings
from django.db.models import Max, Prefetch, Sum
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, ListView, TemplateView
from django_ratelimit.core import get_usage

from config import generation
from config.clients import ratelimit_key
from neighbourhoods.models import (
    Lsoa,
    Neighbourhood,
    Practice,
    current_membership_q,
    membership_not_removed_q,
)
from neighbourhoods.selectors import data_freshness, imported_releases
from workstreams.models import Workstream

from .data_sources import DATA_SOURCES
from .forms import MAX_MESSAGE_LENGTH, ContactForm, page_path
from .models import (
    KEEP_ANY_MONTHS,
    KEEP_CLOSED_MONTHS,
    PartnerOrganisation,
    Place,
    Priority,
    Source,
)
from .reviews import PageReview, page_review
from .services import contact_message_send

logger = logging.getLogger(__name__)


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
            priorities=place.priorities.live(),
            work_programmes=place.work_programmes.live(),
            health_challenges=place.health_challenges.live(),
            neighbourhoods=Neighbourhood.objects.not_removed().filter(place=place),
            workstreams=place.workstreams.live(),
            other_places=Place.objects.exclude(pk=place.pk).order_by("order", "pk"),
            review=page_review([place]),
            # Lazy, like the querysets above: none of them runs while the page's content is
            # cached (templates/partnership/home.html).
            patients=SimpleLazyObject(lambda: registered_patients_in(place)),
            # Read before any of them: content read before a publish, kept after its clear,
            # is kept in the generation before it, which no page asks for again.
            cache_generation=generation.current(),
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
        partners = PartnerOrganisation.objects.live().filter(places=self.place)
        return partners.select_related("source")

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
    queryset = (
        PartnerOrganisation.objects.live()
        .select_related("source")
        .prefetch_related(
            "places",
            Prefetch("workstreams", queryset=Workstream.objects.live()),
            Prefetch(
                "neighbourhoods",
                queryset=Neighbourhood.objects.not_removed().order_by("order", "name"),
            ),
        )
    )

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=page_review([self.object]), **kwargs)


class PlaceDetailView(DetailView):
    """Another place partnership (Islington): its own content and partners, plainly not ours."""

    template_name = "partnership/place_detail.html"
    context_object_name = "place"
    queryset = Place.objects.select_related("source").prefetch_related(
        Prefetch("partners", queryset=PartnerOrganisation.objects.live()),
        Prefetch("priorities", queryset=Priority.objects.live()),
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


# The day each of these pages' own text last changed. Their text is in their templates (and
# the partials they include), changed with the code rather than in the admin, so nobody
# marks them reviewed: they say "Page last updated" on the day of the last commit that
# changed their template, which tests/partnership/test_review_dates.py checks against git.
# Change the date with the text.
TEXT_UPDATED_ON = {
    "partnership/contact.html": datetime.date(2026, 12, 5),
    "partnership/contact_sent.html": datetime.date(2026, 12, 5),
    "partnership/accessibility.html": datetime.date(2026, 12, 5),
    "partnership/privacy.html": datetime.date(2026, 12, 5),
}


class InformationPageView(TemplateView):
    def get_context_data(self, **kwargs):
        updated = PageReview(None, updated_on=TEXT_UPDATED_ON[self.template_name])
        return super().get_context_data(review=updated, **kwargs)


# Without a CSRF token, so that residents still get no cookie (the privacy notice): a form
# posted from another site can do no more than one sent from here, a message in the queue,
# and counts towards the same per-address limit (docs/security.md, "The contact form").
@method_decorator(csrf_exempt, name="dispatch")
class ContactView(InformationPageView):
    """Ways to reach us, and the contact form: a message reaches staff's queue in the admin."""

    template_name = "partnership/contact.html"

    def get_context_data(self, **kwargs):
        place = main_place()
        partners = PartnerOrganisation.objects.live().filter(places=place, is_core_partner=True)
        return super().get_context_data(
            place=place,
            partners=partners.exclude(website=""),
            max_message_length=MAX_MESSAGE_LENGTH,
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        form = ContactForm(initial={"page": page_path(request.GET.get("page", ""))})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ContactForm(request.POST)
        usage = contact_usage(request)
        if usage and usage["should_limit"]:
            retry_after = max(1, int(usage["time_left"]))
            form.is_valid()  # keep what they wrote, and its page, for them to send later
            form.errors.clear()
            form.add_error(
                None,
                "You have sent a lot of messages from your internet connection in the last "
                f"hour. Try again in {-(-retry_after // 60)} minutes.",
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if not form.is_spam:
            contact_message_send(
                message=form.cleaned_data["message"],
                page=form.cleaned_data["page"],
                reply_to=form.cleaned_data["reply_to"],
            )
        sent = HttpResponseRedirect(reverse("partnership:contact-sent"))
        sent.status_code = 303  # See Other: the browser asks for the thanks page with GET
        return sent


def contact_usage(request):
    """This address's count of contact form posts (django-ratelimit, in the counters' Redis);
    None when the counter cannot be reached: the form then works without its limit."""
    try:
        return get_usage(
            request,
            group="contact",
            key=ratelimit_key,
            rate=settings.PORTAL_CONTACT_RATE_LIMIT,
            method="POST",
            increment=True,
        )
    except Exception:  # noqa: BLE001 (any cache failure: fail open, as the API does)
        logger.exception("The contact form's rate-limit cache cannot be reached.")
        return None


class ContactSentView(InformationPageView):
    template_name = "partnership/contact_sent.html"


class AccessibilityView(InformationPageView):
    template_name = "partnership/accessibility.html"


RATE_PERIODS = {"s": ("a second", "second"), "m": ("a minute", "minute"),
                "h": ("an hour", "hour"), "d": ("a day", "day")}  # fmt: skip


def rate_in_words(rate: str | None) -> dict | None:
    """A django-ratelimit rate ("10/h") as the privacy notice says it."""
    count, _, unit = (rate or "").partition("/")
    if not count.isdigit() or unit[-1:] not in RATE_PERIODS:
        return None
    per, period = RATE_PERIODS[unit[-1]]
    return {"count": int(count), "per": per, "period": period}


class PrivacyView(InformationPageView):
    template_name = "partnership/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            keep_closed_months=KEEP_CLOSED_MONTHS,
            keep_any_months=KEEP_ANY_MONTHS,
            access_log_days=settings.PORTAL_ACCESS_LOG_DAYS,
            contact_limit=rate_in_words(settings.PORTAL_CONTACT_RATE_LIMIT),
            **kwargs,
        )
