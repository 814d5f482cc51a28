"""Writes to place and process analyses and letter templates, and the letter run.

Versions: the newest `PlaceAnalysis` of a project is the one worked on. While it is a draft,
changes go into it; once a coordinator has approved (published) it, the next change first
copies it, with its places, events and themes, into a new draft version, so that an approved
version never changes.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from naboskap.documents.services import documents_changed, run_start
from naboskap.lib import events
from naboskap.lib.errors import DomainError
from naboskap.maps import coordinates, geo
from naboskap.projects.models import Project
from naboskap.stakeholders import selectors, sources
from naboskap.stakeholders.documents import LETTER_RUN, PLACE, letter_run_parts
from naboskap.stakeholders.models import (
    Channel,
    Interaction,
    LetterTemplate,
    NeighbourList,
    ObjectionTheme,
    PlaceAnalysis,
    ProcessEvent,
    SensitiveSite,
)
from naboskap.stakeholders.register.services import interaction_log

TEXT_FIELDS = ("site_description", "conclusions", "recommendations")
ITEM_MODELS = {"site": SensitiveSite, "event": ProcessEvent, "theme": ObjectionTheme}


class PlaceError(DomainError):
    """A place analysis change the service refuses; the message says why."""


# Reading ----------------------------------------------------------------------------------


def current_analysis(project: Project) -> PlaceAnalysis | None:
    return project.place_analyses.order_by("-version").first()


def site_of(project: Project) -> tuple[float, float] | None:
    if project.latitude is None or project.longitude is None:
        return None
    return float(project.latitude), float(project.longitude)


@dataclass
class SiteDistance:
    site: SensitiveSite
    distance_m: float | None


def sites_with_distances(analysis: PlaceAnalysis, project: Project) -> list[SiteDistance]:
    """The analysis's sensitive places, nearest first, each with its geodesic distance from
    the project's site (None for all when the project has no site)."""
    sites = list(analysis.sensitive_sites.all())
    centre = site_of(project)
    if centre is None:
        return [SiteDistance(site, None) for site in sites]
    distances = coordinates.distances_m(
        centre[0], centre[1], [s.latitude for s in sites], [s.longitude for s in sites]
    )
    rows = [SiteDistance(site, d) for site, d in zip(sites, distances, strict=True)]
    return sorted(rows, key=lambda row: (row.distance_m, row.site.name))


# Versions ---------------------------------------------------------------------------------


def _copy(analysis: PlaceAnalysis, *, by) -> tuple[PlaceAnalysis, dict]:
    """A new draft version with the content of `analysis`; returns it and, per item kind,
    old pk -> new pk."""
    draft = PlaceAnalysis.objects.create(
        project=analysis.project,
        version=analysis.version + 1,
        created_by=by,
        **{name: getattr(analysis, name) for name in TEXT_FIELDS},
    )
    mapping: dict[str, dict[int, int]] = {}
    for kind, model in ITEM_MODELS.items():
        related = {SensitiveSite: "sensitive_sites", ProcessEvent: "events"}.get(model, "themes")
        mapping[kind] = {}
        for item in getattr(analysis, related).all():
            old = item.pk
            item.pk = None
            item.analysis = draft
            item.save()
            mapping[kind][old] = item.pk
    return draft, mapping


def _draft(project: Project, *, by) -> tuple[PlaceAnalysis, dict | None]:
    """The draft to change (locked): the newest version, or a copy of it if it is approved."""
    Project.objects.select_for_update().get(pk=project.pk)
    latest = project.place_analyses.select_for_update().order_by("-version").first()
    draft, mapping = latest, None
    if latest is None:
        draft = PlaceAnalysis.objects.create(project=project, version=1, created_by=by)
    elif latest.is_published:
        draft, mapping = _copy(latest, by=by)
    # Every change goes into the draft: its PDF is rendered again after commit.
    documents_changed(kind=PLACE, obj=draft)
    return draft, mapping


@transaction.atomic
def place_analysis_edit(*, project: Project, by, **fields) -> PlaceAnalysis:
    draft, _mapping = _draft(project, by=by)
    for name in TEXT_FIELDS:
        if name in fields:
            setattr(draft, name, fields[name].strip())
    draft.full_clean()
    draft.save()
    return draft


