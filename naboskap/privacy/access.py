"""What the privacy pages ask of the user.

Privacy pages carry no object in their address: they show the municipality the staff member
works in (`tenancy.access.get_staff_municipality`, the one context every staff list uses),
403 when the user does not hold the page's permission there.
"""

VIEW_LOGS = "privacy.view_logs"
VIEW_RECORDS = "privacy.view_records"
VIEW_DPIA = "privacy.view_dpia"
