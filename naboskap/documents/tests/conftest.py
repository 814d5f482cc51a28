import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def survey_round(world):
    """An open neighbour-survey round of the project, on the default template."""
    from naboskap.insights import services

    today = timezone.localdate()
    return services.round_create(
        project=world.project,
        template=services.template_ensure_default(municipality=world.municipality),
        title="Trygghet 2025",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
    )
