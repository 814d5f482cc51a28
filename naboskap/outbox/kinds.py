"""The kinds of email, in words, for the administrator's list of emails."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "receipt": _("Receipt of a concern"),
    "answer": _("Message to a reporter"),
    "case_assigned": _("New case to a unit"),
    "reporter_wrote": _("Reporter wrote to the handler"),
    "overdue_concerns": _("Overdue concerns"),
    "news": _("News to subscribers"),
    "subscription": _("Confirmation of a subscription"),
    "staff_invitation": _("Invitation to staff"),
    "meeting_invitation": _("Meeting invitation"),
    "meeting_reminder": _("Meeting reminder"),
    "member_login": _("Login link to a council member"),
    "minutes_comments": _("Minutes for comments"),
    "status_report": _("Status report"),
    "overdue_measures": _("Overdue measures"),
    "suggestion": _("New suggestion"),
    "barometer_falling": _("Trust barometer falling"),
    "account": _("Login account (password reset)"),
}


def label(kind: str) -> str:
    return str(KINDS.get(kind, kind))
