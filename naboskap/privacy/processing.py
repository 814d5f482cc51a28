"""What the record of processing activities (GDPR Art. 30) and the DPIA support document say,
built from the municipality's configuration at the moment they are read.

What the code decides is declared here once (the purposes, the kinds of data, whose data);
what configuration decides is read from the database and the settings when the document is
made: the concern categories, every field of the retention policy, the roles' access (asked
of the `rules` permissions, for sample objects that are never saved), the processors and
the security settings. No number that configuration decides is written in this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import rules
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.models import Category, Concern, Policy
from naboskap.lib.anonymity import MIN_GROUP_SIZE
from naboskap.plans import services
from naboskap.projects.models import Project
from naboskap.stakeholders.models import Person
from naboskap.tenancy.models import Membership, Municipality, Role

# Data subjects
RESIDENTS = _("Residents of the facility (often vulnerable people)")
NEIGHBOURS = _("Neighbours and others who contact the municipality")
MEMBERS = _("Members of the neighbourhood council")
STAKEHOLDERS = _("Persons in the stakeholder register (neighbours, representatives)")
STAFF = _("Municipal staff and the police liaison")


@dataclass(frozen=True)
class Activity:
    """One processing activity: a capability of Naboskap."""

    key: str
    name: str
    purpose: str
    subjects: tuple
    data: str
    recipients: str


ACTIVITIES = (
    Activity(
        "concerns",
        _("Concerns from neighbours"),
        _(
            "Receive, route, follow up and answer concerns about the facility and its "
            "surroundings, and learn from them."
        ),
        (NEIGHBOURS, RESIDENTS),
        _(
            "What happened, where and when, photos; the reporter's name, email and phone if "
            "given (reports can be anonymous); the handling history. Concerns often describe "
            "residents and may reveal health or social circumstances."
        ),
        _("The staff who handle concerns (see the access table); the reporter gets answers."),
    ),
    Activity(
        "inputs",
        _("Suggestions and other inputs"),
        _("Collect and answer neighbours' suggestions and inputs to the action plan."),
        (NEIGHBOURS,),
        _("The text of the input, the sender's email if given, the decision and its reason."),
        _("The staff who handle inputs; a curated text is published when decided."),
    ),
    Activity(
        "subscriptions",
        _("News subscriptions"),
        _("Send a project's news by email to those who asked for it (double opt-in)."),
        (NEIGHBOURS,),
        _("Email address, language, when subscribed and confirmed."),
        _("No staff page shows the addresses, only their number; the email service."),
    ),
    Activity(
        "meetings",
        _("Meetings and the neighbourhood council"),
        _("Run the neighbourhood council: members, invitations, agendas, minutes, attendance."),
        (MEMBERS, STAFF),
        _("Name, position, email, phone, term of office, attendance, invitations."),
        _("Everyone with a role in the project; members get invitations and minutes."),
    ),
    Activity(
        "stakeholders",
        _("Stakeholder register and neighbour lists"),
        _(
            "Know whom to involve and inform: persons and organisations, the interaction log, "
            "stakeholder analyses, addresses near a facility for invitation letters."
        ),
        (STAKEHOLDERS, NEIGHBOURS),
        _(
            "Name, kind, email, phone, postal address, role, notes, lawful basis and consent "
            "date; interactions; addresses from the address register."
        ),
        _("The project team (see the access table)."),
    ),
    Activity(
        "survey",
        _("Neighbour safety survey"),
        _("Measure how safe neighbours feel over time."),
        (NEIGHBOURS,),
        _("Answers to statements and open answers; no names. One-time codes if used."),
        _("Results for everyone with a role in the project, above a minimum group size."),
    ),
    Activity(
        "facility",
        _("Incident log and caretaker observations"),
        _("Keep the facility's log of incidents and the caretaker's rounds and observations."),
        (RESIDENTS, NEIGHBOURS, STAFF),
        _(
            "Descriptions of incidents and observations, photos, follow-ups; they may describe "
            "residents and their behaviour."
        ),
        _("The facility's staff, the project's managers and the caretaker."),
    ),
    Activity(
        "situation",
        _("Situation picture with the police"),
        _("Share a weekly picture of the situation and a joint assessment with the police."),
        (STAFF,),
        _("Counts by week and category only; the assessment text and who signed it."),
        _("The municipality's project managers and the police liaison."),
    ),
)


# Who sees what ------------------------------------------------------------------------------
#
# Each row names a permission and the kind of object it is asked about. The table is made by
# asking the rules, so it says what the code does today; a test compares it with the rules
# for real objects and the personas.

MUNICIPALITY, PROJECT, CONCERN = "municipality", "project", "concern"


@dataclass(frozen=True)
class Access:
    data: str
    perm: str
    on: str


ACCESS = (
    Access(_("Concerns: what was reported"), "concerns.view_concern", CONCERN),
    Access(_("Concerns: the reporter's contact details"), "concerns.view_contact", CONCERN),
    Access(_("Concerns: who opened them (access log)"), "concerns.view_access_log", CONCERN),
    Access(_("Inputs: the text and the sender's email"), "plans.view_raw_input", PROJECT),
    Access(_("Meetings and council members"), "meetings.view_meetings", PROJECT),
    Access(_("Stakeholder register: persons"), "stakeholders.view_persons", MUNICIPALITY),
    Access(_("Interactions and stakeholder analyses"), "stakeholders.view_interactions", PROJECT),
    Access(_("Neighbour lists"), "stakeholders.view_neighbour_list", PROJECT),
    Access(_("Address register"), "stakeholders.manage_addresses", MUNICIPALITY),
    Access(_("Survey results"), "insights.view_survey", PROJECT),
    Access(_("Caretaker rounds and observations"), "facility.walk_rounds", PROJECT),
    Access(_("Incident log"), "facility.view_incidents", PROJECT),
    Access(_("Situation picture with the police"), "situation.view_picture", PROJECT),
    Access(_("Deletion and erasure logs"), "privacy.view_logs", MUNICIPALITY),
)

YES, OWN_UNIT, NO = "yes", "own_unit", "no"
# Ids that no saved row has: the sample objects are never saved and the rules compare ids.
_SAMPLE_ID, _UNIT, _OTHER_UNIT, _USER = -1, -10, -11, -20


def _sample_objects(municipality) -> dict:
    project = Project(pk=_SAMPLE_ID, municipality=municipality, responsible_unit_id=_UNIT, name="–")
    concern = Concern(
        pk=_SAMPLE_ID, municipality=municipality, project=project, assigned_unit_id=_UNIT
    )
    return {MUNICIPALITY: municipality, PROJECT: project, CONCERN: concern}


def _sample_user(municipality, role: str, unit_id: int):
    """A user, never saved, with one municipality-wide role in `unit_id`."""
    user = get_user_model()(pk=_USER, username="privacy-sample")
    user._naboskap_memberships = [
        Membership(municipality=municipality, role=role, unit_id=unit_id, project=None)
    ]
    return user


def access_table(municipality) -> list[dict]:
    """Rows of (data, cells per role): YES for a municipality-wide role, OWN_UNIT when only
    a member of the unit the object is routed to (or responsible for it), else NO."""
    objects = _sample_objects(municipality)
    users = {
        role: (
            _sample_user(municipality, role, _UNIT),
            _sample_user(municipality, role, _OTHER_UNIT),
        )
        for role in Role.values
    }
    rows = []
    for access in ACCESS:
        obj = objects[access.on]
        cells = []
        for role in Role.values:
            in_unit, elsewhere = users[role]
            if rules.has_perm(access.perm, elsewhere, obj):
                cells.append(YES)
            elif rules.has_perm(access.perm, in_unit, obj):
                cells.append(OWN_UNIT)
            else:
                cells.append(NO)
        rows.append({"access": access, "cells": cells})
    return rows


# Configuration ------------------------------------------------------------------------------


def retention_settings(municipality) -> list[dict]:
    """Every field of the municipality's concern retention policy, as in force (the defaults
    when the municipality saved none)."""
    policy = Policy.objects.filter(municipality=municipality).first()
    saved = policy is not None
    policy = policy or Policy(municipality=municipality)
    rows = []
    for field in Policy._meta.concrete_fields:
        if field.primary_key or field.is_relation:
            continue
        rows.append(
            {"label": field.verbose_name, "value": getattr(policy, field.attname), "saved": saved}
        )
    return rows


def input_retention_days() -> int | None:
    """The days after its answer that an input's sender email is kept, if that rule exists."""
    return getattr(services, "INPUT_EMAIL_RETENTION_DAYS", None)


