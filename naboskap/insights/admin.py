"""Survey templates are edited here (the questions and their translations); responses are
anonymous and read only through the results page."""

from django.contrib import admin

from naboskap.insights.models import Question, SurveyRound, SurveyTemplate


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    inlines = [QuestionInline]


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "opens_on", "closes_on"]
    list_select_related = ["project"]
    readonly_fields = ["token"]