def _site_position(
    project: Project, *, latitude=None, longitude=None, address: str = "", **fields
) -> dict:
    """A sensitive place's position: where it was marked on the map, else the address found
    in the municipality's register."""
    if latitude is None and longitude is None and address:
        found = sources.address_source().search(municipality=project.municipality, text=address)
        wanted = address.casefold().replace(" ", "")
        exact = [a for a in found if str(a).casefold().replace(" ", "") == wanted]
        if len(exact) != 1 and len(found) != 1:
            raise PlaceError(
                {
                    "address": _(
                        "No single address in the register matches “%(address)s”. Give the "
                        "street and number, or mark the place on the map."
                    )
                    % {"address": address}
                }
            )
        match = (exact or found)[0]
        latitude, longitude = match.latitude, match.longitude
    try:
        geo.position_checked(latitude, longitude)
    except geo.PositionError as error:
        raise PlaceError(error.messages) from None
    return {**fields, "latitude": latitude, "longitude": longitude}


@transaction.atomic
def place_item_add(*, project: Project, by, item: str, **fields):
    """Add a sensitive place ("site"), a process event ("event") or an objection theme
    ("theme") to the draft."""
    draft, _mapping = _draft(project, by=by)
    kind = item
    if kind == "site":
        fields = _site_position(project, **fields)
    item = ITEM_MODELS[kind](analysis=draft, **fields)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def place_item_delete(*, project: Project, by, item: str, item_pk: int) -> None:
    """Remove an item of the newest version (from a new draft if that version is approved)."""
    kind = item
    model = ITEM_MODELS[kind]
    latest = current_analysis(project)
    if latest is None or not model.objects.filter(analysis=latest, pk=item_pk).exists():
        raise model.DoesNotExist
    draft, mapping = _draft(project, by=by)
    if mapping is not None:
        item_pk = mapping[kind][item_pk]
    model.objects.filter(analysis=draft, pk=item_pk).delete()


@transaction.atomic
def place_analysis_publish(*, project: Project, by) -> PlaceAnalysis:
    Project.objects.select_for_update().get(pk=project.pk)
    latest = project.place_analyses.select_for_update().order_by("-version").first()
    if latest is None:
        raise ValidationError(_("There is no analysis to approve yet."))
    if latest.is_published:
        raise ValidationError(
            _("Version %(version)s is already approved.") % {"version": latest.version}
        )
    if not latest.site_description and not latest.sensitive_sites.exists():
        raise ValidationError(
            _("Describe the site or add a sensitive place before you approve the analysis.")
        )
    latest.published_at = timezone.now()
    latest.published_by = by
    latest.save(update_fields=["published_at", "published_by"])
    documents_changed(kind=PLACE, obj=latest)  # it now says who approved it
    return latest


def next_version_number(project: Project) -> int:
    return (project.place_analyses.aggregate(v=Max("version"))["v"] or 0) + 1


# Letter templates ---------------------------------------------------------------------------

# The placeholders a letter template may use, and what each stands for.
PLACEHOLDERS = {
    "title": gettext_lazy("the meeting's title"),
    "time": gettext_lazy("when the meeting is (day, date and time)"),
    "place": gettext_lazy("where the meeting is"),
    "description": gettext_lazy("the meeting's description"),
    "contact": gettext_lazy("who to contact (the project's contact point)"),
    "address": gettext_lazy("the address the letter goes to"),
    "project": gettext_lazy("the project's name"),
}


def check_placeholders(text: str) -> None:
    """A clear error for `{unknown}` placeholders and for braces that do not form one."""
    try:
        fields = [
            (name, spec, conversion)
            for _literal, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        raise ValidationError(
            _("A curly bracket is not closed. Write placeholders as {title}, {time} and so on.")
        ) from None
    # Only plain names: no format specifications or conversions ({title:>9999}, {title!r}).
    names = [name if not (spec or conversion) else f"{name}…" for name, spec, conversion in fields]
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. You can use: %(known)s.")
            % {
                "names": ", ".join("{" + n + "}" for n in unknown),
                "known": ", ".join("{" + n + "}" for n in PLACEHOLDERS),
            }
        )


def _check_template(template: LetterTemplate) -> None:
    errors = {}
    for field in ("heading", "body"):
        try:
            check_placeholders(getattr(template, field))
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    template.full_clean()


@transaction.atomic
def letter_template_create(*, municipality, project=None, **fields) -> LetterTemplate:
    template = LetterTemplate(municipality=municipality, project=project, **fields)
    _check_template(template)
    template.save()
    return template