def _host(url: str) -> str:
    """Only the host of a URL: never a user name or a password."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def processors() -> list[dict]:
    """Services that receive personal data, as configured in the settings."""
    rows = []
    backend = settings.EMAIL_BACKEND
    if "smtp" in backend.lower():
        security = "TLS" if settings.EMAIL_USE_TLS else "SSL" if settings.EMAIL_USE_SSL else ""
        detail = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT} {security}".strip()
        rows.append({"name": _("Email (SMTP server)"), "detail": detail})
    else:
        rows.append({"name": _("Email (no server: kept on this machine)"), "detail": backend})
    sms = getattr(settings, "SMS_BACKEND", "")
    rows.append({"name": _("Text messages (SMS)"), "detail": sms or _("None configured")})
    oidc = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    rows.append(
        {
            "name": _("Single sign-on (OpenID Connect)"),
            "detail": ", ".join(
                f"{app['name']} ({_host(app.get('settings', {}).get('server_url', ''))})"
                for app in oidc
            )
            or _("None configured"),
        }
    )
    database = settings.DATABASES["default"]
    rows.append(
        {
            "name": _("Database"),
            "detail": f"{connection.vendor} ({database.get('HOST') or _('on this machine')})",
        }
    )
    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        location = cache["LOCATION"]
        hosts = location if isinstance(location, list | tuple) else [location]
        detail = "Redis (" + ", ".join(_host(h) for h in hosts) + ")"
    else:
        detail = _("The database")
    rows.append({"name": _("Cache and rate-limit counters"), "detail": detail})
    rows.append({"name": _("Background tasks"), "detail": settings.TASKS["default"]["BACKEND"]})
    rows.append({"name": _("Address source"), "detail": settings.ADDRESS_SOURCE})
    archive = sorted(name for name in dir(settings) if "ARCHIVE" in name and name.isupper())
    rows.append(
        {
            "name": _("Archive"),
            "detail": ", ".join(f"{n}={getattr(settings, n)}" for n in archive)
            or _("None configured"),
        }
    )
    return rows


def _hours(seconds) -> str:
    if seconds is None:
        return "–"
    return f"{seconds / 3600:g}"


def security_measures() -> list[dict]:
    rows = [
        {
            "name": _("Two-step login (TOTP) required for staff"),
            "value": _("Yes") if settings.NABOSKAP_MFA_REQUIRED else _("No"),
        },
        {
            "name": _("Staff sessions end after this many hours without activity"),
            "value": _hours(getattr(settings, "NABOSKAP_SESSION_IDLE_SECONDS", None)),
        },
        {
            "name": _("Staff sessions end this many hours after signing in"),
            "value": _hours(
                getattr(settings, "NABOSKAP_SESSION_MAX_SECONDS", settings.SESSION_COOKIE_AGE)
            ),
        },
        {
            "name": _("Throttling of failed logins"),
            "value": getattr(settings, "ACCOUNT_RATE_LIMITS", {}).get("login_failed", "")
            or _("allauth's default"),
        },
        {
            "name": _("Rate limits on public pages and forms"),
            "value": (
                f"{settings.PUBLIC_READ_RATE} / {settings.PUBLIC_WRITE_RATE}"
                if settings.RATELIMIT_ENABLE
                else _("Off")
            ),
        },
        {
            "name": _("HTTPS only (HSTS)"),
            "value": _("Yes") if getattr(settings, "SECURE_HSTS_SECONDS", 0) else _("No"),
        },
        {
            "name": _("Kinds of records whose changes are logged (who, what, when)"),
            "value": str(len(auditlog.get_models())),
        },
        {
            "name": _("Openings of a concern or an input are logged"),
            "value": _("Yes"),
        },
        {
            "name": _("Photos kept outside the web server's public files"),
            "value": _("Yes"),
        },
    ]
    return rows


def concern_categories(municipality):
    return Category.objects.filter(municipality=municipality).order_by("position", "name")


def _count(queryset, field: str = "pk") -> Coalesce:
    """How many distinct `field`s of `queryset` belong to the municipality of the outer row."""
    per_municipality = (
        queryset.filter(municipality=OuterRef("pk"))
        .order_by()
        .values("municipality")
        .annotate(n=Count(field, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(per_municipality), 0)


def scale(municipality) -> dict:
    """The numbers that describe the scale of the processing, in one query: projects,
    concerns, persons in the register, and the people who hold each role."""
    roles = {
        f"role_{role}": _count(Membership.objects.filter(role=role), "user") for role in Role.values
    }
    row = (
        Municipality.objects.filter(pk=municipality.pk)
        .values(
            project_count=_count(Project.objects.all()),
            concern_count=_count(Concern.objects.all()),
            person_count=_count(Person.objects.all()),
            **roles,
        )
        .get()
    )
    row["roles"] = {role: row.pop(f"role_{role}") for role in Role.values}
    return row


def record_context(municipality) -> dict:
    """Everything the record of processing activities shows."""
    return {
        "municipality": municipality,
        "made_at": timezone.now(),
        "activities": ACTIVITIES,
        "categories": concern_categories(municipality),
        "retention": retention_settings(municipality),
        "input_retention_days": input_retention_days(),
        "survey_min_group": MIN_GROUP_SIZE,
        "roles": [label for _value, label in Role.choices],
        "access_rows": access_table(municipality),
        "processors": processors(),
        "security": security_measures(),
        "mfa_required": settings.NABOSKAP_MFA_REQUIRED,
    }


def dpia_context(municipality) -> dict:
    """The record's facts, and the numbers that describe the scale of the processing."""
    context = record_context(municipality)
    counts = scale(municipality)
    context.update(
        {
            "project_count": counts["project_count"],
            "concern_count": counts["concern_count"],
            "person_count": counts["person_count"],
            "staff_counts": [
                {"role": label, "count": counts["roles"][value]} for value, label in Role.choices
            ],
        }
    )
    return context
