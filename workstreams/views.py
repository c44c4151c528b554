from django.views.generic import DetailView, ListView

from .models import Workstream


class WorkstreamListView(ListView):
    template_name = "workstreams/workstream_list.html"
    context_object_name = "workstreams"
    queryset = Workstream.objects.prefetch_related("priorities")


class WorkstreamDetailView(DetailView):
    template_name = "workstreams/workstream_detail.html"
    context_object_name = "workstream"
    queryset = Workstream.objects.prefetch_related("priorities", "partners")
