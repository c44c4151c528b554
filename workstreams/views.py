from django.views.generic import DetailView, ListView

from partnership.reviews import page_review

from .models import Workstream


class WorkstreamListView(ListView):
    template_name = "workstreams/workstream_list.html"
    context_object_name = "workstreams"
    queryset = Workstream.objects.select_related("source").prefetch_related("priorities")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review"] = page_review(context["workstreams"])
        return context


class WorkstreamDetailView(DetailView):
    template_name = "workstreams/workstream_detail.html"
    context_object_name = "workstream"
    queryset = Workstream.objects.select_related("source").prefetch_related(
        "priorities", "partners"
    )

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=page_review([self.object]), **kwargs)
