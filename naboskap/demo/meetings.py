"""Demo councils and meetings: Solbakken's neighbourhood council (the second seed: a neighbour
chairs, residents and staff sit in it, the facility is the secretariat) with a held and a
coming council meeting, and a public dialogue meeting about Lindeveien (the first seed).
Made through meetings.services; skipped for a project that already has meetings."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from naboskap.demo.clock import NEXT_DIALOGUE_IN_DAYS
from naboskap.meetings import services
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.models import Invitation, Meeting, Member, Minutes
from naboskap.tenancy.models import Unit

# name, category, position, email, postal address
SOLBAKKEN_COUNCIL = [
    ("Ingrid Solheim", Member.Category.NEIGHBOUR, Member.Position.CHAIR, "ingrid@example.org", ""),
    ("Tor Bakke", Member.Category.NEIGHBOUR, Member.Position.DEPUTY_CHAIR, "tor@example.org", ""),
    ("Line Aas", Member.Category.NEIGHBOUR, Member.Position.MEMBER, "line@example.org", ""),
    ("Beboerrepresentant 1", Member.Category.RESIDENT, Member.Position.MEMBER, "", "Solbakken 3"),
    ("Beboerrepresentant 2", Member.Category.RESIDENT, Member.Position.MEMBER, "", "Solbakken 3"),
    (
        "Berit Hansen",
        Member.Category.STAFF,
        Member.Position.SECRETARY,
        "botiltak@fjordvik.example",
        "",
    ),
    (
        "Politikontakt",
        Member.Category.POLICE,
        Member.Position.MEMBER,
        "politi@fjordvik.example",
        "",
    ),
]


def _at(days: int, hour: int):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _invite(meeting, *, answers: dict[str, str], **who):
    """Invite as staff would, mark the emails as sent (the demo sends no mail), answer."""
    services.invitations_send(meeting=meeting, **who)
    meeting.invitations.filter(via=Invitation.Via.EMAIL).update(
        sent_sequence=meeting.sequence, sent_at=timezone.now()
    )
    for invitation in meeting.invitations.all():
        if invitation.name in answers:
            services.rsvp_answer(invitation=invitation, response=answers[invitation.name])


def load_meetings(projects, users) -> None:
    solbakken, lindeveien = projects["solbakken"], projects["lindeveien"]
    if not solbakken.meetings.exists():
        load_solbakken(solbakken, users)
    if not lindeveien.meetings.exists():
        load_lindeveien(lindeveien, users)
    load_council_minutes(solbakken, users)


def load_solbakken(project, users) -> None:
    staff = users["botiltak"]
    council = services.body_create(
        project=project,
        name="Naborådet på Solbakken",
        mandate=(
            "Et trygt bomiljø for alle. Naboer, beboere og ansatte møtes jevnlig for å drøfte "
            "tiltak for et godt nabolag. Vi snakker med hverandre, ikke om hverandre."
        ),
        secretariat=Unit.objects.get(municipality=project.municipality, name="Solbakken botiltak"),
        meeting_interval_months=3,
    )
    for name, category, position, email, address in SOLBAKKEN_COUNCIL:
        services.member_save(
            body=council,
            member=Member(
                name=name,
                category=category,
                position=position,
                email=email,
                postal_address=address,
                term_start=timezone.localdate() - timedelta(days=400),
                # The deputy's term is about to end: the health check says so.
                term_end=timezone.localdate() + timedelta(days=20) if name == "Tor Bakke" else None,
                user=staff if email == staff.email else None,
            ),
        )
    members = council.members.all()

    def meeting(days: int, hours: tuple[int, int], **fields):
        return services.meeting_create(
            project=project,
            created_by=staff,
            body=council,
            starts_at=_at(days, hours[0]),
            ends_at=_at(days, hours[1]),
            place="Fellesstua, Solbakken 3",
            **fields,
        )

    held = meeting(
        7,
        (18, 20),
        kind=Meeting.Kind.COUNCIL,
        title="Naborådsmøte",
        description="Støy om kvelden og parkering. Beboerne har drøftet sakene i sitt eget møte.",
    )
    _invite(
        held,
        members=members,
        answers={"Ingrid Solheim": "yes", "Tor Bakke": "yes", "Berit Hansen": "yes"},
    )
    # Move it to six weeks ago: it was held.
    Meeting.objects.filter(pk=held.pk).update(starts_at=_at(-42, 18), ends_at=_at(-42, 20))
    coming = meeting(
        10,
        (18, 20),
        kind=Meeting.Kind.COUNCIL,
        title="Naborådsmøte",
        description="Planlegging av julefesten, og oppfølging av saken om parkering.",
    )
    _invite(
        coming,
        members=members,
        answers={"Ingrid Solheim": "yes", "Line Aas": "maybe", "Politikontakt": "no"},
    )
    christmas = meeting(
        30,
        (17, 20),
        kind=Meeting.Kind.SOCIAL,
        title="Julefest på Solbakken",
        description="Alle naboer er hjertelig velkomne. Naborådet byr på grøt og kaffe.",
        is_public=True,
    )
    load_solbakken_extras(project, council, staff, christmas)


def load_lindeveien(project, users) -> None:
    dialogue = services.meeting_create(
        project=project,
        created_by=users["koordinator"],
        kind=Meeting.Kind.DIALOGUE,
        title="Dialogmøte om boligene i Lindeveien",
        starts_at=_at(NEXT_DIALOGUE_IN_DAYS, 18),
        ends_at=_at(NEXT_DIALOGUE_IN_DAYS, 20),
        place="Aulaen, Lindeveien skole",
        online_url="https://mote.fjordvik.example/lindeveien",
        description=(
            "Vi går gjennom planene for boligene, svarer på spørsmål og ser sammen på "
            "ROS-analysen fra forrige dialogmøte: hva som er gjort, og hva som gjenstår."
        ),
        is_public=True,
    )
    _invite(
        dialogue,
        people=[
            {"name": "Lindeveien velforening", "email": "velforeningen@example.org"},
            {"name": "FAU ved Lindeveien skole", "email": "fau.lindeveien@example.org"},
            {"name": "Borettslaget Lindehagen", "postal_address": "Lindehagen 2, 9999 Fjordvik"},
        ],
        subscribers=True,
        answers={"FAU ved Lindeveien skole": "yes"},
    )


# The held council meeting's agenda, its residents' pre-meeting and approved minutes ----------

# title, presenter, minutes, for the residents' meeting, notes, what the residents said
SOLBAKKEN_AGENDA = [
    ("Velkommen og godkjenning av innkallingen", "Ingrid Solheim", 5, False, "Godkjent.", ""),
    (
        "Støy fra uteområdet om kvelden",
        "Berit Hansen",
        20,
        True,
        "Naboene i Solbakkveien har hørt musikk og høye stemmer fra uteområdet etter kl. 23 "
        "flere kvelder i mai. Botiltaket har snakket med beboerne om det. Vi snakker med "
        "hverandre, ikke om hverandre.",
        "Beboerne foreslår faste stilletider fra kl. 22 på uteområdet, og ønsker en benk på "
        "baksiden av huset der det er mindre lytt.",
    ),
    (
        "Trafikk og parkering i Solbakkveien",
        "Tor Bakke",
        15,
        True,
        "Besøkende parkerer langs veien og sperrer for brøytebilen. Botiltaket minner "
        "besøkende om gjesteplassene.",
        "Få beboere har bil. Beboerne tar det opp med dem som får besøk.",
    ),
    (
        "Sommerfest for naboer og beboere",
        "Ingrid Solheim",
        15,
        False,
        "Sommerfesten er en fin måte å bli kjent på. Forslag om grilling i hagen i juni.",
        "",
    ),
    ("Eventuelt", "", 5, False, "Ingen saker.", ""),
]


def load_council_minutes(project, users) -> None:
    """An agenda, a residents' meeting with their notes, and approved, published minutes with
    a decision that made a measure, for Solbakken's last held council meeting. Skipped when the
    project has minutes already (or no held council meeting)."""
    if Minutes.objects.filter(meeting__project=project).exists():
        return
    held = (
        project.meetings.filter(kind=Meeting.Kind.COUNCIL, starts_at__lt=timezone.now())
        .order_by("-starts_at")
        .first()
    )
    if held is None:
        return
    staff = users["botiltak"]
    items = [
        minutes_services.agenda_item_add(
            meeting=held,
            title=title,
            presenter=presenter,
            duration_minutes=duration,
            for_residents=for_residents,
        )
        for title, presenter, duration, for_residents, _notes, _said in SOLBAKKEN_AGENDA
    ]
    residents = services.residents_meeting_create(
        council_meeting=held,
        created_by=staff,
        title="Beboermøte før naborådsmøtet",
        starts_at=held.starts_at - timedelta(days=7),
        ends_at=held.starts_at - timedelta(days=7) + timedelta(hours=1),
        place="Fellesstua, Solbakken 3",
    )
    said = {title: text for title, *_rest, text in SOLBAKKEN_AGENDA}
    for copy in residents.agenda_items.all():
        minutes_services.residents_note_save(item=copy, note=said[copy.title])

    minutes = minutes_services.minutes_start(meeting=held, created_by=staff)
    statuses = {"Ingrid Solheim": "present", "Tor Bakke": "present", "Berit Hansen": "present"}
    statuses |= {"Line Aas": "apologies", "Beboerrepresentant 1": "present"}
    minutes_services.attendance_set(
        meeting=held,
        statuses={m: statuses[m.name] for m in held.body.members.filter(name__in=statuses)},
    )
    for item, (*_first, notes, _said) in zip(items, SOLBAKKEN_AGENDA, strict=True):
        minutes_services.item_notes_save(item=item, notes=notes)
    owner = Unit.objects.get(municipality=project.municipality, name="Solbakken botiltak")
    minutes_services.decision_add(
        item=items[1],
        created_by=staff,
        text=(
            "Botiltaket setter opp skilt om stilletid kl. 22–07 på uteområdet og setter ut en "
            "benk på baksiden. Lederen av naborådet kan ringe vakttelefonen når det er støy."
        ),
        measure_title="Skilt om stilletid og benk på baksiden",
        owner_unit=owner,
        due_date=timezone.localdate() + timedelta(days=21),
    )
    minutes_services.decision_add(
        item=items[3],
        created_by=staff,
        text="Sommerfesten holdes i hagen i juni. Botiltaket dekker kostnadene.",
    )
    minutes_services.minutes_edit(minutes=minutes, summary="Møtet startet kl. 18.", head_count=None)
    minutes_services.minutes_approve(minutes=minutes, approved_by=staff)
    minutes_services.minutes_publish(minutes=minutes, published_by=staff, confirmed=True)


# The council's standing series, its parties' budgets and an external member ----------------

# The seed: "Det har vært kostnader knyttet til julefester/sommerfester. Dette har
# virksomheten dekket." (item, amount, paying unit)
CHRISTMAS_COSTS = [
    ("Grøt, skinke og tilbehør", "2450.00", "Solbakken botiltak"),
    ("Kaffe, kaker og brus", "780.50", "Solbakken botiltak"),
    ("Julepynt og små gaver til barna", "1200.00", "Solbakken botiltak"),
]
SUMMER_COSTS = [
    ("Grillmat og drikke", "3120.00", "Solbakken botiltak"),
    ("Leie av telt og benker", "1500.00", "Eiendom"),
    ("Premier til natursti og aktiviteter", "450.00", "Solbakken botiltak"),
]
COUNCIL_AGENDA = [
    ("Velkommen og godkjenning av innkalling", "Møteleder", 5, False),
    ("Siden sist: saker fra beboermøtet", "Sekretær", 20, True),
    ("Trygghet i nabolaget: runder, parkering og støy", "Miljøvaktmester", 25, True),
    ("Planlegging av neste fest", "", 15, False),
    ("Eventuelt", "", 10, False),
]


def _second_tuesday_after(days: int) -> datetime:
    """18:00 on the second Tuesday of the first month that starts at least `days` from now."""
    day = timezone.localdate() + timedelta(days=days)
    first = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
    return timezone.make_aware(datetime.combine(tuesday, time(18, 0)))


def _costs(event, lines, units) -> None:
    for item, amount, unit in lines:
        services.cost_line_add(
            meeting=event, item=item, amount=Decimal(amount), paying_unit=units[unit]
        )


def load_solbakken_extras(project, council, staff, christmas) -> None:
    """A bimonthly council series from an agenda template, the summer party that was held and
    the coming Christmas party with budgets and costs, and one more external member."""
    units = {u.name: u for u in Unit.objects.filter(municipality=project.municipality)}
    series = services.series_create(
        project=project,
        created_by=staff,
        body=council,
        kind=Meeting.Kind.COUNCIL,
        title="Naborådsmøte",
        first_starts_at=_second_tuesday_after(40),
        duration_minutes=120,
        frequency="monthly",
        interval=2,
        monthly_by="weekday",
        count=6,
        place="Fellesstua, Solbakken 3",
        description="Fast møte i naborådet annenhver måned. Beboerne drøfter sakene først.",
    )
    first, *rest = series.meetings.order_by("starts_at")
    for title, presenter, minutes, residents in COUNCIL_AGENDA:
        minutes_services.agenda_item_add(
            meeting=first,
            title=title,
            presenter=presenter,
            duration_minutes=minutes,
            for_residents=residents,
        )
    template = services.agenda_template_save(
        meeting=first, name="Ordinært naborådsmøte", created_by=staff
    )
    for meeting in rest:
        services.agenda_template_apply(template=template, meeting=meeting)
    services.meeting_set_budget(meeting=christmas, budget=Decimal("5000"))
    _costs(christmas, CHRISTMAS_COSTS, units)
    # Last summer's party (the most recent June that has passed) was held.
    today = timezone.localdate()
    year = today.year if today.month > 6 else today.year - 1
    starts = timezone.make_aware(datetime(year, 6, 15, 16, 0))
    summer = services.meeting_create(
        project=project,
        created_by=staff,
        body=council,
        kind=Meeting.Kind.SOCIAL,
        title="Sommerfest på Solbakken",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        place="Plenen bak Solbakken 3",
        description="Grilling, natursti og leker for barna. Naboer, beboere og ansatte.",
        is_public=True,
    )
    services.meeting_set_budget(meeting=summer, budget=Decimal("6000"))
    _costs(summer, SUMMER_COSTS, units)
    # An external member: a neighbour without a municipal account, who reads the members'
    # page through one-time links ("Send login link" on the council's page).
    services.member_save(
        body=council,
        member=Member(
            name="Kari Nordby",
            category=Member.Category.NEIGHBOUR,
            position=Member.Position.MEMBER,
            email="kari.nordby@example.org",
            postal_address="Bakkeveien 12, 9999 Fjordvik",
            term_start=timezone.localdate() - timedelta(days=60),
        ),
    )
