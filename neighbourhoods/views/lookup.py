"""The public "which neighbourhood am I in?" pages: by postcode (or by point, for "Use my
location"), and by GP practice."""

from django.db.models import F, Prefetch
from django.shortcuts import render
from django.views import View

from .. import maps
from ..answers import POINT_ONLY
from ..models import MIN_SEARCH_LENGTH, Membership, Practice
from ..selectors import lookup_point, lookup_postcode, membership_release

MAX_QUERY_LENGTH = 100


def answer_map_data(result) -> dict | None:
    """The small piece of map data the answer adds: the point (the postcode's, or the one
    asked about), labelled, and its practices."""
    point = result.point
    if point is None or result.outcome in POINT_ONLY:  # nothing of ours to show around it
        return None
    return {
        "areasUrl": maps.areas_url(),
        "postcode": "Your location" if result.is_point else str(result.postcode),
        "point": [point.latitude, point.longitude],
        "neighbourhood": result.neighbourhood.slug if result.neighbourhood else None,
        "practices": [
            {
                "name": p.name,
                "point": [p.latitude, p.longitude],
                "distance_m": round(p.distance_m),
                "url": Practice.page_url(p.ods_code),
                "forWhom": p.for_whom,
            }
            for p in result.practices
        ],
    }


class PostcodeLookupView(View):
    template_name = "neighbourhoods/lookup.html"

    def get(self, request):
        by_point = "lat" in request.GET or "lon" in request.GET
        asked = by_point or "postcode" in request.GET
        if by_point:
            result = lookup_point(request.GET.get("lat"), request.GET.get("lon"))
        else:
            result = lookup_postcode(request.GET.get("postcode", "")) if asked else None
        context = {
            "result": result,
            "asked": asked,
            "map_data": answer_map_data(result) if result else None,
            # Part of the cached answer's key (templatetags/portal.py): read only when shown.
            "membership_release": membership_release() if result and result.practices else None,
        }
        status = result.status_code if result else 200
        return render(request, self.template_name, context, status=status)


class PracticeSearchView(View):
    """Find a neighbourhood from the name, ODS code or postcode of a GP practice."""

    template_name = "neighbourhoods/practice_search.html"

    def get(self, request):
        asked = "q" in request.GET
        query = request.GET.get("q", "").strip()
        error, practices, suggestions, status = None, None, [], 200
        if asked and not query:
            error, status = "Enter the name of your GP practice", 400
        elif asked and len(query) < MIN_SEARCH_LENGTH:
            error = f"Enter at least {MIN_SEARCH_LENGTH} letters of your GP practice's name"
            status = 400
        elif len(query) > MAX_QUERY_LENGTH:
            error, status = f"Enter no more than {MAX_QUERY_LENGTH} characters", 400
        elif "\x00" in query:
            error, status = "Enter the name of your GP practice using letters and numbers", 400
        elif asked:
            memberships = (
                Membership.objects.not_removed()
                .select_related("neighbourhood")
                .order_by(F("ended_on").desc(nulls_first=True))
            )
            practices = list(
                Practice.objects.not_removed()
                .search(query)
                .prefetch_related(Prefetch("memberships", queryset=memberships))
            )
            for practice in practices:
                members = list(practice.memberships.all())
                now = [m for m in members if m.is_current()]
                ended = [m for m in members if m.has_ended]
                practice.current_membership = now[0] if now else None
                practice.last_membership = ended[0] if ended and not now else None
            if not practices:
                suggestions = list(Practice.objects.not_removed().suggestions(query))
        context = {"query": query[:MAX_QUERY_LENGTH], "asked": asked, "error": error,
                   "practices": practices, "suggestions": suggestions,
                   "membership_release": membership_release() if practices else None}  # fmt: skip
        return render(request, self.template_name, context, status=status)
