"""Done measures with a stored effect, for the catalogue's and the suggestions' tests: the
effect is written as the worker would store it, with chosen figures."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from naboskap.concerns.models import Category
from naboskap.concerns.services import categories_ensure_defaults
from naboskap.plans.models import Measure
from naboskap.testing.factories import make_measure
from naboskap.whatworks.models import Effect, Settings

# Concerns 12 → 4 per 90 days: −67 % (95 % interval −88 % to −20 %).
GOOD = {"ratio": 4 / 12, "ratio_low": 0.12, "ratio_high": 0.8}
EFFECT_LINE = "Concerns 12 → 4 per 90 days, −67\u00a0% (95 % interval −88\u00a0% to −20\u00a0%)"


def done_with_effect(
    project,
    *,
    title: str = "Fast ryddetur hver mandag",
    codes=("litter",),
    event=None,
    kind: str = "",
    too_little_data: bool = False,
    figures: dict | None = None,
    **fields,
) -> Measure:
    """A measure of the project's plan, done 120 days ago, addressing these categories (and
    the unwanted event), with its effect."""
    categories_ensure_defaults(municipality=project.municipality)
    measure = make_measure(project, title=title, kind=kind, unwanted_event=event, **fields)
    done_on = timezone.localdate() - timedelta(days=120)
    Measure.objects.filter(pk=measure.pk).update(
        status=Measure.Status.DONE, progress=100, done_on=done_on
    )
    measure.categories.set(
        Category.objects.filter(municipality=project.municipality, code__in=codes)
    )
    values = {} if too_little_data else dict(GOOD)
    values.update(figures or {})
    Effect.objects.create(
        measure=measure,
        done_on=done_on,
        window_days=90,
        after_days=90,
        concerns_before=values.pop("concerns_before", 2 if too_little_data else 12),
        concerns_after=values.pop("concerns_after", 1 if too_little_data else 4),
        too_little_data=too_little_data,
        category_codes=sorted(codes),
        event_titles=[event.title] if event else [],
        meanwhile=[],
        computed_at=timezone.now(),
        **values,
    )
    return measure


def many_with_effects(project, count: int, *, codes=("litter",)) -> None:
    """`count` done measures with effects, bulk-created (no history rows)."""
    categories_ensure_defaults(municipality=project.municipality)
    done_on = timezone.localdate() - timedelta(days=120)
    start = Measure.objects.filter(project=project).count()
    measures = Measure.objects.bulk_create(
        Measure(
            project=project,
            title=f"Tiltak {n}",
            owner_unit=project.responsible_unit,
            status=Measure.Status.DONE,
            progress=100,
            done_on=done_on,
        )
        for n in range(start, start + count)
    )
    Effect.objects.bulk_create(
        Effect(
            measure=measure,
            done_on=done_on,
            window_days=90,
            after_days=90,
            concerns_before=12,
            concerns_after=n % 12,
            too_little_data=False,
            category_codes=sorted(codes),
            event_titles=[],
            meanwhile=[],
            computed_at=timezone.now(),
            **GOOD,
        )
        for n, measure in enumerate(measures)
    )


def share(*municipalities) -> None:
    for municipality in municipalities:
        Settings.objects.update_or_create(
            municipality=municipality, defaults={"share_across": True}
        )
