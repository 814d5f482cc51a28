"""Demo data for what works: Solbakken's litter before and after the caretaker's fixed Monday
round. Eleven neighbours reported litter along Solbakkveien in the three months before the
round began (100 days ago), two in the three months after; the round is done and addresses
litter, so its page shows the observed effect with its interval. The concerns were received,
answered and closed on their own days (naboskap/demo/clock.py).

At Lindeveien, still being planned, a neighbour asks who will clear syringes around the
playground: the concern is linked to the ROS analysis's event about drug paraphernalia found
on the playground, so planning measures for that event suggests Solbakken's round. The trust
barometer is made for the last twelve months. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from naboskap.concerns import services as concerns
from naboskap.concerns.models import Category, Concern
from naboskap.concerns.workflow import Status
from naboskap.demo.clock import at, days_ago, submit_concern
from naboskap.plans import services as plans
from naboskap.plans.models import Measure, MeasureChange
from naboskap.risk.models import UnwantedEvent
from naboskap.tenancy.models import Unit
from naboskap.whatworks.barometer import update_readings
from naboskap.whatworks.services import compute_effects

ROUND = "Fast ryddetur med miljøvaktmesteren hver mandag"
ROUND_PLANNED_DAYS_AGO = 112
ROUND_STARTED_DAYS_AGO = 100
# Days ago each litter concern was received, and where.
LITTER = [
    (184, "Søppelsekker revet opp ved containerne i Solbakkveien."),
    (176, "Flasker og bokser i grøfta langs Solbakkveien."),
    (169, "Pizzaesker og plast spredt utover plenen mot bussholdeplassen."),
    (161, "Mye søppel ved benken i svingen, det blåser utover hagene."),
    (152, "Noen har kastet en madrass ved containerne."),
    (146, "Søppel langs gangstien til skolen igjen."),
    (137, "Tomme flasker og sneiper ved bussholdeplassen."),
    (129, "Plastposer henger i hekken vår mot Solbakkveien."),
    (121, "Containerne er fulle og det flyter rundt dem."),
    (113, "Søppel i bekken nedenfor Solbakken."),
    (106, "Ølbokser og matavfall ved benken i svingen."),
    (71, "En pose med søppel står igjen ved bussholdeplassen."),
    (33, "Litt papir og plast ved containerne etter helgen."),
]
ANSWER = "Takk for at du sa fra. Miljøvaktmesteren har ryddet, og vi følger med på stedet videre."


LINDEVEIEN_QUESTION = (
    "Hvem skal rydde sprøyter og søppel rundt lekeplassen ved borettslaget når boligene står "
    "ferdige? Vi har småbarn som leker der hver dag."
)
LINDEVEIEN_ANSWER = (
    "Takk for spørsmålet. Ved Solbakken går miljøvaktmesteren en fast ryddetur hver mandag, og "
    "det har gitt langt færre meldinger om søppel. Vi tar med et slikt tiltak i risikoanalysen "
    "for Lindeveien."
)


def load_what_works(projects, users) -> None:
    solbakken = projects["solbakken"]
    if Measure.objects.filter(project=solbakken, title=ROUND).exists():
        return
    _monday_round(solbakken, users)
    _lindeveien_question(projects["lindeveien"], users)
    update_readings(months=12)


def _lindeveien_question(lindeveien, users) -> None:
    litter = Category.objects.get(municipality=lindeveien.municipality, code="litter")
    concern, _created = submit_concern(
        received=days_ago(12, hour=20),
        steps=[(Status.ACKNOWLEDGED, 14), (Status.ANSWERED, 40)],
        by=users["koordinator"],
        answer=LINDEVEIEN_ANSWER,
        project=lindeveien,
        category=litter,
        idempotency_key="demo-litter-lindeveien",
        description=LINDEVEIEN_QUESTION,
        location="Lekeplassen ved borettslaget Lindehagen",
        reporter_email="lindehagen.foreldre@example.org",
        preferred_channel=Concern.Channel.EMAIL,
    )
    event = (
        UnwantedEvent.objects.filter(analysis__project=lindeveien, title__startswith="Brukerutstyr")
        .order_by("-analysis__pk")
        .first()
    )
    if event is not None:
        concerns.concern_link_event(concern=concern, unwanted_event=event)


def _monday_round(solbakken, users) -> None:
    litter = Category.objects.get(municipality=solbakken.municipality, code="litter")
    handler = users["botiltak"]
    for number, (days, description) in enumerate(LITTER, start=1):
        received = days_ago(days, hour=9 + number % 8)
        submit_concern(
            received=received,
            steps=[(Status.ACKNOWLEDGED, 3), (Status.ANSWERED, 26), (Status.CLOSED, 5 * 24)],
            by=handler,
            answer=ANSWER,
            project=solbakken,
            category=litter,
            idempotency_key=f"demo-litter-{number}",
            description=description,
            location="Solbakkveien",
            occurred_at=received - timedelta(hours=12),
        )
    coordinator = users["koordinator"]
    planned = days_ago(ROUND_PLANNED_DAYS_AGO, hour=13)
    with at(planned):
        measure = plans.measure_create(
            project=solbakken,
            created_by=coordinator,
            title=ROUND,
            description=(
                "Miljøvaktmesteren går Solbakkveien, containerne, bussholdeplassen og "
                "gangstien til skolen hver mandag formiddag og rydder det som ligger."
            ),
            owner_unit=Unit.objects.get(municipality=solbakken.municipality, name="Eiendom"),
            responsible=users["miljovaktmester"],
            due_date=days_ago(ROUND_STARTED_DAYS_AGO).date(),
            status=Measure.Status.IN_PROGRESS,
            is_public=True,
            public_text="Miljøvaktmesteren rydder langs Solbakkveien hver mandag.",
            categories=[litter],
        )
    started = days_ago(ROUND_STARTED_DAYS_AGO, hour=11)
    with at(started):
        done = plans.measure_update(
            measure=measure,
            changed_by=users["miljovaktmester"],
            status=Measure.Status.DONE,
            note="Første runde gått i dag; runden er fast hver mandag fra nå av.",
        )
    # The history's times are the field's default, bound before the clock is set.
    MeasureChange.objects.filter(measure=measure).update(changed_at=planned)
    MeasureChange.objects.filter(pk=done.pk).update(changed_at=started)
    compute_effects(project_ids=[solbakken.pk])
