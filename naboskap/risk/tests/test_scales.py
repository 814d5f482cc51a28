"""Scales: the presets, their validation, and versions that analyses keep."""

import pytest
from django.urls import reverse
from django.utils import translation

from naboskap.risk import services
from naboskap.risk.models import RiskScale, ScaleVersion
from naboskap.risk.presets import preset_content
from naboskap.risk.services import scale_errors
from naboskap.risk.tests.factories import make_analysis


@pytest.fixture(autouse=True)
def english_messages():
    """Messages from services called directly are in English, whatever an earlier test's
    request left active in this thread (without any, Django falls back to bokmål)."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize("preset", ["nabolag", "dsb"])
@pytest.mark.parametrize("size", [5, 4])
def test_presets_are_valid(preset, size):
    content = preset_content(preset, size)
    assert scale_errors(content) == []
    assert len(content["cells"]) == size * size
    assert [d["name"] for d in content["dimensions"]] == [
        "Liv og helse",
        "Trygghet og stabilitet",
        "Materielle verdier",
        "Tillit og omdømme",
        "Natur og miljø",
    ]


def test_presets_say_what_the_levels_mean():
    nabolag = preset_content("nabolag")
    assert nabolag["probability"][0]["definition"].startswith("Sjeldnere enn hvert 10. år")
    assert nabolag["probability"][4]["definition"] == "Ukentlig eller oftere"
    dsb = preset_content("dsb")
    assert dsb["probability"][0]["definition"] == "Under 0,1 % sannsynlighet per år"
    assert dsb["probability"][4]["definition"] == "Over 10 % sannsynlighet per år"
    money = nabolag["dimensions"][2]["levels"]
    assert money[0]["definition"] == "Under 10 000 kr"
    assert money[4]["definition"] == "Over 10 millioner kr"
    assert nabolag["cells"][(5, 5)] == "red"
    assert nabolag["cells"][(1, 1)] == "green"


def test_an_uncoloured_cell_is_refused():
    content = preset_content("nabolag")
    content["cells"][(3, 2)] = ""
    assert scale_errors(content) == [
        "The matrix cell for probability 3 and consequence 2 has no colour."
    ]


def test_levels_out_of_order_are_refused():
    content = preset_content("nabolag")
    content["probability"][1]["value"] = 3
    errors = scale_errors(content)
    assert errors == ["Probability: the levels must be numbered 1 to 5, in order, each once."]


def test_a_missing_definition_is_refused():
    content = preset_content("dsb", 4)
    content["dimensions"][1]["levels"][2]["definition"] = " "
    assert scale_errors(content) == ["Trygghet og stabilitet: level 3 has no definition."]


def test_a_less_severe_cell_above_a_worse_one_is_refused():
    content = preset_content("nabolag")
    content["cells"][(5, 5)] = "green"
    assert any("less severe" in error for error in scale_errors(content))


def test_a_scale_in_use_gets_a_new_version_and_analyses_keep_theirs(world):
    analysis = make_analysis(world.project)  # makes the default "Nabolag" scale
    scale = analysis.scale_version.scale
    assert scale.name == "Nabolag" and scale.is_default
    old = analysis.scale_version
    assert old.is_frozen
    content = services.scale_content(old)
    content["probability"][4]["definition"] = "Daglig"
    version = services.scale_edit(scale=scale, content=content)
    assert version.number == 2
    analysis.refresh_from_db()
    assert analysis.scale_version == old
    assert old.probability_levels.get(value=5).definition == "Ukentlig eller oftere"
    assert version.probability_levels.get(value=5).definition == "Daglig"
    # A new analysis gets the new version.
    assert make_analysis(world.project, title="Ny").scale_version == version


def test_an_unused_version_is_changed_in_place(world):
    scale = services.scale_create_from_preset(world.municipality, "dsb", 4)
    content = services.scale_content(services.scale_current_version(scale))
    content["criteria"]["red"] = "Må reduseres."
    version = services.scale_edit(scale=scale, content=content)
    assert version.number == 1
    assert ScaleVersion.objects.filter(scale=scale).count() == 1


def editor_data(scale, **changes):
    """The editor's form data as the page shows it, with `changes`."""
    content = services.scale_content(services.scale_current_version(scale))
    data = {"name": scale.name}
    for i, level in enumerate(content["probability"], start=1):
        for key in ("value", "name", "definition"):
            data[f"p_{i}_{key}"] = level[key]
    for index, dimension in enumerate(content["dimensions"]):
        data[f"d{index}_name"] = dimension["name"]
        if dimension["required"]:
            data[f"d{index}_required"] = "on"
        for i, level in enumerate(dimension["levels"], start=1):
            for key in ("value", "name", "definition"):
                data[f"d{index}_{i}_{key}"] = level[key]
    for (p, c), colour in content["cells"].items():
        data[f"cell_{p}_{c}"] = colour
    for colour, text in content["criteria"].items():
        data[f"criteria_{colour}"] = text
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"cell_2_4": ""}, "The matrix cell for probability 2 and consequence 4 has no colour."),
        ({"p_2_value": "4"}, "Probability: the levels must be numbered 1 to 5, in order"),
        ({"d0_3_definition": ""}, "Liv og helse: level 3 has no definition."),
        ({"p_1_value": "9"}, "Ensure this value is less than or equal to 5."),
    ],
)
def test_the_editor_explains_bad_input_and_saves_nothing(world, en, changes, message):
    scale = services.scale_create_from_preset(world.municipality)
    url = reverse("risk:scale_edit", args=[scale.pk])
    response = en["admin"].post(url, editor_data(scale, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert services.scale_content(services.scale_current_version(scale)) == services.scale_content(
        ScaleVersion.objects.get(scale=scale)
    )
    assert ScaleVersion.objects.get(scale=scale).cells.get(probability=2, consequence=4).colour


def test_the_editor_saves_a_new_version_when_the_scale_is_in_use(world, en):
    analysis = make_analysis(world.project)
    scale = analysis.scale_version.scale
    url = reverse("risk:scale_edit", args=[scale.pk])
    page = en["coordinator"].get(url)
    assert "is used by analyses" in page.content.decode()
    data = editor_data(scale, p_5_definition="Flere ganger i uka")
    response = en["coordinator"].post(url, data, follow=True)
    assert "Saved as version 2" in response.content.decode()
    assert "Flere ganger i uka" in response.content.decode()
    old = en["coordinator"].get(scale.get_absolute_url() + "?versjon=1")
    assert "Ukentlig eller oftere" in old.content.decode()
    # The analysis still shows and scores on version 1.
    detail = en["coordinator"].get(analysis.get_absolute_url())
    assert "scale Nabolag, version 1" in detail.content.decode()
    event = services.event_create(analysis=analysis, title="Støy")
    scoring = en["coordinator"].get(
        reverse("risk:event_score", args=[world.project.pk, analysis.pk, event.pk])
    )
    assert "Ukentlig eller oftere" in scoring.content.decode()
    assert "Flere ganger i uka" not in scoring.content.decode()


def test_a_scale_is_made_from_a_preset_in_the_editor(world, en):
    response = en["admin"].post(
        reverse("risk:scale_create"), {"preset": "dsb", "size": "4", "name": ""}, follow=True
    )
    html = response.content.decode()
    assert "DSB helhetlig ROS 4×4" in html
    assert "Over 10 % sannsynlighet per år" in html
    scale = RiskScale.objects.get(name="DSB helhetlig ROS 4×4")
    assert scale.versions.get().size == 4


def test_a_preset_with_a_taken_name_is_refused_with_a_message(world, en):
    services.scale_create_from_preset(world.municipality)
    response = en["admin"].post(
        reverse("risk:scale_create"), {"preset": "nabolag", "size": "5", "name": ""}
    )
    assert response.status_code == 400
    assert "already has a scale with this name" in response.content.decode()


def test_politicians_read_scales_but_do_not_edit_them(world, en):
    scale = services.scale_create_from_preset(world.municipality)
    client = en["politician"]
    assert client.get(scale.get_absolute_url()).status_code == 200
    assert client.get(reverse("risk:scale_edit", args=[scale.pk])).status_code == 403
