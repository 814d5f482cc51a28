"""Every URL × every persona: what status each one gets.

When you add a URL, add it to MATRIX (or, for a third-party URL, make sure it is covered by
`test_third_party_urls_never_fail`): `test_every_url_is_in_the_matrix` fails until you do.
Objects outside a user's reach answer 404, never 403, so their existence does not leak.
"""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from naboskap.conftest import PERSONAS
from naboskap.projects.models import Subscription
from naboskap.testing.factories import make_concern, make_photo

# Third-party URL modules, covered by `test_third_party_urls_never_fail`.
THIRD_PARTY_MODULES = ("django.contrib.admin", "allauth")

# Every persona with a role in the municipality (the outsider has one elsewhere).
STAFF = set(PERSONAS) - {"anonymous", "outsider"}
MANAGERS = {"admin", "coordinator"}
WRITERS = MANAGERS | {"facility_staff"}


def expect(ok=200, *, allowed, anonymous=302, denied=403, outsider=404):
    """Statuses per persona: `allowed` get `ok`; the outsider (another municipality) 404."""
    statuses = {"anonymous": anonymous, "outsider": outsider}
    for persona in STAFF:
        statuses[persona] = ok if persona in allowed else denied
    return statuses


EVERYONE_200 = dict.fromkeys(PERSONAS, 200)


def category_kwargs(world):
    from naboskap.concerns.services import categories_ensure_defaults

    categories_ensure_defaults(municipality=world.municipality)
    return {"category_pk": world.municipality.concern_categories.get(code="noise").pk}


def rule_kwargs(world):
    from naboskap.concerns.models import Category, RoutingRule

    category = Category.objects.get(pk=category_kwargs(world)["category_pk"])
    rule = RoutingRule.objects.create(
        municipality=world.municipality, category=category, unit=world.project.responsible_unit
    )
    return {"rule_pk": rule.pk}


def rule_data(world):
    return {
        "rule-category": category_kwargs(world)["category_pk"],
        "rule-unit": world.project.responsible_unit_id,
    }


# Concern settings: the municipality's administrator only (no one else administers one).
SETTINGS = expect(allowed={"admin"}, outsider=403)


def subscription_token(world):
    return Subscription.objects.create(project=world.project, email="nabo@example.org").token


def concern_pk(world):
    return make_concern(world.project, reporter_email="nabo@example.org").pk


def concern_photo(world):
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    return {"pk": concern.pk, "photo_pk": make_photo(concern).pk}


def reported(world):
    """One concern per test for the reporter's follow-up pages (the URL and its token)."""
    if not hasattr(world, "reported"):
        world.reported = make_concern(world.project, reporter_email="nabo@example.org")
    return world.reported


def reference(world):
    return {"reference": reported(world).reference}


def token(world, **data):
    return {"t": reported(world).token, **data}


# Concerns: municipality-wide admins and coordinators, the project's facility staff, and the
# case handlers of the unit it is routed to (the project's responsible unit here, which is
# not the case-handler persona's unit).
CONCERN_HANDLERS = {"admin", "coordinator", "facility_staff"}


def measure(world):
    """One measure per test, owned by the case-handler persona's unit (Helse og sosial)."""
    if not hasattr(world, "measure"):
        from naboskap.testing.factories import make_measure

        world.measure = make_measure(world.project, owner_unit_name="Helse og sosial")
    return world.measure


def measure_kwargs(world):
    return {"pk": world.project.pk, "measure_pk": measure(world).pk}


# The plan: everyone with a role in the project reads it; managers change it; the owner
# unit's people (the case handler here) report progress.
MEASURE_UPDATERS = MANAGERS | {"case_handler"}


def input_kwargs(world):
    """One input per test, sent through the public form (with an email address)."""
    if not hasattr(world, "input"):
        from naboskap.plans import services

        world.input, _created = services.input_submit_public(
            project=world.project,
            idempotency_key="matrix-input-key-0001",
            text="Vi ønsker en benk ved lekeplassen.",
            contact_email="nabo@example.org",
        )
    return {"pk": world.project.pk, "input_pk": world.input.pk}


def routine(world, *, publish: bool):
    """A routine of Fjordby's (the outsider's municipality does not reach it)."""
    from naboskap.routines.tests.factories import make_routine

    return make_routine(world.municipality, publish=publish)


def draft(world, *more):
    draft_routine = routine(world, publish=False)
    phase = draft_routine.phases.first()
    built = {"pk": draft_routine.pk, "phase_pk": phase.pk, "task_pk": phase.tasks.first().pk}
    return {key: built[key] for key in ("pk", *more)}


def routine_task(world):
    """A task of the project's checklist for the facility staff's role."""
    from naboskap.routines.tests.factories import project_task

    return {"pk": world.project.pk, "task_pk": project_task(world.project).pk}


def risk_event(world):
    """One ROS analysis (a draft on the default scale) with one event, per test."""
    if not hasattr(world, "risk_event"):
        from naboskap.risk import services
        from naboskap.risk.tests.factories import make_analysis

        analysis = make_analysis(world.project)
        world.risk_event = services.event_create(analysis=analysis, title="Støy om natta")
    return world.risk_event


def analysis_kwargs(world):
    return {"pk": world.project.pk, "analysis_pk": risk_event(world).analysis_id}


def event_kwargs(world):
    return {**analysis_kwargs(world), "event_pk": risk_event(world).pk}


def scale_kwargs(world):
    return {"pk": risk_event(world).analysis.scale_version.scale_id}


def scoring_round(world, *, closed=False):
    """An open (or closed) scoring round for the analysis's event, per test."""
    if not hasattr(world, "scoring_round"):
        from naboskap.risk import services

        event = risk_event(world)
        world.scoring_round = services.round_open(
            analysis=event.analysis, events=[event], opened_by=None
        )
        if closed:
            services.round_close(scoring_round=world.scoring_round, closed_by=None)
    return world.scoring_round


def round_kwargs(world, closed=False):
    return {**analysis_kwargs(world), "round_pk": scoring_round(world, closed=closed).pk}


# ROS analyses: everyone who reaches the project reads them (politicians too); managers and
# the dialogue owner change them. Scales: the municipality's staff read them, its
# administrators and coordinators edit them.
RISK_MATRIX = {
    "risk:analysis_list": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "risk:analysis_create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "risk:analysis_detail": ("get", analysis_kwargs, expect(allowed=STAFF)),
    "risk:analysis_edit": ("get", analysis_kwargs, expect(allowed=MANAGERS)),
    "risk:analysis_status": (
        "post",
        analysis_kwargs,
        expect(302, allowed=MANAGERS),
        lambda w: {"to_status": "review"},
    ),
    # A draft is changed, not revised: refused with a message.
    "risk:analysis_revise": ("post", analysis_kwargs, expect(400, allowed=MANAGERS)),
    "risk:analysis_diff": ("get", analysis_kwargs, expect(allowed=STAFF)),
    "risk:matrix": ("get", analysis_kwargs, expect(allowed=STAFF)),
    "risk:report": ("get", analysis_kwargs, expect(allowed=STAFF)),
    "risk:report_pdf": ("get", analysis_kwargs, expect(allowed=STAFF)),
    "risk:events_xlsx": ("get", analysis_kwargs, expect(allowed=STAFF)),
    "risk:events_csv": ("get", analysis_kwargs, expect(allowed=STAFF)),
    "risk:event_create": ("get", analysis_kwargs, expect(allowed=MANAGERS)),
    "risk:event_detail": ("get", event_kwargs, expect(allowed=STAFF)),
    "risk:event_edit": ("get", event_kwargs, expect(allowed=MANAGERS)),
    "risk:event_score": ("get", event_kwargs, expect(allowed=MANAGERS)),
    "risk:event_delete": ("post", event_kwargs, expect(302, allowed=MANAGERS)),
    "risk:event_measure_create": (
        "post",
        event_kwargs,
        expect(302, allowed=MANAGERS),
        lambda w: {
            "title": "Husordensregler",
            "kind": "probability",
            "owner_unit": w.project.responsible_unit_id,
            "status": "planned",
        },
    ),
    "risk:scale_list": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
    "risk:scale_create": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "risk:scale_detail": ("get", scale_kwargs, expect(allowed=STAFF)),
    "risk:scale_edit": ("get", scale_kwargs, expect(allowed=MANAGERS)),
    "risk:scale_make_default": ("post", scale_kwargs, expect(302, allowed=MANAGERS)),
    # Live scoring: the room view is for everyone who reads the analysis; managers open,
    # close and settle rounds. The results part is for htmx; a plain request goes to the room.
    "risk:round_create": ("get", analysis_kwargs, expect(allowed=MANAGERS)),
    "risk:round_detail": ("get", round_kwargs, expect(allowed=STAFF)),
    "risk:round_results": ("get", round_kwargs, expect(302, allowed=STAFF)),
    "risk:round_close": ("post", round_kwargs, expect(302, allowed=MANAGERS)),
    "risk:round_settle": (
        "get",
        lambda w: round_kwargs(w, closed=True),
        expect(allowed=MANAGERS),
    ),
    # The participants' phone pages: public, by the round's code.
    "portal:scoring_join": ("get", lambda w: {"code": scoring_round(w).code}, EVERYONE_200),
    "portal:scoring_vote": (
        "get",
        lambda w: {"code": scoring_round(w).code, "number": risk_event(w).number},
        EVERYONE_200,
    ),
    # Issue 19, the live round: the room view (projector) for the staff who read the
    # analysis, its polled part for htmx (a plain request goes to the room view); a phone's
    # summary of its own votes is public, by the round's code.
    "risk:round_room": ("get", round_kwargs, expect(allowed=STAFF)),
    "risk:round_room_results": ("get", round_kwargs, expect(302, allowed=STAFF)),
    "portal:scoring_summary": ("get", lambda w: {"code": scoring_round(w).code}, EVERYONE_200),
}


