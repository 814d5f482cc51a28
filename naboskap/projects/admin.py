from django import forms
from django.contrib import admin

from naboskap.projects import services
from naboskap.projects.models import ContactPoint, PhaseChange, PlannedPhase, Project, Update
from naboskap.projects.validators import validate_one_line_title


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0


class PlannedPhaseInline(admin.TabularInline):
    model = PlannedPhase
    extra = 0


class PhaseChangeInline(admin.TabularInline):
    """Phase history is append-only: shown, never edited here."""

    model = PhaseChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_phase", "to_phase", "changed_by", "changed_at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "phase", "visibility", "responsible_unit"]
    list_filter = ["municipality", "phase", "visibility", "kind"]
    search_fields = ["name", "address"]
    readonly_fields = ["phase", "changed_at"]
    raw_id_fields = ["dialogue_owner"]
    filter_horizontal = ["participating_units"]
    inlines = [PlannedPhaseInline, ContactPointInline, PhaseChangeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Admin edits bypass the services; keep the public page cache honest.
        services.project_touch(project=form.instance)


class UpdateAdminForm(forms.ModelForm):
    def clean_title(self):
        title = self.cleaned_data["title"]
        validate_one_line_title(title)
        return title


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    form = UpdateAdminForm
    list_display = ["title", "project", "published_at", "author"]
    list_filter = ["project__municipality"]
    search_fields = ["title", "body"]
    raw_id_fields = ["project", "author"]

    def save_model(self, request, obj, form, change):
        services.update_save(project=obj.project, update=obj, author=request.user)

    def delete_model(self, request, obj):
        services.update_delete(update=obj)

    def delete_queryset(self, request, queryset):
        for update in queryset.select_related("project"):
            services.update_delete(update=update)
