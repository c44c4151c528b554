from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "City and Hackney Neighbourhoods: staff admin"
admin.site.site_title = "Neighbourhoods admin"
admin.site.index_title = "Keep the portal's content true"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("neighbourhoods/", include("neighbourhoods.urls")),
    path("workstreams/", include("workstreams.urls")),
    path("", include("partnership.urls")),
]