def council(world):
    """One neighbourhood council with a coming meeting and one invitation, per test."""
    if not hasattr(world, "council"):
        from naboskap.meetings.tests.factories import invitation, make_body, make_meeting

        world.council = make_body(world.project)
        world.council_meeting = make_meeting(world.project, body=world.council, is_public=True)
        world.council_invitation = invitation(world.council_meeting)
    return world.council


def body_kwargs(world):
    return {"pk": world.project.pk, "body_pk": council(world).pk}


def member_kwargs(world):
    return {**body_kwargs(world), "member_pk": council(world).members.first().pk}


def meeting_kwargs(world):
    council(world)
    return {"pk": world.project.pk, "meeting_pk": world.council_meeting.pk}


def invitation_kwargs(world):
    return {**meeting_kwargs(world), "inv_pk": world.council_invitation.pk}


# Councils and meetings: everyone who reaches the project sees them; managers, the dialogue
# owner and the project's facility staff (the secretariat) run them. The RSVP link and the
# calendars are public, keyed by their tokens.
MEETINGS_MATRIX = {
    "meetings:body_list": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "meetings:body_create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=WRITERS)),
    "meetings:body_detail": ("get", body_kwargs, expect(allowed=STAFF)),
    "meetings:body_edit": ("get", body_kwargs, expect(allowed=WRITERS)),
    "meetings:body_feed_rotate": ("post", body_kwargs, expect(302, allowed=WRITERS)),
    "meetings:member_create": ("get", body_kwargs, expect(allowed=WRITERS)),
    "meetings:member_edit": ("get", member_kwargs, expect(allowed=WRITERS)),
    "meetings:member_end_term": ("post", member_kwargs, expect(302, allowed=WRITERS)),
    "meetings:meeting_list": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "meetings:meeting_create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=WRITERS)),
    "meetings:meeting_detail": ("get", meeting_kwargs, expect(allowed=STAFF)),
    "meetings:meeting_edit": ("get", meeting_kwargs, expect(allowed=WRITERS)),
    "meetings:meeting_cancel": ("get", meeting_kwargs, expect(allowed=WRITERS)),
    "meetings:meeting_invite": ("get", meeting_kwargs, expect(allowed=WRITERS)),
    "meetings:meeting_letters": ("get", meeting_kwargs, expect(allowed=WRITERS)),
    "meetings:invitation_bounce": ("post", invitation_kwargs, expect(302, allowed=WRITERS)),
    "portal:meeting_rsvp": (
        "get",
        lambda w: {"token": council(w) and w.council_invitation.token},
        EVERYONE_200,
    ),
    "portal:rsvp_calendar": (
        "get",
        lambda w: {"token": council(w) and w.council_invitation.token},
        EVERYONE_200,
    ),
    "portal:meeting_feed": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:body_feed": ("get", lambda w: {"token": council(w).feed_token}, EVERYONE_200),
}


def council_series(world):
    """A weekly series of two council meetings, three weeks ahead, per test."""
    if not hasattr(world, "council_series"):
        from datetime import timedelta

        from django.utils import timezone

        from naboskap.meetings import services

        starts = (timezone.now() + timedelta(days=21)).replace(second=0, microsecond=0)
        world.council_series = services.series_create(
            project=world.project,
            created_by=None,
            body=council(world),
            kind="council",
            title="Naborådsmøte",
            first_starts_at=starts,
            duration_minutes=120,
            frequency="weekly",
            interval=1,
            count=2,
            place="Fellesstua",
        )
    return {"pk": world.project.pk, "series_pk": world.council_series.pk}


def social_event(world):
    """The council's summer party with one cost line, per test."""
    if not hasattr(world, "social_event"):
        from decimal import Decimal

        from naboskap.meetings import services
        from naboskap.meetings.tests.factories import make_meeting

        world.social_event = make_meeting(
            world.project, body=council(world), kind="social", title="Sommerfest", days=30
        )
        world.cost_line = services.cost_line_add(
            meeting=world.social_event,
            item="Grillmat",
            amount=Decimal("1200"),
            paying_unit=world.project.responsible_unit,
        )
    return {"pk": world.project.pk, "meeting_pk": world.social_event.pk}


def cost_line_kwargs(world):
    return {**social_event(world), "line_pk": world.cost_line.pk}


def agenda_template_kwargs(world):
    from naboskap.meetings import services
    from naboskap.meetings.minutes import services as minutes_services

    if not hasattr(world, "agenda_template"):
        meeting = council(world) and world.council_meeting
        minutes_services.agenda_item_add(meeting=meeting, title="Velkommen")
        world.agenda_template = services.agenda_template_save(meeting=meeting, name="Fast")
    return {"pk": world.project.pk, "template_pk": world.agenda_template.pk}


def member_login_token(world):
    """A sent, unused login link of the council's chair (its token as the email has it)."""
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.meetings.models import MemberLoginLink
    from naboskap.meetings.services import login_token_hash

    token = "matrix-login-token-0123456789abcdefghijklmnop"
    member = council(world).members.get(name="Nina Nabo")
    MemberLoginLink.objects.get_or_create(
        token_hash=login_token_hash(token),
        defaults={
            "member": member,
            "email": member.email,
            "sent_at": timezone.now(),
            "expires_at": timezone.now() + timedelta(hours=24),
        },
    )
    return {"token": token}


# Series, social events' costs, agenda templates and members' login links: readers see;
# managers, the dialogue owner and the secretariat change. The members' page is public but
# opens only with a marker from a login link, which no persona has here (403 for all).
MEETX_MATRIX = {
    "meetings:series_create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=WRITERS)),
    "meetings:series_detail": ("get", council_series, expect(allowed=STAFF)),
    "meetings:series_edit": ("get", council_series, expect(allowed=WRITERS)),
    "meetings:series_end": ("post", council_series, expect(302, allowed=WRITERS)),
    "meetings:body_budget": ("get", body_kwargs, expect(allowed=STAFF)),
    "meetings:meeting_costs": ("get", social_event, expect(allowed=STAFF)),
    "meetings:cost_line_delete": ("post", cost_line_kwargs, expect(302, allowed=WRITERS)),
    "meetings:member_login_link": ("post", member_kwargs, expect(302, allowed=WRITERS)),
    "meetings:member_login_letter": ("post", member_kwargs, expect(200, allowed=WRITERS)),
    "meetings:agenda_template_save": ("get", meeting_kwargs, expect(allowed=WRITERS)),
    "meetings:agenda_template_list": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=STAFF),
    ),
    "meetings:agenda_template_delete": (
        "post",
        agenda_template_kwargs,
        expect(302, allowed=WRITERS),
    ),
    "portal:member_login": ("get", member_login_token, EVERYONE_200),
    "portal:member_link_request": ("get", lambda w: {}, EVERYONE_200),
    "portal:member_code": ("get", lambda w: {}, EVERYONE_200),
    "portal:members_logout": ("post", lambda w: {}, dict.fromkeys(PERSONAS, 302)),
    "portal:members_page": (
        "get",
        lambda w: {"body_pk": council(w).pk},
        dict.fromkeys(PERSONAS, 403),
    ),
    "portal:members_comment": (
        "post",
        lambda w: {"body_pk": council(w).pk, "minutes_pk": 1},
        dict.fromkeys(PERSONAS, 403),
        lambda w: {"text": "Hei"},
    ),
}


# Issue 19, meetings: sending invitations is a step of its own (those who run the meetings);
# the member answers and chooses what to share from the members' page, which opens only with
# a marker from a login link (403 for every persona here).
MEETINGS_ISSUE19_MATRIX = {
    "meetings:meeting_send": ("get", meeting_kwargs, expect(allowed=WRITERS)),
    "portal:members_rsvp": (
        "post",
        lambda w: {"body_pk": council(w).pk, "meeting_pk": w.council_meeting.pk},
        dict.fromkeys(PERSONAS, 403),
        lambda w: {"response": "yes"},
    ),
    "portal:members_consent": (
        "post",
        lambda w: {"body_pk": council(w).pk},
        dict.fromkeys(PERSONAS, 403),
        lambda w: {"share_phone": "on"},
    ),
}


def agenda_item_kwargs(world):
    """One agenda item (marked for the residents' meeting) on the council's meeting."""
    from naboskap.meetings.minutes import services as minutes_services

    if not hasattr(world, "agenda_item"):
        world.agenda_item = minutes_services.agenda_item_add(
            meeting=council(world) and world.council_meeting, title="Støy", for_residents=True
        )
    return {**meeting_kwargs(world), "item_pk": world.agenda_item.pk}


def minutes_kwargs(world):
    from naboskap.meetings.minutes import services as minutes_services

    kwargs = agenda_item_kwargs(world)
    minutes_services.minutes_start(meeting=world.council_meeting, created_by=None)
    return {"pk": kwargs["pk"], "meeting_pk": kwargs["meeting_pk"]}


