"""Survey templates are edited on the staff pages (/app/undersokelsesmaler/); the admin shows
them, and a template that rounds use (frozen) is read-only here too. Responses are anonymous
and read only through the results page."""

from django.contrib import admin

from naboskap.insights.models import Question, SurveyRound, SurveyTemplate


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "municipality", "frozen_at"]
    list_filter = ["municipality"]
    readonly_fields = ["frozen_at"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return ["municipality", "code", "name", "version", "previous", "frozen_at"]
        return super().get_readonly_fields(request, obj)


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "opens_on", "closes_on"]
    list_select_related = ["project"]
    readonly_fields = ["token"]
