from django.urls import path

from . import views

app_name = "workstreams"

urlpatterns = [
    path("", views.WorkstreamListView.as_view(), name="list"),
    path("<slug:slug>/", views.WorkstreamDetailView.as_view(), name="detail"),
]
