"""Load the demo municipality. Running it twice changes nothing the second time."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from naboskap.concerns import services as concerns
from naboskap.concerns.models import Category, Concern
from naboskap.concerns.workflow import Status
from naboskap.demo.addresses import load_addresses
from naboskap.demo.archive import load_archive
from naboskap.demo.clock import at, days_ago, submit_concern
from naboskap.demo.dashboards import load_dashboards
from naboskap.demo.facility import load_facility
from naboskap.demo.inputs import load_inputs
from naboskap.demo.insights import load_insights
from naboskap.demo.integrations import load_integrations
from naboskap.demo.meetings import load_meetings
from naboskap.demo.places import load_places
from naboskap.demo.plans import load_plans
from naboskap.demo.reports import load_reports
from naboskap.demo.risk import load_risk
from naboskap.demo.routines import load_routines
from naboskap.demo.situation import load_situation
from naboskap.demo.stakeholders import load_stakeholders
from naboskap.demo.whatworks import load_what_works
from naboskap.maps import coordinates
from naboskap.projects import services
from naboskap.projects.models import (
    ContactPoint,
    Phase,
    PhaseChange,
    Project,
    Subscription,
    Update,
)
from naboskap.tenancy.models import Membership, Municipality, Role, Unit

DEMO_PASSWORD = "naboskap-demo"
MUNICIPALITY_NUMBER = "9901"

UNITS = [
    ("Eiendom", Unit.Kind.PROPERTY),
    ("Helse og sosial", Unit.Kind.HEALTH_SOCIAL),
    ("Kommunikasjon", Unit.Kind.COMMUNICATION),
    ("Plan og bygg", Unit.Kind.PLANNING),
    ("Solbakken botiltak", Unit.Kind.FACILITY),
]

# username, first name, last name, role, unit, project slug (None: the whole municipality)
USERS = [
    ("admin", "Astrid", "Berg", Role.ADMIN, "Kommunikasjon", None),
    ("koordinator", "Kari", "Nordmann", Role.COORDINATOR, "Helse og sosial", None),
    ("saksbehandler", "Sindre", "Lie", Role.CASE_HANDLER, "Eiendom", None),
    ("botiltak", "Berit", "Hansen", Role.FACILITY_STAFF, "Solbakken botiltak", "solbakken"),
    ("miljovaktmester", "Mats", "Dahl", Role.CARETAKER, "Solbakken botiltak", "solbakken"),
    ("politi", "Per", "Olsen", Role.POLICE, None, None),
    ("politiker", "Pia", "Strand", Role.POLITICIAN, None, None),
    ("arkivar", "Arne", "Vik", Role.ARCHIVIST, None, None),
]


class Command(BaseCommand):
    help = "Load demo data: Fjordvik kommune with a user per role and two projects."

    def handle(self, *args, **options):
        if Municipality.objects.filter(number=MUNICIPALITY_NUMBER).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            with transaction.atomic():
                self.load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self):
        with translation.override("en"):
            self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role, _unit, project in USERS:
            scope = f", project {project}" if project else ""
            self.stdout.write(
                f"  {Role(role).label:<28} username {username:<16} password {DEMO_PASSWORD}"
                f"   ({first} {last}{scope})"
            )
        superuser = "Django admin (superuser)"
        self.stdout.write(f"  {superuser:<28} username {'superadmin':<16} password {DEMO_PASSWORD}")

    def load(self):
        municipality = Municipality.objects.create(
            name="Fjordvik kommune",
            number=MUNICIPALITY_NUMBER,
            slug="fjordvik",
            default_language="nb",
            email="postmottak@fjordvik.example",
            phone="+4799999999",
            address="Rådhusgata 1, 9999 Fjordvik",
            website="https://fjordvik.example",
            accessibility_statement_url="https://uustatus.no/nb/erklaringer/publisert/fjordvik-demo",
        )
        units = {
            name: Unit.objects.create(municipality=municipality, name=name, kind=kind)
            for name, kind in UNITS
        }
        User = get_user_model()
        users = {}
        for username, first, last, _role, _unit, _project in USERS:
            users[username] = User.objects.create_user(
                username=username,
                email=f"{username}@fjordvik.example",
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
            )
        User.objects.create_superuser(
            username="superadmin", email="superadmin@fjordvik.example", password=DEMO_PASSWORD
        )
        lindeveien = self.load_lindeveien(municipality, units, users["koordinator"])
        solbakken = self.load_solbakken(municipality, units, users["botiltak"])
        projects = {"lindeveien": lindeveien, "solbakken": solbakken}
        for username, _first, _last, role, unit, project in USERS:
            Membership.objects.create(
                user=users[username],
                municipality=municipality,
                role=role,
                unit=units.get(unit),
                project=projects.get(project),
            )
        self.load_concerns(municipality, projects, users)
        load_routines(projects, users)
        load_plans(projects, users)
        load_inputs(projects, users)
        load_risk(projects, users)
        load_meetings(projects, users)
        load_addresses(projects, users)
        load_stakeholders(projects, users)
        load_places(projects, users)
        load_insights(projects, users)
        load_dashboards(projects, users)
        load_situation(projects, users)
        load_facility(projects, users)
        load_what_works(projects, users)
        load_reports(projects, users)
        load_archive(projects, users)
        load_integrations(projects, users)  # last: nothing above emits to its webhook

    def load_lindeveien(self, municipality, units, coordinator) -> Project:
        """Modelled on the first seed: a planned welfare-housing build meeting resistance."""
        project = services.project_create(
            municipality=municipality,
            created_by=coordinator,
            kind=Project.Kind.NEW_BUILD,
            name="Lindeveien velferdsboliger",
            slug="lindeveien",
            address="Lindeveien 14, 9999 Fjordvik",
            latitude="69.650000",
            longitude="18.950000",
            description=(
                "Kommunen planlegger åtte kommunale utleieboliger i Lindeveien. Boligene skal gi "
                "trygge og varige hjem til personer som i dag mangler et godt sted å bo.\n\n"
                "Vi vil informere tidlig og snakke med naboene før vi bestemmer detaljene. "
                "Velforeningen, FAU ved Lindeveien skole og borettslaget er invitert til "
                "dialogmøte, der vi sammen går gjennom hva som kan skape utrygghet og hva vi "
                "gjør for å forebygge det (ROS-analyse)."
            ),
            target_group=(
                "Voksne som trenger en stabil bolig og får oppfølging fra kommunen i hverdagen. "
                "Personalet fra Helse og sosial er tilgjengelig på dagtid, med vakttelefon "
                "resten av døgnet."
            ),
            dwellings_with_tenancy=8,
            responsible_unit=units["Eiendom"],
            dialogue_owner=coordinator,
            visibility=Project.Visibility.PUBLIC,
            participating_units=[
                units["Helse og sosial"],
                units["Kommunikasjon"],
                units["Plan og bygg"],
            ],
        )
        services.project_change_phase(
            project=project,
            to_phase=Phase.PLANNING,
            changed_by=coordinator,
            note="Vedtatt i kommunestyret.",
        )
        # Give the history the dates it would have had: the idea a year ago, planning since spring.
        history = project.phase_changes.order_by("pk")
        for change, age in zip(history, [365, 120], strict=True):
            PhaseChange.objects.filter(pk=change.pk).update(
                changed_at=timezone.now() - timedelta(days=age)
            )
        services.project_plan_phases(
            project=project,
            planned={
                Phase.REGULATION: date.today() + timedelta(days=90),
                Phase.CONSTRUCTION: date.today() + timedelta(days=300),
                Phase.MOVE_IN: date.today() + timedelta(days=600),
            },
        )
        services.contact_point_save(
            project=project,
            contact_point=ContactPoint(
                function="Dialogansvarlig for prosjektet",
                phone="+4799999901",
                email="lindeveien@fjordvik.example",
                opening_hours="Hverdager 08–15.30",
                position=1,
            ),
        )
        self.add_updates(
            project,
            coordinator,
            [
                (
                    60,
                    "Kommunen planlegger boliger i Lindeveien",
                    "Vi vil fortelle naboene om planene tidlig, før detaljene er bestemt. "
                    "Her finner du hva som er planlagt, tidslinjen og hvem du kan kontakte.",
                ),
                (
                    30,
                    "Invitasjon til dialogmøte",
                    "Velforeningen, FAU og borettslaget er invitert til dialogmøte på "
                    "Lindeveien skole. Vi går gjennom prosjektet og lager en ROS-analyse sammen.",
                ),
                (
                    7,
                    "Oppsummering fra dialogmøtet",
                    "Takk til alle som kom. Naboene var særlig opptatt av skoleveien og "
                    "trafikk. Innspillene går inn i tiltaks- og samhandlingsplanen.",
                ),
            ],
        )
        Subscription.objects.create(
            project=project, email="nabo@example.org", confirmed_at=timezone.now()
        )
        return project

    def load_solbakken(self, municipality, units, staff) -> Project:
        """Modelled on the second seed: an operating facility with a neighbourhood council."""
        project = services.project_create(
            municipality=municipality,
            created_by=staff,
            kind=Project.Kind.EXISTING,
            name="Solbakken botiltak",
            slug="solbakken",
            address="Solbakken 3, 9999 Fjordvik",
            latitude="69.656000",
            longitude="18.931000",
            description=(
                "Solbakken er et botiltak med 23 boliger med husleiekontrakt, fire midlertidige "
                "boliger og tre akuttplasser. Målet er et trygt bomiljø for alle – for dem som "
                "bor her, og for naboene.\n\nNaborådet møtes jevnlig. Det består av naboer, "
                "beboere og ansatte, og lederen er en av naboene. Botiltaket er sekretariat."
            ),
            target_group=(
                "Voksne som får hjelp til å mestre egen bolig og hverdag, med ansatte til stede "
                "hele døgnet."
            ),
            dwellings_with_tenancy=23,
            dwellings_temporary=4,
            dwellings_emergency=3,
            responsible_unit=units["Helse og sosial"],
            dialogue_owner=staff,
            visibility=Project.Visibility.PUBLIC,
            participating_units=[units["Solbakken botiltak"], units["Eiendom"]],
            phase=Phase.OPERATION,
        )
        PhaseChange.objects.filter(project=project).update(
            changed_at=timezone.now() - timedelta(days=6 * 365), note="Botiltaket åpnet."
        )
        services.contact_point_save(
            project=project,
            contact_point=ContactPoint(
                function="Botiltaket (døgnbemannet)",
                phone="+4799999902",
                on_duty_phone="+4799999903",
                email="solbakken@fjordvik.example",
                opening_hours="Hele døgnet",
                position=1,
            ),
        )
        services.contact_point_save(
            project=project,
            contact_point=ContactPoint(
                function="Leder av naborådet",
                email="naboraadet.solbakken@example.org",
                position=2,
            ),
        )
        self.add_updates(
            project,
            staff,
            [
                (
                    200,
                    "Sommerfest på Solbakken",
                    "Naborådet inviterer naboer og beboere til sommerfest i hagen. "
                    "Det blir grilling og kaffe.",
                ),
                (
                    40,
                    "Referat fra naborådet",
                    "Naborådet snakket om støy om kvelden og om parkering. Beboerne hadde "
                    "drøftet sakene i sitt eget møte først.",
                ),
                (
                    5,
                    "Invitasjon til julefest",
                    "Velkommen til julefest i fellesstua. Alle naboer er hjertelig velkomne.",
                ),
            ],
        )
        return project

    def add_updates(self, project, author, items):
        for age, title, body in items:
            update = Update(
                title=title,
                body=body,
                published_at=timezone.now() - timedelta(days=age),
                notified_at=timezone.now(),
            )
            services.update_save(project=project, update=update, author=author)
        draft = Update(title="Utkast: neste nyhet", body="Teksten er ikke ferdig ennå.")
        services.update_save(project=project, update=draft, author=author)

    def load_concerns(self, municipality, projects, users):
        """Concerns from neighbours, received on different days through the public form's
        operation and handled at the times they were handled (see naboskap/demo/clock.py):
        one not yet acknowledged and overdue, one overdue for its answer, one due this week,
        answers within and past their deadlines."""
        concerns.categories_ensure_defaults(municipality=municipality)
        categories = {c.code: c for c in Category.objects.filter(municipality=municipality)}
        handlers = {"solbakken": users["botiltak"], "lindeveien": users["koordinator"]}
        acknowledged = (Status.ACKNOWLEDGED, 3)
        # key, project, category, received (days ago, hour), what happened, where, reporter,
        # steps: (status, hours after it was received)
        items = [
            (
                "demo-1",
                "solbakken",
                "noise",
                (2, 8),
                "Høy musikk og roping fra hagen ved Solbakken etter klokka 23, tre kvelder "
                "denne uka. Det er vanskelig å sove med vinduet åpent.",
                "Hagen mot Solbakkveien",
                {"reporter_email": "nabo.solbakken@example.org"},
                [acknowledged],
            ),
            (
                "demo-2",
                "solbakken",
                "traffic",
                (6, 16),
                "Biler parkerer langs fortauet i svingen, så barna må gå i veibanen på vei "
                "til skolen.",
                "Svingen ved Solbakken 1",
                {},
                [],  # never acknowledged: overdue in the inbox
            ),
            (
                "demo-3",
                "solbakken",
                "litter",
                (3, 7),
                "Fant to brukte sprøyter i sandkassa på lekeplassen i morges. Vi lot dem "
                "ligge og holdt barna unna.",
                "Lekeplassen bak Solbakken",
                {
                    # A phone call, registered by the coordinator (issue 16: every channel).
                    "reporter_name": "Line",
                    "reporter_phone": "+4799999911",
                    "intake_channel": Concern.IntakeChannel.PHONE,
                    "registered_by": users["koordinator"],
                },
                [(Status.ACKNOWLEDGED, 1), (Status.IN_PROGRESS, 2)],  # answer due this week
            ),
            (
                "demo-4",
                "lindeveien",
                "traffic",
                (20, 9),
                "Anleggstrafikk kommer til å gå forbi skoleveien. Hvordan blir det sikret?",
                "Lindeveien ved skolen",
                {"reporter_email": "fau.lindeveien@example.org"},
                [acknowledged, (Status.ANSWERED, 72), (Status.CLOSED, 120)],  # in time
            ),
            (
                "demo-5",
                "solbakken",
                "noise",
                (30, 11),
                "Det smeller i ytterdøra om natta, flere ganger i timen.",
                "Inngangen mot parkeringsplassen",
                {},
                [acknowledged, (Status.ANSWERED, 20 * 24)],  # answered after the deadline
            ),
            (
                "demo-6",
                "lindeveien",
                "other",
                (27, 13),
                "Vi i Lindeveien 12–20 har ikke fått noe brev om planene. Når blir det et møte "
                "for oss som bor nærmest?",
                "Lindeveien 12–20",
                {"reporter_email": "lindeveien14@example.org"},
                [acknowledged, (Status.IN_PROGRESS, 24)],  # the answer is overdue
            ),
        ]
        answers = {
            "demo-4": (
                "Takk for at du sa fra. Anleggstrafikken skal gå via Industrivegen, ikke forbi "
                "skolen, og det kommer vakt ved krysset i skolestart og skoleslutt."
            ),
            "demo-5": (
                "Takk for beskjeden. Døra har fått en ny dørpumpe som lukker den stille, og "
                "botiltaket har snakket om det på husmøtet."
            ),
        }
        # Where the neighbours marked it on the map: (bearing, metres) from the project's site.
        # (demo-5, at the entrance, was told in words only.)
        marked = {
            "demo-1": (200, 60),
            "demo-2": (95, 90),
            "demo-3": (330, 110),
            "demo-4": (20, 160),
            "demo-6": (160, 45),
        }
        for key, slug, code, (days, hour), description, location, reporter, steps in items:
            received = days_ago(days, hour=hour)
            project = projects[slug]
            if key in marked:
                latitude, longitude = coordinates.offset(
                    float(project.latitude), float(project.longitude), *marked[key]
                )
                reporter = {**reporter, "latitude": latitude, "longitude": longitude}
            concern, created = submit_concern(
                received=received,
                steps=steps,
                by=handlers[slug],
                answer=answers.get(key, ""),
                project=projects[slug],
                category=categories[code],
                idempotency_key=key,
                description=description,
                location=location,
                occurred_at=received - timedelta(hours=10),
                preferred_channel=(
                    Concern.Channel.EMAIL
                    if reporter.get("reporter_email")
                    else Concern.Channel.PHONE
                    if reporter.get("reporter_phone")
                    else Concern.Channel.NONE
                ),
                **reporter,
            )
            if created and key == "demo-4":
                with at(received + timedelta(days=6)):
                    concerns.satisfaction_give(
                        concern=concern, score=4, comment="Fint å få svar så raskt."
                    )
