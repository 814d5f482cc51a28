"""Bodies, members and meetings for tests, made through the services (bulk-created when a
test needs hundreds of rows)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from naboskap.meetings import services
from naboskap.meetings.models import Invitation, Meeting, Member

# name, category, position
COUNCIL = [
    ("Nina Nabo", Member.Category.NEIGHBOUR, Member.Position.CHAIR),
    ("Ola Nabo", Member.Category.NEIGHBOUR, Member.Position.DEPUTY_CHAIR),
    ("Berit Ansatt", Member.Category.STAFF, Member.Position.SECRETARY),
    ("Rune Beboer", Member.Category.RESIDENT, Member.Position.MEMBER),
]


def make_body(project, *, name="Naborådet", members=COUNCIL, **fields):
    body = services.body_create(
        project=project,
        name=name,
        mandate="Et trygt bomiljø for alle.",
        secretariat=project.responsible_unit,
        **fields,
    )
    for index, (member_name, category, position) in enumerate(members):
        services.member_save(
            body=body,
            member=Member(
                name=member_name,
                category=category,
                position=position,
                email=f"medlem{index}@example.org" if index % 4 != 3 else "",
                postal_address="Solbakken 1, 9999 Fjordby" if index % 4 == 3 else "",
                term_start=timezone.localdate() - timedelta(days=100),
            ),
        )
    return body


def add_members(body, count: int) -> list[Member]:
    """`count` plain members at once (for query-count tests)."""
    start = timezone.localdate() - timedelta(days=10)
    return Member.objects.bulk_create(
        Member(
            body=body,
            name=f"Medlem {n}",
            email=f"bulk{body.pk}-{n}@example.org",
            category=Member.Category.NEIGHBOUR,
            term_start=start,
        )
        for n in range(count)
    )


def make_meeting(project, *, body=None, days: float = 7, hours: float = 2, **fields) -> Meeting:
    """A meeting `days` from now (negative: in the past), lasting `hours`."""
    starts = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    fields.setdefault("title", "Møte i naborådet")
    fields.setdefault("kind", Meeting.Kind.COUNCIL if body else Meeting.Kind.DIALOGUE)
    fields.setdefault("place", "Fellesstua, Solbakken 3")
    return services.meeting_create(
        project=project,
        created_by=None,
        body=body,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        **fields,
    )


def add_invitations(meeting, count: int) -> list[Invitation]:
    start = meeting.invitations.count()
    return Invitation.objects.bulk_create(
        Invitation(
            meeting=meeting,
            name=f"Gjest {n}",
            email=f"gjest{meeting.pk}-{n}@example.org",
            via=Invitation.Via.EMAIL,
            response=["none", "yes", "no", "maybe"][n % 4],
        )
        for n in range(start, start + count)
    )


def invitation(meeting, *, email="nabo@example.org", name="Nina Nabo") -> Invitation:
    services.invitations_send(meeting=meeting, people=[{"name": name, "email": email}])
    return meeting.invitations.get(email=email)
