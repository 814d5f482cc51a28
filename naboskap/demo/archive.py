"""The demo's archive: Fjordvik journals its neighbourhood work into its Noark 5 archive
through the import folder. What became final more than two days ago was sent and the archive
answered with its case and registration numbers; what became final
since waits for the worker, which `make run` starts: it writes those packages at once."""

from datetime import date, timedelta

from django.utils import timezone

from naboskap.archive import services as archive_services
from naboskap.archive import tasks as archive_tasks
from naboskap.archive.models import Registration
from naboskap.concerns.models import Concern
from naboskap.meetings.models import MinutesVersion
from naboskap.reports.models import StatusReport
from naboskap.risk.models import Analysis

Status = Registration.Status
Kind = Registration.Kind
FIRST_CASE = 1412  # Fjordvik's case numbers of the year had reached this when it began


def _final_at(registration: Registration):
    """When what the registration records became final."""
    if registration.kind in (Kind.CONCERN, Kind.ANSWER, Kind.FROM_REPORTER, Kind.NOTE):
        return Concern.objects.values_list("closed_at", flat=True).get(pk=registration.subject_id)
    if registration.kind == Kind.MINUTES:
        return MinutesVersion.objects.values_list("approved_at", flat=True).get(
            pk=registration.object_id
        )
    if registration.kind == Kind.ANALYSIS:
        return Analysis.objects.values_list("approved_at", flat=True).get(pk=registration.object_id)
    return StatusReport.objects.values_list("created_at", flat=True).get(pk=registration.object_id)


def load_archive(projects, users) -> None:
    municipality = projects["lindeveien"].municipality
    archive_services.settings_update(
        municipality=municipality,
        enabled=True,
        administrative_unit="Helse og sosial",
        classification_system="FE",
        classification_value="614",
    )
    now = timezone.now()
    registrations = archive_services.registrations_since(municipality, date(2000, 1, 1))
    records = [registration for registration in registrations if not registration.is_folder]
    for registration in records:
        registration.final_at = _final_at(registration)
    records.sort(key=lambda registration: (registration.final_at, registration.pk))
    cases: dict[int, str] = {}
    in_case: dict[int, int] = {}
    for registration in records:
        made = registration.final_at
        folder = registration.folder
        fields = {"created_at": made}
        if made > now - timedelta(days=2):
            Registration.objects.filter(pk=registration.pk).update(**fields)
            continue
        if folder.pk not in cases:
            cases[folder.pk] = f"{made.year}/{FIRST_CASE + len(cases)}"
            Registration.objects.filter(pk=folder.pk).update(
                created_at=made,
                status=Status.ARCHIVED,
                sent_at=made + timedelta(minutes=3),
                archived_at=made + timedelta(minutes=41),
                case_number=cases[folder.pk],
                package=f"{folder.external_key.replace(':', '-')}.zip",
            )
        fields.update(
            sent_at=made + timedelta(minutes=4),
            package=f"{registration.external_key.replace(':', '-')}.zip",
            attempts=1,
        )
        in_case[folder.pk] = in_case.get(folder.pk, 0) + 1
        fields.update(
            status=Status.ARCHIVED,
            archived_at=made + timedelta(minutes=41),
            record_number=f"{cases[folder.pk]}-{in_case[folder.pk]}",
        )
        Registration.objects.filter(pk=registration.pk).update(**fields)
    # A folder whose records all came in the last two days waits with them.
    for registration in registrations:
        if registration.is_folder and registration.pk not in cases:
            first = min(
                (record.final_at for record in records if record.folder_id == registration.pk),
                default=now,
            )
            Registration.objects.filter(pk=registration.pk).update(created_at=first)
    archive_tasks.send.enqueue()  # the worker `make run` starts sends what waits
