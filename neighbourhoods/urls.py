from django.urls import path

from .views import pages

app_name = "neighbourhoods"

urlpatterns = [
    path("", pages.NeighbourhoodListView.as_view(), name="list"),
    path("map/", pages.NeighbourhoodMapView.as_view(), name="map"),
    path("<slug:slug>/", pages.NeighbourhoodDetailView.as_view(), name="detail"),
]
