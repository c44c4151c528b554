"""The map widgets and the map admin the admin's pages share. (Every admin form's text
fields keep their lines as LF: neighbourhoods.audit.admin.PlainLineEndings, for all three
apps.)"""

from django import forms
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import FieldDoesNotExist
from django.templatetags.static import static
from leaflet.admin import LeafletAdminWidget, LeafletGeoAdmin

# Leaflet's marker images, each by its own (hashed) static address: Leaflet's own guess,
# from its stylesheet's file name, fails once static names carry a hash.
MARKER_IMAGES = {
    "data-icon-url": "leaflet/images/marker-icon.png",
    "data-icon-retina-url": "leaflet/images/marker-icon-2x.png",
    "data-shadow-url": "leaflet/images/marker-shadow.png",
}


class MapWidget(LeafletAdminWidget):
    """django-leaflet's admin map (which brings Leaflet's scripts with it), with
    js/admin-map.js after them telling Leaflet where its marker images are."""

    @property
    def media(self):
        images = {attr: static(path) for attr, path in MARKER_IMAGES.items()}
        return super().media + forms.Media(js=[forms.Script("js/admin-map.js", **images)])


def read_only_map(field):
    """A geometry's form field as a map nobody can draw on. `read_only` lets a view-only
    page draw the widget where Django's admin would print the value (as it does for its
    own password hash widget)."""
    field.disabled = True
    # Set on the widget itself: django-leaflet's admin makes each map widget a subclass
    # whose `modifiable` is the admin's, over any the widget class says.
    field.widget.modifiable = False
    field.widget.read_only = True
    return field


class MapAdmin(LeafletGeoAdmin):
    """A model admin whose geometries are on a map for everyone who may see the record.

    Django's admin shows every field of a page its reader may only view as text, which for
    a geometry is its coordinates ("SRID=4326;MULTIPOLYGON …"). For those readers the form
    keeps its geometries, as read-only maps, for the page to draw; and an earlier version
    (simple-history's page, a form of its own) shows them on maps with no drawing tools."""

    widget = MapWidget

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or self.has_change_permission(request, obj):
            return form
        # The fields the page shows: a view-only form has none of its own. (Not asked of
        # get_fieldsets, which asks get_form for a form's fields.)
        shown = kwargs.get("fields") or list(form.base_fields)
        maps = {}
        for name in shown:
            try:
                db_field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(db_field, GeometryField):
                maps[name] = read_only_map(self.formfield_for_dbfield(db_field, request))
        return type(form.__name__, (form,), maps) if maps else form


class ReadOnlyBoundary:
    """For a MapAdmin whose boundary is shown on a map and never edited there; the subclass
    says where the boundary comes from (`boundary_help`)."""

    boundary_help = "It cannot be edited here."

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "boundary":
            read_only_map(field)
            field.help_text = self.boundary_help
        return field
