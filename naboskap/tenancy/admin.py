from django.contrib import admin

from naboskap.tenancy.models import Membership, Municipality, Unit


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "slug", "default_language"]
    search_fields = ["name", "number"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [UnitInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "municipality", "project", "unit"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["project"]