def minutes_item_kwargs(world):
    return {**minutes_kwargs(world), "item_pk": world.agenda_item.pk}


def decision_kwargs(world):
    from naboskap.meetings.minutes import services as minutes_services

    kwargs = minutes_kwargs(world)
    decision = minutes_services.decision_add(
        item=world.agenda_item, created_by=None, text="Vedtatt."
    )
    return {**kwargs, "decision_pk": decision.pk}


def approved_kwargs(world):
    from naboskap.meetings.minutes import services as minutes_services
    from naboskap.meetings.models import Minutes

    kwargs = minutes_kwargs(world)
    minutes = Minutes.objects.get(meeting=world.council_meeting)
    if not minutes.is_approved:
        minutes_services.minutes_approve(minutes=minutes, approved_by=None)
    return kwargs


def published_minutes(world):
    from naboskap.meetings.minutes import services as minutes_services
    from naboskap.meetings.models import Minutes

    approved_kwargs(world)
    minutes = Minutes.objects.get(meeting=world.council_meeting)
    minutes_services.minutes_publish(minutes=minutes, published_by=None, confirmed=True)
    return {"slug": world.project.slug, "pk": world.council_meeting.pk}


# Agendas and minutes: everyone who reaches the project reads them; those who run the
# meetings write them. Published minutes are public.
MINUTES_MATRIX = {
    "meetings:agenda_item_create": ("get", meeting_kwargs, expect(allowed=WRITERS)),
    "meetings:agenda_item_edit": ("get", agenda_item_kwargs, expect(allowed=WRITERS)),
    "meetings:agenda_item_delete": ("post", agenda_item_kwargs, expect(302, allowed=WRITERS)),
    "meetings:agenda_item_move": (
        "post",
        agenda_item_kwargs,
        expect(302, allowed=WRITERS),
        lambda w: {"retning": "ned"},
    ),
    "meetings:residents_note": (
        "post",
        agenda_item_kwargs,
        expect(302, allowed=WRITERS),
        lambda w: {"note": "Beboerne vil ha ro."},
    ),
    "meetings:residents_meeting_create": ("get", meeting_kwargs, expect(allowed=WRITERS)),
    "meetings:minutes_detail": ("get", meeting_kwargs, expect(allowed=STAFF)),
    "meetings:minutes_start": ("post", meeting_kwargs, expect(302, allowed=WRITERS)),
    "meetings:minutes_edit": ("get", minutes_kwargs, expect(allowed=WRITERS)),
    "meetings:minutes_attendance": ("get", minutes_kwargs, expect(allowed=WRITERS)),
    "meetings:minutes_item": ("get", minutes_item_kwargs, expect(allowed=WRITERS)),
    "meetings:decision_create": (
        "post",
        minutes_item_kwargs,
        expect(302, allowed=WRITERS),
        lambda w: {"text": "Vedtatt."},
    ),
    "meetings:decision_edit": ("get", decision_kwargs, expect(allowed=WRITERS)),
    "meetings:minutes_send": ("post", minutes_kwargs, expect(302, allowed=WRITERS)),
    "meetings:minutes_comment": (
        "post",
        minutes_kwargs,
        expect(302, allowed=WRITERS),
        lambda w: {"text": "Rett skrivefeil."},
    ),
    "meetings:minutes_approve": ("post", minutes_kwargs, expect(302, allowed=WRITERS)),
    "meetings:minutes_publish": (
        "post",
        approved_kwargs,
        expect(302, allowed=WRITERS),
        lambda w: {"confirm": "on"},
    ),
    "meetings:minutes_unpublish": ("post", approved_kwargs, expect(302, allowed=WRITERS)),
    "meetings:minutes_version": (
        "get",
        lambda w: {**approved_kwargs(w), "version": 1},
        expect(allowed=STAFF),
    ),
    "meetings:minutes_pdf": ("get", minutes_kwargs, expect(allowed=STAFF)),
    "portal:meeting_minutes": ("get", published_minutes, EVERYONE_200),
}


def neighbour_entry(world):
    """The project (given a site) with a neighbour list of one address, once per test."""
    if not hasattr(world, "neighbour_entry"):
        from decimal import Decimal

        from naboskap.stakeholders import services
        from naboskap.stakeholders.tests.factories import make_address

        world.project.latitude, world.project.longitude = Decimal("69.65"), Decimal("18.95")
        world.project.save()
        make_address(world.municipality, 69.6501, 18.95)
        neighbour_list = services.neighbour_list_compute(project=world.project, radius_m=200)
        world.neighbour_entry = neighbour_list.entries.get()
    return world.neighbour_entry


def entry_kwargs(world):
    return {"pk": world.project.pk, "entry_pk": neighbour_entry(world).pk}


def listed_project(world):
    neighbour_entry(world)
    return {"pk": world.project.pk}


# Neighbour lists: everyone who reaches the project reads them; managers and the dialogue
# owner compute and edit them. The address register: the municipality's administrator.
STAKEHOLDERS_MATRIX = {
    "stakeholders:addresses": ("get", lambda w: {}, expect(allowed={"admin"}, outsider=403)),
    "stakeholders:neighbour_list": ("get", listed_project, expect(allowed=STAFF)),
    "stakeholders:neighbour_export": ("get", listed_project, expect(allowed=STAFF)),
    "stakeholders:neighbour_preview": (
        "get",
        listed_project,
        expect(allowed=MANAGERS),
        lambda w: {"radius_m": "200"},
    ),
    "stakeholders:neighbour_compute": (
        "post",
        listed_project,
        expect(302, allowed=MANAGERS),
        lambda w: {"radius_m": "200"},
    ),
    "stakeholders:neighbour_add": (
        "post",
        listed_project,
        expect(302, allowed=MANAGERS),
        lambda w: {"address": neighbour_entry(w).address_id},
    ),
    "stakeholders:neighbour_remove": ("post", entry_kwargs, expect(302, allowed=MANAGERS)),
    "stakeholders:neighbour_restore": ("post", entry_kwargs, expect(302, allowed=MANAGERS)),
}


def stakeholder_organisation(world):
    from naboskap.stakeholders.register import services

    if not hasattr(world, "organisation"):
        world.organisation = services.organisation_create(
            municipality=world.municipality,
            name="Lindeveien velforening",
            kind="residents",
            projects=[world.project],
        )
    return world.organisation


def stakeholder_person(world):
    from naboskap.stakeholders.register import services

    if not hasattr(world, "stakeholder"):
        world.stakeholder = services.person_create(
            municipality=world.municipality, name="Kari Nabo", projects=[world.project]
        )
    return world.stakeholder


def stakeholder_interaction(world):
    from naboskap.stakeholders.register import services

    interaction = services.interaction_log(
        project=world.project,
        user=world.users["coordinator"],
        channel="phone",
        direction="in",
        summary="Ringte om parkering",
        persons=[stakeholder_person(world)],
    )
    return {"pk": world.project.pk, "interaction_pk": interaction.pk}


def organisation_kwargs(world):
    return {"pk": stakeholder_organisation(world).pk}


def person_kwargs(world):
    return {"pk": stakeholder_person(world).pk}


# The stakeholder register: organisations for all the municipality's staff (the outsider
# sees their own register); persons, interactions and analyses for the project team
# (admin, coordinator, the project's facility staff); persons outside one's teams are 404.
PERSON_TEAM = {"admin", "coordinator", "facility_staff"}
NOT_TEAM_404 = {"case_handler": 404, "police": 404, "politician": 404, "archivist": 404}
REGISTER_MATRIX = {
    "stakeholders:organisation_list": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
    "stakeholders:organisation_create": (
        "get",
        lambda w: {},
        expect(allowed=MANAGERS, outsider=200),
    ),
    "stakeholders:organisation_detail": ("get", organisation_kwargs, expect(allowed=STAFF)),
    "stakeholders:organisation_edit": ("get", organisation_kwargs, expect(allowed=MANAGERS)),
    "stakeholders:person_list": ("get", lambda w: {}, expect(allowed=PERSON_TEAM, outsider=200)),
    "stakeholders:person_create": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "stakeholders:person_detail": (
        "get",
        person_kwargs,
        expect(allowed=PERSON_TEAM) | NOT_TEAM_404,
    ),
    "stakeholders:person_edit": ("get", person_kwargs, expect(allowed=MANAGERS) | NOT_TEAM_404),
    "stakeholders:person_erase": (
        "post",
        person_kwargs,
        expect(302, allowed=MANAGERS) | NOT_TEAM_404,
        lambda w: {"reason": "Ba om sletting på e-post", "confirm": "on"},
    ),
    "stakeholders:interaction_list": ("get", listed_project, expect(allowed=PERSON_TEAM)),
    "stakeholders:interaction_create": (
        "post",
        lambda w: {"pk": w.project.pk},
        expect(302, allowed=PERSON_TEAM),
        lambda w: {
            "occurred_on": "2026-01-05",
            "channel": "email",
            "direction": "out",
            "summary": "Sendte invitasjon",
        },
    ),
    "stakeholders:interaction_detail": (
        "get",
        stakeholder_interaction,
        expect(allowed=PERSON_TEAM),
    ),
    "stakeholders:analysis": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=PERSON_TEAM)),
    "stakeholders:assessment_create": (
        "post",
        lambda w: {"pk": w.project.pk},
        expect(302, allowed=MANAGERS),
        lambda w: {
            "stakeholder": f"o{stakeholder_organisation(w).pk}",
            "assessed_on": "2026-01-05",
            "influence": "4",
            "affected": "3",
            "stance": "worried",
        },
    ),
}


