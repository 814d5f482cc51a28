"""Sent when a mail server says an address does not exist: by a final refusal while sending,
or by a bounce message (`manage.py read_bounces`). Apps that keep addresses react to it, as
meetings marks its invitations to the address as bounced. Arguments: address, reason."""

from django.dispatch import Signal

address_bounced = Signal()
