"""The anonymised export of what works, for research: /app/hva-virker/eksport.csv
(docs/what-works-export.md).

The administrators of the municipality the user works in download its rows. With
`?omfang=delt`, an administrator of a municipality that shares what worked downloads every
sharing municipality's rows: what its catalogue already shows them, as KS would get it.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from naboskap.lib.spreadsheets import CSV_TYPE
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.whatworks import export
from naboskap.whatworks.models import Settings

SHARED = "delt"


@staff_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    municipality = get_staff_municipality(request, "whatworks.export")
    if request.GET.get("omfang") == SHARED:
        if not Settings.for_municipality(municipality.pk).share_across:
            raise PermissionDenied
        municipality_ids = export.shared_municipality_ids()
        name = "hva-virker-delt"
    else:
        municipality_ids = [municipality.pk]
        name = f"hva-virker-{municipality.number}"
    response = StreamingHttpResponse(
        export.csv_lines(municipality_ids=municipality_ids), content_type=CSV_TYPE
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response
