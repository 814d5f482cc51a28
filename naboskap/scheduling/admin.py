from django.contrib import admin

from naboskap.scheduling.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "due_at", "status", "started_at", "finished_at", "attempts"]
    list_filter = ["status", "job"]
    readonly_fields = [field.name for field in JobRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
