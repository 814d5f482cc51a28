"""Who may manage the address register: the pages work in the municipality the user works in
(`tenancy.access.get_staff_municipality`), 403 without this permission there."""

MANAGE_ADDRESSES = "stakeholders.manage_addresses"
