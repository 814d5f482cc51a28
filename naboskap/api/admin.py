from django.contrib import admin, messages
from django.utils.translation import gettext as _

from naboskap.api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "municipality", "active", "created_at", "last_used_at"]
    list_filter = ["municipality", "active"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        raw = None if change else obj.set_new_key()
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(
                request,
                _("The new API key is %(key)s. Copy it now: it is shown only this once.")
                % {"key": raw},
            )
