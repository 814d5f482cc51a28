"""The risk pages' breadcrumb trails (see naboskap.lib.breadcrumbs)."""

from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import Trail, link, project_trail, section_trail, to


def analysis_label(analysis) -> str:
    revision = _("revision %(revision)s") % {"revision": analysis.revision}
    return f"{analysis.title} ({revision})"


def risk_trail(project, *more, analysis=None) -> Trail:
    """My projects › the project › Risk and vulnerability analyses › the analysis › …"""
    return project_trail(
        project,
        link(_("Risk and vulnerability analyses"), "risk:analysis_list", project.pk),
        analysis and to(analysis, analysis_label(analysis)),
        *more,
    )


def event_label(event) -> str:
    return f"{event.number}. {event.title}"


def scales_trail(*more) -> Trail:
    """My projects › Risk scales › …"""
    return section_trail(_("Risk scales"), "risk:scale_list", *more)
