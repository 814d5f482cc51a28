"""A status report's PDF becomes a stored document (naboskap.documents): each kept PDF file
is handed over as it is (the same file in private storage), then the field goes."""

import hashlib

from django.db import migrations

KIND = "reports.status_report"
# What `documents.rendering.fingerprint_of` gives a report (generation 0, nothing else:
# a report never changes), written out so that this migration does not depend on the code.
FINGERPRINT = hashlib.sha256("0\x1f".encode()).hexdigest()[:40]


def to_documents(apps, schema_editor):
    StatusReport = apps.get_model("reports", "StatusReport")
    Document = apps.get_model("documents", "Document")
    Document.objects.bulk_create(
        Document(
            kind=KIND,
            object_id=report.pk,
            language=report.language,
            municipality_id=report.municipality_id,
            project_pk=report.project_id,
            status="ready",
            wanted=FINGERPRINT,
            fingerprint=FINGERPRINT,
            file=report.pdf.name,
            rendered_at=report.created_at,
        )
        for report in StatusReport.objects.exclude(pdf="").iterator()
    )


def from_documents(apps, schema_editor):
    StatusReport = apps.get_model("reports", "StatusReport")
    Document = apps.get_model("documents", "Document")
    for document in Document.objects.filter(kind=KIND).exclude(file=""):
        StatusReport.objects.filter(pk=document.object_id).update(pdf=document.file.name)
    Document.objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_move_queued_schedule_tasks"),
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_documents, from_documents),
        migrations.RemoveField(model_name="statusreport", name="pdf"),
    ]
