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