@transaction.atomic
def letter_template_edit(*, template: LetterTemplate, **fields) -> LetterTemplate:
    template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
    for name, value in fields.items():
        setattr(template, name, value)
    _check_template(template)
    template.save()
    return template


def letter_templates_for(project: Project):
    """The project's own templates and the municipality's shared ones."""
    return LetterTemplate.objects.filter(
        Q(project=project) | Q(project__isnull=True, municipality_id=project.municipality_id)
    ).order_by("project", "name", "pk")


_SPACES = re.compile(r"[ \t]+")


def meeting_values(meeting, project: Project) -> dict[str, str]:
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    contact = project.contact_points.order_by("position", "pk").first()
    parts = []
    if contact is not None:
        phone = contact.phone.as_national if contact.phone else ""
        parts = [v for v in (contact.function, phone, contact.email) if v]
    contact_text = ", ".join(parts) or project.municipality.name
    place = meeting.place or meeting.online_url
    return {
        "title": meeting.title,
        "time": f"{formats.date_format(starts, 'l j. F Y, H:i')}–{ends:%H:%M}",
        "place": place,
        "description": meeting.description,
        "contact": contact_text,
        "project": project.name,
    }


def fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)


@dataclass
class Letter:
    address: str
    heading: str
    paragraphs: list[str]
    # False when the template's own text already gives the meeting's time and place, so the
    # letter does not print the meeting twice.
    show_facts: bool = True

    @property
    def address_lines(self) -> str:
        """The address as a window envelope shows it: street, then postcode and town."""
        return self.address.replace(", ", "\n")


MEETING_FIELDS = ("{time}", "{place}")


def normalise_address(text: str) -> str:
    """A street address for comparison: lower case, letters and digits only, so "Strandgata
    5 A" and "strandgata 5a" are the same."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def is_project_site(address, project: Project) -> bool:
    """Whether a neighbour address is the project's own site (its address's street part, and
    its postcode when the project's address has one)."""
    street, _sep, rest = project.address.partition(",")
    if normalise_address(street) != normalise_address(str(address)):
        return False
    postcode = re.search(r"\b\d{4}\b", rest)
    return postcode is None or postcode.group() == address.postcode


def letters_for(*, neighbour_list: NeighbourList, template: LetterTemplate, meeting) -> list:
    """One letter per address on the list, never one to the project's own site."""
    project = neighbour_list.project
    values = meeting_values(meeting, project)
    show_facts = not any(
        field in template.body or field in template.heading for field in MEETING_FIELDS
    )
    letters = []
    for entry in selectors.neighbour_entries(neighbour_list):
        if is_project_site(entry.address, project):
            continue
        own = {**values, "address": entry.address.full}
        body = fill(template.body, own)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
        letters.append(
            Letter(entry.address.full, fill(template.heading, own), paragraphs, show_facts)
        )
    return letters


@transaction.atomic
def letters_send(
    *, neighbour_list: NeighbourList, template: LetterTemplate, meeting, by, language: str
) -> tuple[str, Interaction]:
    """The letters for printing, logged as one outgoing letter interaction, and handed to
    the worker as a run for `by` (naboskap.documents). Returns the run's token and the
    interaction."""
    letters = letters_for(neighbour_list=neighbour_list, template=template, meeting=meeting)
    if not letters:
        raise ValidationError(_("The neighbour list has no addresses: there is nothing to print."))
    interaction: Interaction = interaction_log(
        project=neighbour_list.project,
        user=by,
        channel=Channel.LETTER,
        direction=Interaction.Direction.OUT,
        summary=ngettext(
            '%(count)s invitation letter to the neighbour list for "%(meeting)s".',
            '%(count)s invitation letters to the neighbour list for "%(meeting)s".',
            len(letters),
        )
        % {"count": len(letters), "meeting": meeting.title},
    )
    parts = letter_run_parts(letters, meeting=meeting, letter_date=timezone.localdate())
    token, _parts = run_start(
        kind=LETTER_RUN, obj=neighbour_list.project, requested_by=by, language=language, parts=parts
    )
    # For the municipality's archive (ADR 0033): the letters as printed, one record of the run.
    events.emit(
        events.LETTERS_SENT,
        interaction,
        municipality_id=neighbour_list.project.municipality_id,
        project=neighbour_list.project.pk,
        language=language,
        parts=parts,
    )
    return token, interaction
