from django.urls import path

from . import views

app_name = "neighbourhoods"

urlpatterns = [
    path("", views.NeighbourhoodListView.as_view(), name="list"),
    path("<slug:slug>/", views.NeighbourhoodDetailView.as_view(), name="detail"),
]
