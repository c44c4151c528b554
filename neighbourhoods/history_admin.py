"""The admin side of the audit trail: simple-history's pages, with restoring an earlier
version allowed only to staff who may both change the record and restore its history."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class AuditedAdmin(SimpleHistoryAdmin):
    def may_restore(self, request, obj=None):
        return self.has_change_history_permission(request, obj) and self.has_change_permission(
            request, obj
        )

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.may_restore(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.may_restore(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
