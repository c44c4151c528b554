from django.urls import path

from . import views

app_name = "partnership"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("partners/", views.PartnerListView.as_view(), name="partner-list"),
    path("partners/<slug:slug>/", views.PartnerDetailView.as_view(), name="partner-detail"),
    path("about-the-data/", views.AboutDataView.as_view(), name="about-data"),
]
