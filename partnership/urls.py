from django.urls import path

from . import views

app_name = "partnership"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("partners/", views.PartnerListView.as_view(), name="partner-list"),
    path("partners/<slug:slug>/", views.PartnerDetailView.as_view(), name="partner-detail"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place-detail"),
    path("about-the-data/", views.AboutDataView.as_view(), name="about-data"),
    path("contact/", views.ContactView.as_view(), name="contact"),
    path("contact/sent/", views.ContactSentView.as_view(), name="contact-sent"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
]
