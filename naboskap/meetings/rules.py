"""Who may see and run a project's bodies and meetings.

Everyone with a role in the project sees them; coordinators, administrators, the dialogue
owner and the project's facility staff (the facility is the council's secretariat) run them.
"""

import rules

from naboskap.projects.rules import can_change, informs_neighbours, reaches_project

rules.add_perm("meetings.view_meetings", reaches_project)
rules.add_perm("meetings.manage_meetings", can_change | (reaches_project & informs_neighbours))