def place_draft(world):
    """A draft place analysis of the project with a description and a theme, once per test."""
    if not hasattr(world, "place_theme"):
        from naboskap.stakeholders.places import services as place_services

        place_services.place_analysis_edit(
            project=world.project, by=None, site_description="Boligfelt ved skolen"
        )
        world.place_theme = place_services.place_item_add(
            project=world.project, by=None, item="theme", name="Trafikk", count=3
        )
    return world.place_theme


def place_kwargs(world):
    place_draft(world)
    return {"pk": world.project.pk}


def place_version_kwargs(world):
    place_draft(world)
    return {"pk": world.project.pk, "version": 1}


def place_theme_kwargs(world):
    return {"pk": world.project.pk, "kind": "theme", "item_pk": place_draft(world).pk}


def letter_template_kwargs(world):
    from naboskap.stakeholders.places import services as place_services

    template = place_services.letter_template_create(
        municipality=world.municipality,
        project=world.project,
        name="Nabobrev",
        heading="Invitasjon: {title}",
        body="Tid: {time}",
    )
    return {"pk": world.project.pk, "template_pk": template.pk}


def letters_run_kwargs(world):
    """A letter run (being prepared) that the coordinator asked for."""
    from naboskap.documents.services import run_start
    from naboskap.stakeholders.documents import LETTER_RUN

    token, _parts = run_start(
        kind=LETTER_RUN,
        obj=world.project,
        requested_by=world.users["coordinator"],
        language="nb",
        parts=[{"count": 1, "meeting": 0, "letter_date": "2025-01-01", "letters": []}],
    )
    return {"pk": world.project.pk, "token": token}


# Place and process analyses: read by everyone who reaches the project, written and approved
# by those who change it. Letters: those who change the project. Register files: export for
# the municipality's staff (the outsider exports their own), import for those who add to it.
PLACES_MATRIX = {
    "stakeholders:place_analysis": ("get", place_kwargs, expect(allowed=STAFF)),
    "stakeholders:place_text": (
        "post",
        lambda w: {"pk": w.project.pk},
        expect(302, allowed=MANAGERS),
        lambda w: {"site_description": "Et boligfelt"},
    ),
    "stakeholders:place_item_add": (
        "post",
        lambda w: {"pk": w.project.pk, "kind": "theme"},
        expect(302, allowed=MANAGERS),
        lambda w: {"theme-name": "Støy", "theme-count": "2"},
    ),
    "stakeholders:place_item_delete": ("post", place_theme_kwargs, expect(302, allowed=MANAGERS)),
    "stakeholders:place_publish": ("post", place_kwargs, expect(302, allowed=MANAGERS)),
    "stakeholders:place_version": ("get", place_version_kwargs, expect(allowed=STAFF)),
    "stakeholders:place_pdf": ("get", place_version_kwargs, expect(allowed=STAFF)),
    "stakeholders:letters": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    # A run of letters is its maker's alone: another manager gets 404.
    "stakeholders:letters_run": (
        "get",
        letters_run_kwargs,
        {**expect(allowed={"coordinator"}), "admin": 404},
    ),
    "stakeholders:letter_template_create": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=MANAGERS),
    ),
    "stakeholders:letter_template_edit": (
        "get",
        letter_template_kwargs,
        expect(allowed=MANAGERS),
    ),
    "stakeholders:register_import": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
    "stakeholders:register_export": (
        "get",
        lambda w: {"kind": "organisasjoner", "fmt": "csv"},
        expect(allowed=STAFF, outsider=200),
    ),
}


def survey_round(world):
    """An open neighbour-survey round of the project, per test."""
    if not hasattr(world, "survey_round"):
        import datetime

        from django.utils import timezone

        from naboskap.insights import services

        today = timezone.localdate()
        world.survey_round = services.round_create(
            project=world.project,
            template=services.template_ensure_default(municipality=world.municipality),
            title="Trygghetsundersøkelse 2026",
            opens_on=today - datetime.timedelta(days=1),
            closes_on=today + datetime.timedelta(days=30),
        )
    return world.survey_round


# Dashboards (aggregates only): a project's for everyone with a role in it; the
# municipality's for administrators, coordinators and politicians (the outsider reads their
# own municipality's).
DASHBOARD_STEERING = MANAGERS | {"politician"}
DASHBOARD_MATRIX = {
    "insights:project_dashboard": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "insights:project_dashboard_export": (
        "get",
        lambda w: {"pk": w.project.pk, "fmt": "csv"},
        expect(allowed=STAFF),
    ),
    "insights:municipality_dashboard": (
        "get",
        lambda w: {},
        expect(allowed=DASHBOARD_STEERING, outsider=200),
    ),
    "insights:municipality_dashboard_export": (
        "get",
        lambda w: {"fmt": "xlsx"},
        expect(allowed=DASHBOARD_STEERING, outsider=200),
    ),
}

# Issue 18, the staff start page ("I dag"): every staff member, of the municipality they
# work in (the outsider sees their own).
HOME_MATRIX = {
    "insights:home": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
}

# Issue 18, staff search: every staff member searches what they may open, in the municipality
# they work in (the outsider searches their own).
SEARCH_MATRIX = {
    "search:search": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
}


def situation_assessment(world):
    """One shared assessment (version 1, unsigned) of the project, per test."""
    if not hasattr(world, "situation_assessment"):
        import datetime

        from naboskap.situation import services

        world.situation_assessment = services.assessment_create(
            project=world.project,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 3, 31),
            text="Felles beskrivelse av utfordringen.",
            by=world.users["coordinator"],
        )
    return {"pk": world.project.pk, "assessment_pk": world.situation_assessment.pk}


# The situation picture with the police: the municipality's administrators and coordinators
# and the police liaison; everyone else in the municipality 403 (politicians too), another
# municipality 404. Each party signs only for itself.
SITUATION = {"admin", "coordinator", "police"}
SITUATION_MATRIX = {
    "situation:picture": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=SITUATION)),
    "situation:assessment_create": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=SITUATION),
    ),
    "situation:assessment_detail": ("get", situation_assessment, expect(allowed=SITUATION)),
    "situation:version_detail": (
        "get",
        lambda w: {**situation_assessment(w), "number": 1},
        expect(allowed=SITUATION),
    ),
    "situation:assessment_edit": ("get", situation_assessment, expect(allowed=SITUATION)),
    "situation:assessment_pdf": ("get", situation_assessment, expect(allowed=SITUATION)),
    "situation:assessment_sign": (
        "post",
        situation_assessment,
        expect(302, allowed={"police"}),
        lambda w: {"party": "police", "version": "1"},
    ),
    # Case handlers of the routed unit and the project's coordinators mark a concern; facility
    # staff see it but do not mark it; the rest do not reach the concern (404).
    "concerns:police_relevant": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        {**expect(302, allowed=MANAGERS, denied=404), "facility_staff": 403},
        lambda w: {"relevant": "1"},
    ),
}


def codes_run_kwargs(world):
    """Single-use codes (being made) that the coordinator asked for."""
    from naboskap.documents.services import run_start
    from naboskap.insights.documents import CODES

    token, _parts = run_start(
        kind=CODES,
        obj=survey_round(world),
        requested_by=world.users["coordinator"],
        language="nb",
        parts=[{"count": 1, "first": 1, "link": "", "short_address": "", "project_address": ""}],
    )
    return {"pk": world.project.pk, "round_pk": survey_round(world).pk, "token": token}


# The neighbour survey: staff read results, managers run rounds, the answer page is public.
SURVEY_MATRIX = {
    "insights:rounds": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "insights:round_create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "insights:round_results": (
        "get",
        lambda w: {"pk": w.project.pk, "round_pk": survey_round(w).pk},
        expect(allowed=STAFF),
    ),
    "insights:round_codes": (
        "get",
        lambda w: {"pk": w.project.pk, "round_pk": survey_round(w).pk},
        expect(allowed=MANAGERS),
    ),
    # Codes being made are their maker's alone: another manager gets 404.
    "insights:round_codes_run": (
        "get",
        codes_run_kwargs,
        {**expect(allowed={"coordinator"}), "admin": 404},
    ),
    "portal:survey_answer": ("get", lambda w: {"token": survey_round(w).token}, EVERYONE_200),
}


def survey_template(world):
    """An editable survey template of the municipality with two questions, per test."""
    if not hasattr(world, "survey_template"):
        from naboskap.insights import services

        world.survey_template = services.template_create(
            municipality=world.municipality, name="Trygghet i Lindeveien"
        )
        services.question_add(
            template=world.survey_template, kind="likert", text="Jeg føler meg trygg."
        )
        services.question_add(
            template=world.survey_template, kind="open", text="Noe annet?", key="annet"
        )
    return world.survey_template


def template_kwargs(world):
    return {"pk": survey_template(world).pk}


def question_kwargs(world):
    return {**template_kwargs(world), "question_pk": survey_template(world).questions.first().pk}


