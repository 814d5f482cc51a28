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


def fill_full_analysis(analysis, events: int) -> list[UnwantedEvent]:
    """`events` events with every field of the report filled (scenario, causes, barriers,
    vulnerability, justifications, strength of knowledge, sensitivity, knock-on effects,
    acceptance), each with a probability- and a consequence-reducing measure; bulk-created
    like `fill_analysis`. Also fills the analysis's method, area and participants."""
    import datetime

    from naboskap.risk.models import AnalysisMeeting, Participant

    if not analysis.method:
        analysis.method = "Dialogmøte med velforeningen, FAU og borettslaget; skjønn i møtet."
        analysis.area_description = "Boligområdet rundt Lindeveien 12, med skole og nærbutikk."
        analysis.save(update_fields=["method", "area_description"])
        Participant.objects.bulk_create(
            [
                Participant(analysis=analysis, name="Kari Nordmann", represents="Velforeningen"),
                Participant(
                    analysis=analysis,
                    kind=Participant.Kind.GROUP,
                    name="3 naboer fra borettslaget",
                ),
            ]
        )
        AnalysisMeeting.objects.create(
            analysis=analysis, held_on=datetime.date(2026, 3, 12), note="Dialogmøte"
        )
    made = fill_analysis(analysis, events, measures_every=1)
    Knowledge = UnwantedEvent.Knowledge
    levels = [Knowledge.STRONG, Knowledge.MEDIUM, Knowledge.WEAK]
    for n, event in enumerate(made):
        event.scenario = (
            "Ungdom samles sent på kvelden ved skolen, det blir bråk og naboer føler seg utrygge."
        )
        event.causes = "Mangel på møteplasser\nDårlig belysning\nRykter i sosiale medier"
        event.existing_barriers = "Natteravner i helgene\nNabovarsel"
        event.vulnerability = "Mange eldre bor alene i området og er lite ute om kvelden."
        event.knock_on_effects = "Naboer flytter\nMindre bruk av uteområdene"
        event.probability_justification = "Tre meldinger siste halvår og erfaring fra møtet."
        event.residual_probability_justification = "Belysning og faste vakter gjør det sjeldnere."
        event.knowledge = levels[n % 3]
        event.knowledge_data = levels[(n + 1) % 3]
        event.knowledge_understanding = levels[n % 3]
        event.knowledge_agreement = levels[(n + 2) % 3]
        event.sensitivity_note = "Resultatet endres hvis skolen stenger uteområdet om kvelden."
        event.acceptance = (
            UnwantedEvent.Acceptance.ACCEPTED if n % 2 else UnwantedEvent.Acceptance.NOT_ACCEPTED
        )
        event.acceptance_reason = "Vurdert i møtet med velforeningen."
    UnwantedEvent.objects.bulk_update(
        made,
        [
            "scenario",
            "causes",
            "existing_barriers",
            "vulnerability",
            "knock_on_effects",
            "probability_justification",
            "residual_probability_justification",
            "knowledge",
            "knowledge_data",
            "knowledge_understanding",
            "knowledge_agreement",
            "sensitivity_note",
            "acceptance",
            "acceptance_reason",
        ],
    )
    ConsequenceScore.objects.filter(event__in=made).update(
        justification="Vurdert ut fra erfaringer i nabolaget."
    )
    owner = analysis.project.responsible_unit
    Measure.objects.bulk_create(
        Measure(
            project=analysis.project,
            title=f"Bedre belysning for hendelse {event.number}",
            owner_unit=owner,
            kind=Measure.Kind.CONSEQUENCE if n % 2 else Measure.Kind.PROBABILITY,
            unwanted_event=event,
            due_date=datetime.date(2026, 6, 1) + datetime.timedelta(days=n),
        )
        for n, event in enumerate(made)
    )
    return made
