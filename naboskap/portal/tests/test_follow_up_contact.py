"""What the reporter's follow-up page says about their contact details, before and after the
case is closed."""

from datetime import timedelta

from django.utils import timezone, translation
from django.utils.formats import date_format

from naboskap.concerns import services
from naboskap.conftest import english
from naboskap.testing.factories import make_concern


def test_after_closing_the_page_says_on_which_day_the_details_go(world):
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    client = english()
    page = client.get(concern.get_follow_up_url())
    assert page.status_code == 200
    assert "delete them after it is closed" in page.content.decode()

    coordinator = world.users["coordinator"]
    services.concern_transition(concern=concern, to_status="acknowledged", by=coordinator)
    services.concern_transition(
        concern=concern, to_status="answered", by=coordinator, answer="Vi har ordnet det."
    )
    services.concern_transition(concern=concern, to_status="closed", by=coordinator)
    services.policy_save(
        municipality=world.municipality, erase_contact_after_days=30, delete_after_years=5
    )
    page = client.get(concern.get_follow_up_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "delete them after it is closed" not in html
    day = timezone.localdate() + timedelta(days=30)
    with translation.override("en"):
        assert f"which is closed, and delete them on {date_format(day, 'DATE_FORMAT')}." in html
