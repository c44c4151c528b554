from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from partnership.models import PartnerOrganisation
from partnership.reviews import page_review

from .models import Workstream, WorkstreamPriority


class WorkstreamListView(ListView):
    template_name = "workstreams/workstream_list.html"
    context_object_name = "workstreams"
    queryset = Workstream.objects.live().select_related("source").prefetch_related("priorities")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review"] = page_review(context["workstreams"])
        # Where the priorities counted here come from, and when (a past year's are not today's).
        context["priorities"] = WorkstreamPriority.objects.filter(
            workstream__in=context["workstreams"]
        ).select_related("source")
        return context


class WorkstreamDetailView(DetailView):
    template_name = "workstreams/workstream_detail.html"
    context_object_name = "workstream"
    queryset = (
        Workstream.objects.live()
        .select_related("source")
        .prefetch_related(
            Prefetch("priorities", WorkstreamPriority.objects.select_related("source")),
            Prefetch("partners", PartnerOrganisation.objects.live()),
        )
    )

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=page_review([self.object]), **kwargs)
