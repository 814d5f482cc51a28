"""Routines in the Django admin: drafts can be edited; published versions are read-only
(edit them through a new version on the staff pages)."""

from django.contrib import admin

from naboskap.routines.models import (
    ProjectMilestone,
    ProjectRoutine,
    ProjectTask,
    Routine,
    RoutineMilestone,
    RoutinePhase,
    RoutineTask,
)


class DraftOnly:
    """Changes only while the routine is a draft. `obj` is the routine or one of its phases
    (the parent object, for an inline); publishing checks the whole routine again."""

    def _editable(self, obj) -> bool:
        if obj is None:
            return True
        routine = obj if isinstance(obj, Routine) else obj.routine
        return routine.is_draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


class DraftOnlyInline(DraftOnly):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)


class RoutineMilestoneInline(DraftOnlyInline, admin.TabularInline):
    model = RoutineMilestone
    extra = 0


class RoutinePhaseInline(DraftOnlyInline, admin.TabularInline):
    model = RoutinePhase
    extra = 0
    show_change_link = True


class RoutineTaskInline(DraftOnlyInline, admin.StackedInline):
    model = RoutineTask
    extra = 0


@admin.register(Routine)
class RoutineAdmin(DraftOnly, admin.ModelAdmin):
    list_display = ["name", "version", "status", "municipality"]
    list_filter = ["status", "municipality"]
    search_fields = ["name", "slug"]
    readonly_fields = ["status", "published_at", "supersedes", "created_at", "created_by"]
    inlines = [RoutineMilestoneInline, RoutinePhaseInline]


@admin.register(RoutinePhase)
class RoutinePhaseAdmin(DraftOnly, admin.ModelAdmin):
    list_display = ["name", "order", "routine", "project_phase"]
    list_filter = ["routine__municipality"]
    inlines = [RoutineTaskInline]


class ProjectTaskInline(admin.TabularInline):
    model = ProjectTask
    extra = 0
    fields = ["phase_name", "title", "responsible_role", "status", "completed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProjectRoutine)
class ProjectRoutineAdmin(admin.ModelAdmin):
    list_display = ["project", "routine", "applied_at"]
    list_filter = ["project__municipality"]
    raw_id_fields = ["project", "routine", "applied_by"]
    inlines = [ProjectTaskInline]


@admin.register(ProjectMilestone)
class ProjectMilestoneAdmin(admin.ModelAdmin):
    list_display = ["project", "name", "date"]
    raw_id_fields = ["project"]
