from django.urls import path

from .views import api

app_name = "api"

urlpatterns = [
    path("openapi.json", api.openapi, name="openapi"),
    path("postcodes/<str:postcode>", api.postcode, name="postcode"),
    path("outcodes/<str:outcode>", api.outcode, name="outcode"),
    path("neighbourhoods", api.neighbourhoods, name="neighbourhoods"),
    path("neighbourhoods/<str:slug>", api.neighbourhood, name="neighbourhood"),
    path("practices", api.practices, name="practices"),
]