# Survey templates: the municipality's staff read them, its administrators and coordinators
# edit them (the outsider's own list and form are empty: 200).
SURVEY_TEMPLATES_MATRIX = {
    "insights:template_list": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
    "insights:template_create": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "insights:template_detail": ("get", template_kwargs, expect(allowed=STAFF)),
    "insights:template_edit": ("get", template_kwargs, expect(allowed=MANAGERS)),
    "insights:template_new_version": ("post", template_kwargs, expect(302, allowed=MANAGERS)),
    "insights:question_create": ("get", template_kwargs, expect(allowed=MANAGERS)),
    "insights:question_edit": ("get", question_kwargs, expect(allowed=MANAGERS)),
    "insights:question_move": (
        "post",
        question_kwargs,
        expect(302, allowed=MANAGERS),
        lambda w: {"direction": "down"},
    ),
    "insights:question_delete": ("post", question_kwargs, expect(302, allowed=MANAGERS)),
}


def facility_round(world):
    from naboskap.facility import services

    if not hasattr(world, "facility_round"):
        coordinator = world.users["coordinator"]
        world.facility_round = services.round_start(project=world.project, by=coordinator)[0]
    return world.facility_round


def facility_round_kwargs(world):
    return {"pk": world.project.pk, "round_pk": facility_round(world).pk}


def facility_observation_kwargs(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from naboskap.facility import services
    from naboskap.testing.factories import make_image

    observation = services.observation_log(
        round=facility_round(world),
        by=world.users["coordinator"],
        category="litter",
        place="Lekeplassen",
        text="Sprøyte i sandkassa.",
        photo=SimpleUploadedFile("p.jpg", make_image(), content_type="image/jpeg"),
    )
    return {"pk": world.project.pk, "observation_pk": observation.pk}


def facility_incident_kwargs(world):
    from naboskap.facility import services

    coordinator = world.users["coordinator"]
    incident = services.incident_log(
        project=world.project, by=coordinator, category="noise", description="Høy musikk."
    )
    services.follow_up_add(incident=incident, by=coordinator, text="Snakket med beboerne.")
    return {"pk": world.project.pk, "incident_pk": incident.pk}


# Caretaker rounds: caretakers (not a persona here), facility staff and managers. The
# incident log: facility staff and managers write it. Police, politicians and case handlers
# see neither (the police get counts in the situation picture).
ROUND_WALKERS = WRITERS
FACILITY_MATRIX = {
    "facility:my_rounds": ("get", lambda w: {}, expect(allowed=ROUND_WALKERS, outsider=200)),
    "facility:round_list": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=ROUND_WALKERS)),
    "facility:round_start": (
        "post",
        lambda w: {"pk": w.project.pk},
        expect(302, allowed=ROUND_WALKERS),
    ),
    "facility:round_detail": ("get", facility_round_kwargs, expect(allowed=ROUND_WALKERS)),
    "facility:round_end": ("post", facility_round_kwargs, expect(302, allowed=ROUND_WALKERS)),
    "facility:round_all_calm": (
        "post",
        facility_round_kwargs,
        expect(302, allowed=ROUND_WALKERS),
    ),
    "facility:observation_create": (
        "get",
        facility_round_kwargs,
        expect(allowed=ROUND_WALKERS),
    ),
    "facility:observation_list": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=ROUND_WALKERS),
    ),
    "facility:observation_detail": (
        "get",
        facility_observation_kwargs,
        expect(allowed=ROUND_WALKERS),
    ),
    "facility:observation_photo": (
        "get",
        facility_observation_kwargs,
        expect(allowed=ROUND_WALKERS),
    ),
    "facility:observation_concern": (
        "post",
        facility_observation_kwargs,
        expect(302, allowed=ROUND_WALKERS),
    ),
    "facility:observation_measure": (
        "post",
        facility_observation_kwargs,
        expect(302, allowed=MANAGERS),
        lambda w: {
            "measure-title": "Flere søppelbøtter",
            "measure-owner_unit": w.project.responsible_unit_id,
        },
    ),
    "facility:incident_list": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=WRITERS)),
    "facility:incident_create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=WRITERS)),
    "facility:incident_detail": ("get", facility_incident_kwargs, expect(allowed=WRITERS)),
    "facility:incident_follow_up": (
        "post",
        facility_incident_kwargs,
        expect(302, allowed=WRITERS),
        lambda w: {"follow_up-text": "Ringte naboen tilbake."},
    ),
    "facility:incident_status": (
        "post",
        facility_incident_kwargs,
        expect(302, allowed=WRITERS),
        lambda w: {"status-to_status": "closed"},
    ),
}


def status_report(world, *, project=True):
    """A kept status report (of the project, or of the whole municipality), per test."""
    import datetime

    from naboskap.reports.models import StatusReport

    today = datetime.date.today()
    return StatusReport.objects.create(
        municipality=world.municipality,
        project=world.project if project else None,
        period_start=today - datetime.timedelta(days=90),
        period_end=today,
        since=today - datetime.timedelta(days=90),
        trigger=StatusReport.Trigger.ON_DEMAND,
        language="nb",
        title="Statusrapport",
        body_html="<p>Ingenting å melde.</p>",
    )


# Status reports: politicians, administrators and coordinators read them; administrators
# and coordinators make them and set the schedule; other staff get 403, the outsider 404.
REPORT_READERS = MANAGERS | {"politician"}
REPORTS_MATRIX = {
    "reports:list": ("get", lambda w: {}, expect(allowed=REPORT_READERS, outsider=200)),
    "reports:create": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "reports:schedule": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "reports:detail": (
        "get",
        lambda w: {"pk": status_report(w).pk},
        expect(allowed=REPORT_READERS),
    ),
    "reports:pdf": ("get", lambda w: {"pk": status_report(w).pk}, expect(allowed=REPORT_READERS)),
    "reports:project_reports": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=REPORT_READERS),
    ),
    "reports:project_create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "reports:project_schedule": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=MANAGERS),
    ),
}


