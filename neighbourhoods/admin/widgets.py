"""Form fields and map widgets the admin's pages share."""

from django import forms
from leaflet.admin import LeafletAdminWidget


class ReadOnlyMapWidget(LeafletAdminWidget):
    """Shows a derived geometry on the map without letting anyone draw on it. (The admin's
    widget brings Leaflet's scripts with it; the plain widget left the map blank.)"""

    modifiable = False


class LineEndingsField(forms.CharField):
    """Browsers send a textarea's lines ending in CRLF: compare and save them as LF, so a form
    saved without touching the text neither changes it nor logs a change."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class ReadOnlyBoundary:
    """A model admin whose boundary is shown on a map and never edited there; the subclass
    says where the boundary comes from (`boundary_help`)."""

    boundary_help = "It cannot be edited here."

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "boundary":
            kwargs["widget"] = ReadOnlyMapWidget
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            field.disabled = True
            field.help_text = self.boundary_help
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)
