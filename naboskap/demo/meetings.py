"""Demo councils and meetings: Solbakken's neighbourhood council (the second seed: a neighbour
chairs, residents and staff sit in it, the facility is the secretariat) with a held and a
coming council meeting, and a public dialogue meeting about Lindeveien (the first seed).
Made through meetings.services; skipped for a project that already has meetings."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from naboskap.meetings import services
from naboskap.meetings.models import Invitation, Meeting, Member
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
    meeting(
        30,
        (17, 20),
        kind=Meeting.Kind.SOCIAL,
        title="Julefest på Solbakken",
        description="Alle naboer er hjertelig velkomne. Naborådet byr på grøt og kaffe.",
        is_public=True,
    )


def load_lindeveien(project, users) -> None:
    dialogue = services.meeting_create(
        project=project,
        created_by=users["koordinator"],
        kind=Meeting.Kind.DIALOGUE,
        title="Dialogmøte om boligene i Lindeveien",
        starts_at=_at(14, 18),
        ends_at=_at(14, 20),
        place="Aulaen, Lindeveien skole",
        online_url="https://mote.fjordvik.example/lindeveien",
        description=(
            "Vi går gjennom planene for boligene, svarer på spørsmål og lager sammen en "
            "ROS-analyse av hva som kan skape utrygghet, og hva vi kan gjøre med det."
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
