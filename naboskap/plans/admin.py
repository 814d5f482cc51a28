from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from naboskap.lib import pagecache
from naboskap.plans import services
from naboskap.plans.models import SOURCE_FIELDS, Input, Measure, MeasureChange, Participation


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0


class MeasureChangeInline(admin.TabularInline):
    model = MeasureChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_at", "changed_by", "changes", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class MeasureAdminForm(forms.ModelForm):
    """Refuses what the plan refuses (a cancelled measure without a reason, an owner unit of
    another municipality) with a message, as the staff form does."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                services.check_measure(self.instance)
            except services.PlanError as exc:
                self.add_error(None, str(exc))


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    form = MeasureAdminForm
    list_display = ["title", "project", "owner_unit", "status", "due_date"]
    list_filter = ["status", "owner_unit"]
    search_fields = ["title"]
    # Every source as an id with a lookup: a select would list every concern, task,
    # interaction or observation of every municipality on each change page.
    raw_id_fields = ["project", "responsible", *SOURCE_FIELDS]
    inlines = [ParticipationInline, MeasureChangeInline]

    # Saves go through the services: a history row, and the public page cache moves on.
    def save_model(self, request, obj, form, change):
        note = str(_("Changed in the administration."))
        if change:
            services.measure_update(measure=obj, changed_by=request.user, note=note)
        else:
            services.measure_save_new(measure=obj, created_by=request.user, note=note)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.invalidate()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.invalidate()


@admin.register(Input)
class InputAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "origin", "decision", "moderation", "received_on"]
    list_filter = ["decision", "moderation", "origin"]
    raw_id_fields = ["project", "created_by"]
