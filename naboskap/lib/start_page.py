"""Items on the staff start page ("I dag") from apps the start page may not know.

The start page (insights) sits below the archive in the layers, so it asks instead of
importing: it sends `asked` with the user and the municipality, and each receiver answers
with a list of `Item`s the user may open (the receiver checks the rules). They are shown in
the page's municipality section, after its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

# Arguments: user, municipality. Each receiver returns a list of Item.
asked = Signal()


@dataclass
class Item:
    """A line of the start page: a count (None for a plain link) and where it leads."""

    label: str
    url: str
    count: int | None = None
    urgent: bool = False


def items_for(user, municipality) -> list[Item]:
    return [
        item
        for _receiver, answer in asked.send(sender=None, user=user, municipality=municipality)
        for item in answer
    ]
