from django.contrib import admin

from naboskap.webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "url", "active", "created_at"]
    list_filter = ["active", "municipality"]
    # The secret is never shown here: it is shown once, on the administrator's page.
    exclude = ["secret"]
    raw_id_fields = ["user", "created_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
