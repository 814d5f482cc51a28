from django.contrib import admin

from naboskap.concerns.models import Category, Concern, RoutingRule
from naboskap.lib import pagecache


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "municipality", "acknowledge_days", "answer_days", "active"]
    list_filter = ["municipality", "active"]
    search_fields = ["name", "name_nn", "name_en", "code"]

    # The public report form lists the categories from the public page cache.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pagecache.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.invalidate()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.invalidate()


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "project", "unit", "municipality"]
    list_filter = ["municipality"]
    raw_id_fields = ["project"]


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    """Read-only overview. Concerns are handled in /app/meldinger/, where access is logged
    and the workflow is enforced; the admin shows no text and no contact details."""

    list_display = ["reference", "municipality", "project", "category", "status", "created_at"]
    list_filter = ["municipality", "status", "category"]
    search_fields = ["reference"]
    fields = ["reference", "municipality", "project", "category", "status", "assigned_unit"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Concerns are deleted by the retention rules only: with a deletion log, photo files
    # included, and the inbox counts told (see services.retention_apply).
    def has_delete_permission(self, request, obj=None):
        return False
