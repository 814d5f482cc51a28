"""The observed effect of a done measure: counted before and after over equal windows, with
an exact interval, "too little data" below the threshold, what else happened meanwhile, and
shown on the measure's page."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from naboskap.concerns.models import Category, Concern
from naboskap.conftest import english
from naboskap.plans import services as plan_services
from naboskap.plans.models import Measure
from naboskap.projects.models import PhaseChange
from naboskap.testing.factories import ProjectFactory, make_concern, make_measure
from naboskap.whatworks import statistics
from naboskap.whatworks.models import Effect, Settings
from naboskap.whatworks.services import compute_effects

pytestmark = pytest.mark.django_db


def concerns_on(project, days_ago: list[int], code: str = "litter") -> None:
    """Concerns received at noon, local time, so many days ago."""
    today = timezone.localdate()
    for days in days_ago:
        concern = make_concern(project, code)
        noon = datetime.combine(today - timedelta(days=days), time(12))
        Concern.objects.filter(pk=concern.pk).update(created_at=timezone.make_aware(noon))


def done_measure(project, days_ago: int, codes=("litter",), **fields) -> Measure:
    measure = make_measure(project, title=fields.pop("title", "Fast ryddetur hver mandag"))
    categories = list(Category.objects.filter(municipality=project.municipality, code__in=codes))
    plan_services.measure_update(
        measure=measure, changed_by=None, status=Measure.Status.DONE, categories=categories
    )
    Measure.objects.filter(pk=measure.pk).update(
        done_on=timezone.localdate() - timedelta(days=days_ago)
    )
    return measure


def test_the_rate_ratio_and_its_exact_interval():
    ratio = statistics.rate_ratio(after=4, before=16, after_days=90, before_days=90)
    assert ratio.value == 0.25
    assert 0.06 < ratio.low < 0.07 and 0.77 < ratio.high < 0.78
    # Half the after window: the same count is twice the rate.
    half = statistics.rate_ratio(after=4, before=16, after_days=45, before_days=90)
    assert half.value == 0.5 and half.low == pytest.approx(ratio.low * 2)
    # Nothing before: no ratio and no upper bound, but a lower one.
    none_before = statistics.rate_ratio(after=5, before=0, after_days=90, before_days=90)
    assert none_before.value is None and none_before.high is None and none_before.low > 0.9
    assert statistics.rate_ratio(0, 0, 90, 90) is None


def test_the_difference_of_survey_means_and_its_interval():
    difference = statistics.mean_difference([3, 4, 4, 5], [2, 3, 3, 2])
    assert difference.value == 1.5
    assert 0.2 < difference.low < 0.3 and 2.7 < difference.high < 2.8
    assert statistics.mean_difference([4], [2, 3]) is None


def test_a_done_measure_shows_fewer_litter_concerns_with_an_honest_interval():
    project = ProjectFactory()
    # 12 litter concerns in the 90 days before it was done (100 days ago), 2 after; noise
    # concerns (not what it addresses) and those older than the window are not counted.
    concerns_on(project, [101, 105, 110, 120, 130, 140, 150, 160, 170, 175, 180, 185])
    concerns_on(project, [60, 30])
    concerns_on(project, [200, 250])
    concerns_on(project, [95, 50], code="noise")
    measure = done_measure(project, days_ago=100)
    other = done_measure(project, days_ago=80, codes=("noise",), title="Skilt om ro etter 23")
    PhaseChange.objects.create(
        project=project,
        from_phase="planning",
        to_phase="construction",
        changed_at=timezone.make_aware(
            datetime.combine(timezone.localdate() - timedelta(days=70), time(12))
        ),
    )

    assert compute_effects() == 2

    effect = Effect.objects.get(measure=measure)
    assert (effect.concerns_before, effect.concerns_after) == (12, 2)
    assert effect.window_days == 90 and effect.after_days == 90
    assert not effect.too_little_data
    assert effect.ratio == pytest.approx(2 / 12)
    assert effect.ratio_low < effect.ratio < effect.ratio_high < 1
    assert effect.category_codes == ["litter"]
    kinds = [(item["kind"], item["what"]) for item in effect.meanwhile]
    assert ("measure", other.title) in kinds and ("phase", "construction") in kinds
    # Made again, the same row is updated, not doubled.
    assert compute_effects() == 2
    assert Effect.objects.filter(measure=measure).count() == 1


def test_too_little_data_below_the_threshold_and_too_early_after():
    project = ProjectFactory()
    Settings.objects.create(municipality=project.municipality, minimum_concerns=6)
    concerns_on(project, [101, 120, 150])
    few = done_measure(project, days_ago=100)
    concerns_on(project, [10, 20, 30, 40, 50, 60, 70], code="traffic")
    recent = done_measure(project, days_ago=5, codes=("traffic",), title="Fartsdumper")

    compute_effects()

    effect = Effect.objects.get(measure=few)
    assert effect.too_little_data and effect.ratio is None and effect.concerns_before == 3
    early = Effect.objects.get(measure=recent)
    assert early.too_little_data and early.after_days == 5 and early.concerns_before == 7


def test_a_measure_that_addresses_nothing_has_no_effect_and_one_no_longer_done_loses_it():
    project = ProjectFactory()
    concerns_on(project, [101, 120, 150, 30, 20, 10])
    measure = done_measure(project, days_ago=100, codes=())
    compute_effects()
    assert not Effect.objects.filter(measure=measure).exists()

    addressed = done_measure(project, days_ago=100, title="Ryddetur")
    compute_effects()
    assert Effect.objects.filter(measure=addressed).exists()
    plan_services.measure_update(
        measure=addressed, changed_by=None, status=Measure.Status.IN_PROGRESS
    )
    addressed.refresh_from_db()
    assert addressed.done_on is None
    compute_effects(project_ids=[project.pk])
    assert not Effect.objects.filter(measure=addressed).exists()


def test_the_window_is_the_municipalitys():
    project = ProjectFactory()
    Settings.objects.create(municipality=project.municipality, window_days=30)
    # Before: 70 to 41 days ago; after: 40 to 11 days ago.
    concerns_on(project, [41, 45, 50, 60, 90, 100, 20, 10])
    measure = done_measure(project, days_ago=40)
    compute_effects()
    effect = Effect.objects.get(measure=measure)
    assert effect.window_days == 30
    assert (effect.concerns_before, effect.concerns_after) == (4, 1)


def test_the_queries_do_not_grow_with_the_measures(django_assert_num_queries):
    project = ProjectFactory()
    concerns_on(project, [101, 120, 150, 30])
    done_measure(project, days_ago=100)
    with django_assert_num_queries(14) as one:
        compute_effects()
    for n in range(5):
        done_measure(project, days_ago=90 + n, title=f"Tiltak {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        compute_effects()


def test_the_measure_page_shows_the_effect(world):
    project = world.project
    concerns_on(project, [101, 105, 110, 120, 130, 140, 150, 160, 60, 30])
    measure = done_measure(project, days_ago=100)
    compute_effects()

    response = english(world.users["coordinator"]).get(measure.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Observed effect" in page and "Concern categories it addresses" in page
    effect = Effect.objects.get(measure=measure)
    assert f"{effect.concerns_before} before, {effect.concerns_after} after" in page
    assert "75 % fewer a day" in page  # 8 before, 2 after
    assert "not proof that the measure caused the change" in page


def test_a_done_measure_that_addresses_nothing_says_what_to_do(world):
    measure = done_measure(world.project, days_ago=10, codes=())
    compute_effects()
    response = english(world.users["coordinator"]).get(measure.get_absolute_url())
    assert response.status_code == 200
    assert "Choose the concern categories the measure addresses" in response.content.decode()


@pytest.mark.parametrize("after,before", [(4, 16), (0, 5), (5, 0), (8, 16), (2, 12), (30, 31)])
def test_the_interval_is_scipys_exact_binomial_interval_turned_into_a_ratio(after, before):
    from scipy import stats

    exact = stats.binomtest(after, after + before).proportion_ci(0.95, method="exact")
    ratio = statistics.rate_ratio(after, before, after_days=90, before_days=90)
    assert ratio.low == pytest.approx(exact.low / (1 - exact.low), abs=1e-9)
    if exact.high < 1:
        assert ratio.high == pytest.approx(exact.high / (1 - exact.high), rel=1e-9)
    else:
        assert ratio.high is None
