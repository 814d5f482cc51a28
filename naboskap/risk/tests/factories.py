"""ROS analyses for tests and the benchmark: made through the services, or bulk-created
with scores when there are hundreds of events."""

from __future__ import annotations

from naboskap.plans.models import Measure
from naboskap.risk import services
from naboskap.risk.models import ConsequenceScore, UnwantedEvent

BEFORE = ConsequenceScore.Stage.BEFORE
AFTER = ConsequenceScore.Stage.AFTER


def make_analysis(project, *, by=None, scale=None, **fields):
    fields.setdefault("title", "ROS nabolag")
    fields.setdefault("purpose", "Kartlegge uønskede hendelser som kan skape utrygghet.")
    return services.analysis_create(project=project, created_by=by, scale=scale, **fields)


def score(event, probability, levels: dict, *, stage=BEFORE, **assessment):
    """Score an event through the service; `levels` maps dimension keys to levels."""
    dimensions = {d.key: d.pk for d in event.analysis.scale_version.dimensions.all()}
    return services.event_score(
        event=event,
        stage=stage,
        probability=probability,
        probability_justification="Skjønn i møtet.",
        consequences={dimensions[key]: (level, "Begrunnelse.") for key, level in levels.items()},
        **assessment,
    )


def fill_analysis(analysis, events: int, *, measures_every: int = 3) -> list[UnwantedEvent]:
    """`events` scored events (before and after measures, every dimension), bulk-created;
    every `measures_every`-th gets a measure in the action plan."""
    version = analysis.scale_version
    size = version.size
    dimensions = list(version.dimensions.all())
    start = analysis.events.count()
    made = UnwantedEvent.objects.bulk_create(
        UnwantedEvent(
            analysis=analysis,
            number=start + n + 1,
            title=f"Hendelse nummer {start + n + 1}",
            scenario="Noe skjer i nabolaget.",
            causes="Årsak A\nÅrsak B",
            probability=1 + n % size,
            residual_probability=1 + (n % size) // 2,
            knowledge=UnwantedEvent.Knowledge.MEDIUM,
        )
        for n in range(events)
    )
    made = list(analysis.events.filter(number__gt=start).order_by("number"))
    ConsequenceScore.objects.bulk_create(
        ConsequenceScore(
            event=event,
            dimension=dimension,
            stage=stage,
            level=1 + (n + d) % size if stage == BEFORE else 1 + ((n + d) % size) // 2,
        )
        for n, event in enumerate(made)
        for d, dimension in enumerate(dimensions)
        for stage in (BEFORE, AFTER)
    )
    owner = analysis.project.responsible_unit
    Measure.objects.bulk_create(
        Measure(
            project=analysis.project,
            title=f"Tiltak for hendelse {event.number}",
            owner_unit=owner,
            kind=Measure.Kind.PROBABILITY if n % 2 else Measure.Kind.CONSEQUENCE,
            unwanted_event=event,
        )
        for n, event in enumerate(made)
        if measures_every and n % measures_every == 0
    )
    return made
