"""Public measures on the public project page: the public text and the status, nothing
internal; a change shows at once although the page is cached."""

from django.test import Client

from naboskap.conftest import english
from naboskap.plans import services
from naboskap.testing.factories import make_measure


def test_public_measures_show_their_public_text_and_status_only(world, client_en):
    shown = make_measure(
        world.project,
        title="Intern tittel",
        description="Intern beskrivelse om beboer",
        is_public=True,
        public_text="Vi setter opp bedre belysning ved lekeplassen.",
    )
    make_measure(world.project, title="Hemmelig tiltak", public_text="Ikke publisert ennå.")
    url = world.project.get_public_url()
    html = client_en.get(url).content.decode()
    assert "Vi setter opp bedre belysning ved lekeplassen." in html
    assert "Planned" in html
    for internal in ["Intern tittel", "Intern beskrivelse", "Hemmelig tiltak", "Ikke publisert"]:
        assert internal not in html

    # The page is cached as a whole for anonymous visitors; a change shows at once.
    Client().get(url)
    services.measure_update(
        measure=shown,
        changed_by=world.users["coordinator"],
        status="in_progress",
        progress=50,
        public_text="Belysningen er bestilt.",
    )
    html = english().get(url).content.decode()
    assert "Belysningen er bestilt." in html
    assert "In progress (50 %)" in html
    services.measure_update(measure=shown, changed_by=None, is_public=False)
    assert "Belysningen" not in client_en.get(url).content.decode()
