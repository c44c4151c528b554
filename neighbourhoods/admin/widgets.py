"""The map widgets the admin's pages share. (Every admin form's text fields keep their lines
as LF: neighbourhoods.audit.admin.PlainLineEndings, for all three apps.)"""

from leaflet.admin import LeafletAdminWidget


class ReadOnlyMapWidget(LeafletAdminWidget):
    """Shows a derived geometry on the map without letting anyone draw on it. (The admin's
    widget brings Leaflet's scripts with it; the plain widget left the map blank.)"""

    modifiable = False


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
