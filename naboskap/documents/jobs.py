"""The stored documents' periodic jobs, for naboskap.scheduling.jobs: delete what has
outlived its object or its time (`prune`, nightly), and make the documents whose content
depends on the day current again before anyone asks (`refresh`, early each morning)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from naboskap.documents.services import documents_prune
from naboskap.documents.tasks import refresh_all

if TYPE_CHECKING:
    from naboskap.scheduling.jobs import Counts

logger = logging.getLogger(__name__)


def prune(counts: Counts) -> None:
    deleted = documents_prune()
    logger.info("Deleted %d stored documents", deleted)
    counts.add("documents_deleted", count=deleted)


def refresh(counts: Counts) -> None:
    queued = refresh_all()
    logger.info("Queued %d stored documents to render again", queued)
    counts.add("documents_queued", count=queued)