# name: (method, kwargs builder, expected statuses per persona[, data builder])
# The optional data builder gives the query string of a GET, or the form data of a POST.
# One municipality context and each user's own profile (issue 15, "context" part): every staff
# member switches among their own municipalities (Fjordby here; the outsider has no role
# there: 404) and edits their own profile.
CONTEXT_MATRIX = {
    "tenancy:switch_municipality": (
        "post",
        lambda w: {},
        expect(302, allowed=STAFF),
        lambda w: {"municipality": w.municipality.pk},
    ),
    "tenancy:profile": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_switching_to_the_other_municipality(persona, world, persona_clients):
    """The other municipality's context: only the outsider (Annenby) may switch to it."""
    response = persona_clients[persona].post(
        reverse("tenancy:switch_municipality"), {"municipality": world.other_municipality.pk}
    )
    expected = {"anonymous": 302, "outsider": 302}.get(persona, 404)
    assert response.status_code == expected, f"{persona}: {response.status_code}"


# Privacy (issue 15, privacy records): the logs and the record of processing activities are
# read by the municipality's administrators and municipality-wide coordinators, the DPIA
# support document by its administrators. The pages show the user's own municipality, so the
# outsider (a coordinator in Annenby) reads Annenby's records and not its DPIA.
PRIVACY_READERS = expect(allowed=MANAGERS, outsider=200)
PRIVACY_ADMIN = expect(allowed={"admin"}, outsider=403)
PRIVACY_MATRIX = {
    "privacy:index": ("get", lambda w: {}, PRIVACY_READERS),
    "privacy:log": ("get", lambda w: {}, PRIVACY_READERS),
    "privacy:records": ("get", lambda w: {}, PRIVACY_READERS),
    "privacy:records_pdf": ("get", lambda w: {}, PRIVACY_READERS),
    "privacy:dpia": ("get", lambda w: {}, PRIVACY_ADMIN),
    "privacy:dpia_pdf": ("get", lambda w: {}, PRIVACY_ADMIN),
}

# Administration in /app/administrasjon/ (issue 15, users and units): the administrator of
# the municipality the user works in; everyone else 403 (like the concern settings). Another
# municipality's users and units answer its administrator 404 (tenancy/tests/test_admin_*).
ADMINISTRATION = expect(allowed={"admin"}, outsider=403)
ADMINISTRATION_POST = expect(302, allowed={"admin"}, outsider=403)
# The archive: the municipality's administrators and archivists.
ARCHIVE = expect(allowed={"admin", "archivist"}, outsider=403)
ARCHIVE_POST = expect(302, allowed={"admin", "archivist"}, outsider=403)


def failed_email(world):
    from naboskap.outbox.models import Email

    email = Email.objects.create(
        key="test",
        to="nabo@example.org",
        kind="news",
        municipality=world.municipality,
        subject="Nytt",
        body="Tekst",
        status=Email.Status.FAILED,
        next_attempt_at=world.project.created_at,
    )
    return {"email_pk": email.pk}


def webhook_endpoint(world):
    from naboskap.webhooks.models import Endpoint

    if not hasattr(world, "webhook_endpoint"):
        world.webhook_endpoint = Endpoint.objects.create(
            municipality=world.municipality,
            name="Arkiv",
            url="https://arkiv.example.org/hook",
            events=["concern.received"],
            user=world.users["coordinator"],
            secret="whsec_matrix",
        )
    return {"endpoint_pk": world.webhook_endpoint.pk}


def failed_delivery(world):
    from naboskap.webhooks.models import Delivery

    kwargs = webhook_endpoint(world)
    delivery = Delivery.objects.create(
        endpoint=world.webhook_endpoint,
        event="ping",
        event_id="evt_matrix",
        payload={},
        status=Delivery.Status.FAILED,
        next_attempt_at=world.project.created_at,
    )
    return {**kwargs, "delivery_pk": delivery.pk}


def archive_registration(world):
    from naboskap.archive.models import Registration

    registration = Registration.objects.create(
        municipality=world.municipality,
        kind=Registration.Kind.FOLDER,
        model="archive.folder",
        object_id=f"project-{world.project.pk}",
        subject_model="projects.project",
        subject_id=world.project.pk,
        title="Naboskapsarbeid – Lindeveien",
        external_key=f"folder:project-{world.project.pk}",
        status=Registration.Status.FAILED,
    )
    return {"registration_pk": registration.pk}


def admin_invitation(world):
    from naboskap.tenancy.administration.services import invitation_create

    if not hasattr(world, "admin_invitation"):
        world.admin_invitation = invitation_create(
            municipality=world.municipality,
            name="Ny Kollega",
            email="ny.kollega@example.org",
            roles=["case_handler"],
        )
    return world.admin_invitation


def admin_unit(world):
    from naboskap.testing.factories import UnitFactory

    if not hasattr(world, "admin_unit"):
        world.admin_unit = UnitFactory(municipality=world.municipality, name="Matriseenhet")
    return {"unit_pk": world.admin_unit.pk}


def invitation_token_kwargs(world):
    from naboskap.tenancy.administration.services import invitation_token

    return {"token": invitation_token(admin_invitation(world))}


ADMINISTRATION_MATRIX = {
    "administration:users": ("get", lambda w: {}, ADMINISTRATION),
    "administration:invite": ("get", lambda w: {}, ADMINISTRATION),
    "administration:user": (
        "get",
        lambda w: {"user_pk": w.users["politician"].pk},
        ADMINISTRATION,
    ),
    "administration:user_deactivate": (
        "post",
        lambda w: {"user_pk": w.users["politician"].pk},
        ADMINISTRATION_POST,
    ),
    "administration:user_reset_mfa": (
        "post",
        lambda w: {"user_pk": w.users["politician"].pk},
        ADMINISTRATION_POST,
        lambda w: {"mfa-reason": "Mistet telefonen"},
    ),
    "administration:invitation_resend": (
        "post",
        lambda w: {"invitation_pk": admin_invitation(w).pk},
        ADMINISTRATION_POST,
    ),
    "administration:invitation_revoke": (
        "post",
        lambda w: {"invitation_pk": admin_invitation(w).pk},
        ADMINISTRATION_POST,
    ),
    "administration:units": ("get", lambda w: {}, ADMINISTRATION),
    "administration:unit_create": ("get", lambda w: {}, ADMINISTRATION),
    "administration:unit": ("get", admin_unit, ADMINISTRATION),
    "administration:unit_merge": (
        "post",
        admin_unit,
        ADMINISTRATION_POST,
        lambda w: {"merge-target": w.project.responsible_unit_id},
    ),
    "administration:unit_retire": ("post", admin_unit, ADMINISTRATION_POST),
    "administration:unit_reinstate": ("post", admin_unit, ADMINISTRATION_POST),
    "administration:log": ("get", lambda w: {}, ADMINISTRATION),
    "scheduling:overview": ("get", lambda w: {}, ADMINISTRATION),
    "outbox:emails": ("get", lambda w: {}, ADMINISTRATION),
    "outbox:retry_all": ("post", lambda w: {}, ADMINISTRATION_POST),
    "outbox:retry": ("post", failed_email, ADMINISTRATION_POST),
    "outbox:drop": ("post", failed_email, ADMINISTRATION_POST),
    # Webhooks (issue 23): the municipality's administrator only.
    "webhooks:endpoints": ("get", lambda w: {}, ADMINISTRATION),
    "webhooks:endpoint_create": ("get", lambda w: {}, ADMINISTRATION),
    "webhooks:endpoint": ("get", webhook_endpoint, ADMINISTRATION),
    "webhooks:endpoint_edit": ("get", webhook_endpoint, ADMINISTRATION),
    "webhooks:endpoint_delete": ("post", webhook_endpoint, ADMINISTRATION_POST),
    "webhooks:endpoint_ping": ("post", webhook_endpoint, ADMINISTRATION_POST),
    # Answers with the new secret (shown once), not a redirect.
    "webhooks:endpoint_secret": ("post", webhook_endpoint, ADMINISTRATION),
    "webhooks:delivery_retry": ("post", failed_delivery, ADMINISTRATION_POST),
    "archive:overview": ("get", lambda w: {}, ARCHIVE),
    "archive:settings": ("get", lambda w: {}, ARCHIVE),
    "archive:resend": ("post", archive_registration, ARCHIVE_POST),
    # The invitation link: a page for everyone (a signed-in stranger is told it is not theirs).
    "invitations:accept": ("get", invitation_token_kwargs, EVERYONE_200),
}


# Issue 23, REST API tokens: every staff member creates, sees and revokes their own (the
# outsider too, in theirs; another user's token answers 404); the administrator does so for a
# user with a role in the municipality (everyone else 403, like the other administration pages).
def api_token_kwargs(world, persona="coordinator"):
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.api.services import token_create

    token, _raw = token_create(
        user=world.users[persona],
        name="Matrise",
        scopes=["concerns:read"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return {"pk": token.pk}


API_TOKENS_MATRIX = {
    "api_tokens:list": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
    "api_tokens:created": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
    "api_tokens:revoke": (
        "post",
        api_token_kwargs,
        expect(302, allowed={"coordinator"}, denied=404),
        lambda w: {"confirm": "1"},
    ),
    "api_tokens:member_create": (
        "get",
        lambda w: {"user_pk": w.users["politician"].pk},
        ADMINISTRATION,
    ),
    "api_tokens:member_revoke": (
        "post",
        lambda w: {"user_pk": w.users["politician"].pk, **api_token_kwargs(w, "politician")},
        ADMINISTRATION_POST,
        lambda w: {"confirm": "1"},
    ),
}


# Issue 16, intake from every channel: staff register concerns received by phone, letter …
# (everyone who handles concerns, in the municipality they work in: the outsider in theirs),
# the page after saving and the receipt letter (those who see the case, or its registrant),
# and the short follow-up address of a receipt letter (public; asks for the code).
INTAKE_MATRIX = {
    "concerns:intake": (
        "get",
        lambda w: {},
        expect(allowed=CONCERN_HANDLERS | {"case_handler"}, outsider=200),
    ),
    "concerns:intake_done": (
        "get",
        lambda w: {"pk": concern_pk(w)},
        expect(allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:receipt_letter": (
        "get",
        lambda w: {"pk": concern_pk(w)},
        expect(allowed=CONCERN_HANDLERS, denied=404),
    ),
    "portal:concern_short": ("get", reference, EVERYONE_200),
}


def standard_answer(world):
    from naboskap.concerns.models import StandardAnswer

    answer = StandardAnswer.objects.create(
        municipality=world.municipality, title="Mottatt", body="Vi har mottatt {reference}."
    )
    return {"answer_pk": answer.pk}


# Both ways, assignees, the inbox and standard answers (issue 16): an internal note is for
# those who handle the concern (an empty one answers 400); standard answers are kept by the
# municipality's administrator only.
BOTH_WAYS_MATRIX = {
    "concerns:note": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(400, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:answer_list": ("get", lambda w: {}, SETTINGS),
    "concerns:answer_create": ("get", lambda w: {}, SETTINGS),
    "concerns:answer_edit": ("get", standard_answer, SETTINGS),
    "concerns:answer_retire": (
        "post",
        standard_answer,
        expect(302, allowed={"admin"}, outsider=403),
        lambda w: {"active": "0"},
    ),
}


# Issue 17, the published risk summary: the project's coordinator or an administrator
# publishes (GET shows the form, here refused with a warning since the analysis is a draft)
# and unpublishes; everyone reads a published summary on the public page.
def published_risk_summary(world):
    if not hasattr(world, "published_risk_summary"):
        from naboskap.risk import services

        analysis = risk_event(world).analysis
        for status in ("review", "approved"):
            services.analysis_change_status(analysis=analysis, to_status=status, changed_by=None)
        world.published_risk_summary = services.summary_publish(
            analysis=analysis, published_by=None, descriptions={}, organisations=["FAU"]
        )
    return {"slug": world.project.slug}


PUBLISHED_RISK_MATRIX = {
    "risk:summary_publish": ("get", analysis_kwargs, expect(allowed=MANAGERS)),
    "risk:summary_unpublish": ("post", analysis_kwargs, expect(302, allowed=MANAGERS)),
    "portal:risk_summary": ("get", published_risk_summary, EVERYONE_200),
}


# Issue 17, letters people can act on: the short address printed on letters (`/n/<code>/`)
# is public and redirects to its page (here the project page).
def letter_short_link(world):
    from naboskap.projects import services as project_services

    link = project_services.short_link_for(
        municipality=world.municipality, target=world.project.get_public_url()
    )
    return {"code": link.code}


LETTER_LINKS_MATRIX = {
    "portal:short_link": ("get", letter_short_link, dict.fromkeys(PERSONAS, 302)),
}

# What works (issue 25): the anonymised export for research is the municipality's
# administrators' (it has no object in its address: the outsider, of another municipality,
# is not an administrator where they work, so 403; another municipality's administrator gets
# their own rows, naboskap/whatworks/tests/test_export.py).
WHAT_WORKS_EXPORT_MATRIX = {
    "whatworks:export": ("get", lambda w: {}, expect(allowed={"admin"}, outsider=403)),
}

# What works (issue 25): the catalogue of what worked is for those who plan, the
# administrators and coordinators (a coordinator of another municipality sees their own).
WHAT_WORKS_CATALOGUE_MATRIX = {
    "whatworks:catalogue": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
}

# What works (issue 25), the trust barometer: a project's barometer for everyone who may open
# the project (counts and shares only); its weighting, with the other settings of what works,
# for the municipality's administrators (no object in the address: the outsider gets 403).
WHAT_WORKS_BAROMETER_MATRIX = {
    "whatworks:barometer": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "whatworks:settings": ("get", lambda w: {}, expect(allowed={"admin"}, outsider=403)),
}


MATRIX = {
    # Inputs (need-to-know, issue 15): everyone who reaches the project gets the list (its
    # counts and published answers; the text only for those who handle inputs); an input's
    # own page is for those who handle inputs (here the administrator and the coordinator:
    # the case handler is of another unit than the project's responsible one); managers of
    # the plan change them.
    "inputs:list": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "inputs:create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "inputs:detail": ("get", input_kwargs, expect(allowed=MANAGERS)),
    "inputs:edit": ("get", input_kwargs, expect(allowed=MANAGERS)),
    "inputs:decide": (
        "post",
        input_kwargs,
        expect(302, allowed=MANAGERS),
        lambda w: {"decision": "adopted", "decision_reason": "Benken kommer i vår."},
    ),
    "inputs:publish": (
        "post",
        input_kwargs,
        expect(302, allowed=MANAGERS),
        lambda w: {"public_text": "Ønske om en benk ved lekeplassen."},
    ),
    "inputs:hide": ("post", input_kwargs, expect(302, allowed=MANAGERS)),
    "inputs:measure_create": (
        "post",
        input_kwargs,
        expect(302, allowed=MANAGERS),
        lambda w: {"title": "Sett opp en benk", "owner_unit": w.project.responsible_unit_id},
    ),
    "plans:my_measures": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
    "plans:plan": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "plans:plan_pdf": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "plans:plan_xlsx": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "plans:matrix": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "plans:measure_create": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "plans:measure_detail": ("get", measure_kwargs, expect(allowed=STAFF)),
    "plans:measure_edit": ("get", measure_kwargs, expect(allowed=MANAGERS)),
    "plans:measure_progress": (
        "post",
        measure_kwargs,
        expect(302, allowed=MEASURE_UPDATERS),
        lambda w: {"status": "in_progress", "progress": "40", "note": "Godt i gang."},
    ),
    "concerns:inbox": (
        "get",
        lambda w: {},
        expect(allowed=CONCERN_HANDLERS | {"case_handler"}, outsider=200),
    ),
    "concerns:map": (
        "get",
        lambda w: {},
        expect(allowed=CONCERN_HANDLERS | {"case_handler"}, outsider=200),
    ),
    "concerns:map_layer": (
        "get",
        lambda w: {},
        expect(allowed=CONCERN_HANDLERS | {"case_handler"}, outsider=200),
    ),
    "concerns:bulk_assign": (
        "post",
        lambda w: {},
        expect(302, allowed=CONCERN_HANDLERS | {"case_handler"}, outsider=302),
    ),
    "concerns:detail": (
        "get",
        lambda w: {"pk": concern_pk(w)},
        expect(allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:photo": (
        "get",
        lambda w: concern_photo(w),
        expect(allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:transition": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(400, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:message": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(400, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:merge": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(302, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:assign": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(302, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:measure_create": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        # Facility staff handle the concern, but only the plan's managers add to the plan.
        {**expect(302, allowed=MANAGERS, denied=404), "facility_staff": 403},
        lambda w: {
            "measure-title": "Flytte benken",
            "measure-owner_unit": w.project.responsible_unit_id,
        },
    ),
    "concerns:link_event": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(302, allowed=CONCERN_HANDLERS, denied=404),
        lambda w: {"event-unwanted_event": ""},
    ),
    "concerns:settings": ("get", lambda w: {}, SETTINGS),
    "concerns:category_create": ("get", lambda w: {}, SETTINGS),
    "concerns:category_edit": ("get", category_kwargs, SETTINGS),
    "concerns:rule_add": (
        "post",
        lambda w: {},
        expect(302, allowed={"admin"}, outsider=403),
        rule_data,
    ),
    "concerns:rule_delete": ("post", rule_kwargs, expect(302, allowed={"admin"}, outsider=403)),
    "concerns:policy_edit": (
        "post",
        lambda w: {},
        expect(302, allowed={"admin"}, outsider=403),
        lambda w: {"policy-erase_contact_after_days": "60", "policy-delete_after_years": "3"},
    ),
    "healthz": ("get", lambda w: {}, EVERYONE_200),
    # Off in tests (METRICS_ENABLED): like an unknown page for everyone. See test_metrics.py.
    "metrics": ("get", lambda w: {}, dict.fromkeys(PERSONAS, 404)),
    "set_language": ("post", lambda w: {}, dict.fromkeys(PERSONAS, 302)),
    # Sessions (issue 15): anyone signed in ends their own sessions; a visitor is sent to log in.
    "logout_everywhere": ("post", lambda w: {}, dict.fromkeys(PERSONAS, 302)),
    "open311:services": ("get", lambda w: {"fmt": "json"}, EVERYONE_200),
    "open311:service_definition": (
        "get",
        lambda w: {"code": "noise", "fmt": "json"},
        EVERYONE_200,
    ),
    "open311:requests": ("get", lambda w: {"fmt": "json"}, EVERYONE_200),
    "open311:request": (
        "get",
        lambda w: {"reference": make_concern(w.project).reference, "fmt": "json"},
        EVERYONE_200,
    ),
    "open311:not_found": ("get", lambda w: {"rest": "nothing-here"}, dict.fromkeys(PERSONAS, 404)),
    # The REST API's public part (issue 23): no key, the same for everyone, session or not.
    "api:index": ("get", lambda w: {}, EVERYONE_200),
    "api:schema": ("get", lambda w: {}, EVERYONE_200),
    "api:docs": ("get", lambda w: {}, EVERYONE_200),
    "api:projects": ("get", lambda w: {}, EVERYONE_200),
    "api:project": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "api:project_updates": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "api:project_meetings": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "api:project_measures": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "api:project_risk_summaries": ("get", published_risk_summary, EVERYONE_200),
    "api:project_you_said": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    # Staff endpoints take a token, never a session (so no CSRF): a logged-in browser gets
    # 401 too. Who may do what with a token: api/tests/test_rest_matrix.py.
    "api:concerns": ("get", lambda w: {}, dict.fromkeys(PERSONAS, 401)),
    "api:concern": ("get", lambda w: {"pk": concern_pk(w)}, dict.fromkeys(PERSONAS, 401)),
    "api:concern_messages": (
        "get",
        lambda w: {"pk": concern_pk(w)},
        dict.fromkeys(PERSONAS, 401),
    ),
    "api:concern_transitions": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        dict.fromkeys(PERSONAS, 401),
    ),
    "api:concern_assignment": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        dict.fromkeys(PERSONAS, 401),
    ),
    # Staff endpoints of measures, meetings, analyses, stakeholders and surveys: the token's
    # checks come first (a pk that does not exist answers 401 alike).
    "api:measures": ("get", lambda w: {}, dict.fromkeys(PERSONAS, 401)),
    "api:meetings": ("get", lambda w: {}, dict.fromkeys(PERSONAS, 401)),
    "api:analyses": ("get", lambda w: {}, dict.fromkeys(PERSONAS, 401)),
    "api:stakeholder_organisations": ("get", lambda w: {}, dict.fromkeys(PERSONAS, 401)),
    "api:stakeholder_persons": ("get", lambda w: {}, dict.fromkeys(PERSONAS, 401)),
    "api:surveys": ("get", lambda w: {}, dict.fromkeys(PERSONAS, 401)),
    "api:measure": ("get", lambda w: {"pk": 1}, dict.fromkeys(PERSONAS, 401)),
    "api:meeting": ("get", lambda w: {"pk": 1}, dict.fromkeys(PERSONAS, 401)),
    "api:analysis": ("get", lambda w: {"pk": 1}, dict.fromkeys(PERSONAS, 401)),
    "api:stakeholder_organisation": ("get", lambda w: {"pk": 1}, dict.fromkeys(PERSONAS, 401)),
    "api:stakeholder_person": ("get", lambda w: {"pk": 1}, dict.fromkeys(PERSONAS, 401)),
    "api:survey": ("get", lambda w: {"pk": 1}, dict.fromkeys(PERSONAS, 401)),
    "api:measure_progress": ("post", lambda w: {"pk": 1}, dict.fromkeys(PERSONAS, 401)),
    "api:not_found": ("get", lambda w: {"rest": "nothing-here"}, dict.fromkeys(PERSONAS, 404)),
    "portal:home": ("get", lambda w: {}, EVERYONE_200),
    "portal:feed": ("get", lambda w: {}, EVERYONE_200),
    "portal:project": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:project_updates": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:project_feed": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:subscribe": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:subscription_confirm": (
        "get",
        lambda w: {"token": subscription_token(w)},
        EVERYONE_200,
    ),
    "portal:unsubscribe": ("get", lambda w: {"token": subscription_token(w)}, EVERYONE_200),
    "portal:report": ("get", lambda w: {}, EVERYONE_200),
    "portal:nearest_address": (
        "get",
        lambda w: {},
        EVERYONE_200,
        lambda w: {"lat": "59.95", "lon": "10.78"},
    ),
    "portal:project_report": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:concern_follow_up": ("get", reference, EVERYONE_200, token),
    "portal:concern_reply": (
        "post",
        reference,
        dict.fromkeys(PERSONAS, 302),
        lambda w: token(w, body="Det skjedde igjen."),
    ),
    "portal:concern_erase_contact": ("post", reference, dict.fromkeys(PERSONAS, 302), token),
    # Not answered yet: rating and reopening are refused, alike for everyone.
    "portal:concern_satisfaction": (
        "post",
        reference,
        dict.fromkeys(PERSONAS, 400),
        lambda w: token(w, score="4"),
    ),
    "portal:input_suggest": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:input_thanks": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:you_said": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:concern_reopen": (
        "post",
        reference,
        dict.fromkeys(PERSONAS, 400),
        lambda w: token(w, reason="Det skjer fortsatt."),
    ),
    "projects:my_projects": (
        "get",
        lambda w: {},
        expect(allowed=STAFF, outsider=200),
    ),
    "projects:create": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "projects:detail": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "projects:edit": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "projects:phase": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "projects:updates": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "projects:update_create": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=WRITERS),
    ),
    "projects:update_edit": (
        "get",
        lambda w: {"pk": w.project.pk, "update_pk": w.update.pk},
        expect(allowed=WRITERS),
    ),
    "projects:update_delete": (
        "post",
        lambda w: {"pk": w.project.pk, "update_pk": w.update.pk},
        expect(302, allowed=WRITERS),
    ),
    "projects:contact_create": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=MANAGERS),
    ),
    "projects:contact_edit": (
        "get",
        lambda w: {"pk": w.project.pk, "cp_pk": w.contact_point.pk},
        expect(allowed=MANAGERS),
    ),
    "projects:contact_delete": (
        "post",
        lambda w: {"pk": w.project.pk, "cp_pk": w.contact_point.pk},
        expect(302, allowed=MANAGERS),
    ),
    # Routines: all staff read them; administrators and coordinators write them. A project's
    # checklist: everyone who reaches the project reads it; managers (and the dialogue owner)
    # choose routines; a task's role holders complete it.
    "routines:list": ("get", lambda w: {}, expect(allowed=STAFF, outsider=200)),
    "routines:create": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "routines:import": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "routines:detail": ("get", lambda w: draft(w), expect(allowed=STAFF)),
    "routines:export": ("get", lambda w: draft(w), expect(allowed=STAFF)),
    "routines:edit": ("get", lambda w: draft(w), expect(allowed=MANAGERS)),
    "routines:publish": ("post", lambda w: draft(w), expect(302, allowed=MANAGERS)),
    "routines:delete": ("post", lambda w: draft(w), expect(302, allowed=MANAGERS)),
    "routines:retire": (
        "post",
        lambda w: {"pk": routine(w, publish=True).pk},
        expect(302, allowed=MANAGERS),
    ),
    "routines:new_version": (
        "post",
        lambda w: {"pk": routine(w, publish=True).pk},
        expect(302, allowed=MANAGERS),
    ),
    "routines:phase_create": ("get", lambda w: draft(w), expect(allowed=MANAGERS)),
    "routines:phase_edit": ("get", lambda w: draft(w, "phase_pk"), expect(allowed=MANAGERS)),
    "routines:phase_delete": (
        "post",
        lambda w: draft(w, "phase_pk"),
        expect(302, allowed=MANAGERS),
    ),
    "routines:phase_move": (
        "post",
        lambda w: draft(w, "phase_pk"),
        expect(302, allowed=MANAGERS),
        lambda w: {"direction": "down"},
    ),
    "routines:task_create": ("get", lambda w: draft(w, "phase_pk"), expect(allowed=MANAGERS)),
    "routines:task_edit": ("get", lambda w: draft(w, "task_pk"), expect(allowed=MANAGERS)),
    "routines:task_delete": ("post", lambda w: draft(w, "task_pk"), expect(302, allowed=MANAGERS)),
    "routines:task_move": (
        "post",
        lambda w: draft(w, "task_pk"),
        expect(302, allowed=MANAGERS),
        lambda w: {"direction": "down"},
    ),
    "routines:project_routine": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "routines:checklist": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "routines:milestones": (
        "post",
        lambda w: {"pk": w.project.pk},
        expect(302, allowed=MANAGERS),
    ),
    "routines:task_complete": (
        "get",
        routine_task,
        expect(allowed=MANAGERS | {"facility_staff"}),
    ),
    **RISK_MATRIX,
    **INTAKE_MATRIX,
    **STAKEHOLDERS_MATRIX,
    **REGISTER_MATRIX,
    **PLACES_MATRIX,
    **MEETINGS_MATRIX,
    **MEETX_MATRIX,
    **MEETINGS_ISSUE19_MATRIX,
    **MINUTES_MATRIX,
    **SURVEY_MATRIX,
    **SITUATION_MATRIX,
    **DASHBOARD_MATRIX,
    **HOME_MATRIX,
    **SEARCH_MATRIX,
    **SURVEY_TEMPLATES_MATRIX,
    **FACILITY_MATRIX,
    **REPORTS_MATRIX,
    **PRIVACY_MATRIX,
    **CONTEXT_MATRIX,
    **ADMINISTRATION_MATRIX,
    **API_TOKENS_MATRIX,
    **BOTH_WAYS_MATRIX,
    **PUBLISHED_RISK_MATRIX,
    **LETTER_LINKS_MATRIX,
    **WHAT_WORKS_CATALOGUE_MATRIX,
    **WHAT_WORKS_BAROMETER_MATRIX,
    **WHAT_WORKS_EXPORT_MATRIX,
}


def walk(patterns, namespace="", module_filter=None):
    """Yield (name, pattern, module) for every named URL pattern below `patterns`."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "") or ""
            yield (f"{namespace}{entry.name}" if entry.name else None, entry, module)


def own_url_names():
    names = set()
    for name, _pattern, module in walk(get_resolver().url_patterns):
        if module.startswith(THIRD_PARTY_MODULES) or name is None:
            continue
        if name.startswith("admin:"):
            continue
        names.add(name)
    return names


def test_every_url_is_in_the_matrix():
    missing = own_url_names() - set(MATRIX)
    assert not missing, f"Add these URLs to the permission matrix: {sorted(missing)}"
    stale = set(MATRIX) - own_url_names()
    assert not stale, f"These matrix entries have no URL any more: {sorted(stale)}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_permissions(name, persona, world, persona_clients):
    method, kwargs_for, statuses, *data_for = MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(world))
    data = data_for[0](world) if data_for else None
    response = getattr(persona_clients[persona], method)(url, data)
    assert response.status_code == statuses[persona], (
        f"{persona} {method.upper()} {url}: {response.status_code}"
    )
    if statuses[persona] == 302 and persona == "anonymous" and name.startswith("projects:"):
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["projects:detail", "projects:edit", "projects:updates"])
def test_outsider_cannot_reach_other_municipalitys_project_by_id(name, world, persona_clients):
    """The coordinator of Annenby reaches their own project but not Fjordby's."""
    own = persona_clients["outsider"].get(reverse(name, kwargs={"pk": world.other_project.pk}))
    foreign = persona_clients["outsider"].get(reverse(name, kwargs={"pk": world.project.pk}))
    assert own.status_code == 200
    assert foreign.status_code == 404


def third_party_urls():
    for name, pattern, module in walk(get_resolver().url_patterns):
        if name and module.startswith(THIRD_PARTY_MODULES) and not pattern.pattern.converters:
            yield name


@pytest.mark.parametrize("persona", ["anonymous", "coordinator", "outsider"])
def test_third_party_urls_never_fail(persona, world, persona_clients):
    """allauth and the Django admin: no parameterless URL gives a server error or leaks."""
    client = persona_clients[persona]
    for name in sorted(set(third_party_urls())):
        try:
            url = reverse(name)
        except NoReverseMatch:  # a regex pattern with unnamed groups needs arguments
            continue
        response = client.get(url)
        assert response.status_code < 500, f"{persona} GET {url}: {response.status_code}"
        if name.startswith("admin:") and name != "admin:login":
            # Nobody but a Django superuser gets into the admin.
            assert response.status_code in {302, 404}, f"{persona} GET {url}"


def test_a_superuser_reaches_only_what_their_memberships_give(world):
    """Django's superuser flag opens the admin, not other municipalities' staff pages."""
    from naboskap.conftest import client_for

    user = world.users["coordinator"]
    user.is_superuser = True
    user.save()
    client = client_for(user)
    assert client.get(reverse("projects:detail", args=[world.project.pk])).status_code == 200
    foreign = client.get(reverse("projects:detail", args=[world.other_project.pk]))
    assert foreign.status_code == 404
