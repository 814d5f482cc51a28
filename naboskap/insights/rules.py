"""Who sees and runs the neighbour survey.

Everyone with a role in the project reads the results (open answers included: they are
staff only, never public); coordinators, administrators and the dialogue owner run rounds.
"""

import rules

from naboskap.projects.rules import can_change, reaches_project

rules.add_perm("insights.view_survey", reaches_project)
rules.add_perm("insights.run_survey", can_change)
