from django.contrib import admin

from naboskap.concerns.models import Category, Concern, RoutingRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "municipality", "acknowledge_days", "answer_days", "active"]
    list_filter = ["municipality", "active"]
    search_fields = ["name", "code"]


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
