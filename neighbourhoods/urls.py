from django.urls import path

from .views import map_data, pages

app_name = "neighbourhoods"

urlpatterns = [
    path("", pages.NeighbourhoodListView.as_view(), name="list"),
    path("map/", pages.NeighbourhoodMapView.as_view(), name="map"),
    path("compare/", pages.NeighbourhoodCompareView.as_view(), name="compare"),
    path(
        "compare.csv", pages.NeighbourhoodCompareView.as_view(), {"csv": True}, name="compare-csv"
    ),
    path("map/areas-<slug:version>.geojson", map_data.MapAreasView.as_view(), name="map-areas"),
    path("<slug:slug>/", pages.NeighbourhoodDetailView.as_view(), name="detail"),
]
