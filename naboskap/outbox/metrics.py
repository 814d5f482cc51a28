"""The outbox in the Prometheus metrics (naboskap.lib.metrics)."""

from django.db.models import Count

from naboskap.outbox.models import Email


def emails():
    rows = Email.objects.values_list("kind", "status").annotate(n=Count("pk")).order_by()
    return [((kind, status), n) for kind, status, n in rows]
