"""What one application instance shares between its handlers and tools."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from proto.certificate_logins import RecentUses
from proto.settings import Settings
from proto.storage.database import Database

if TYPE_CHECKING:
    from proto.documents.store import DocumentStore
    from proto.tools.templates import Templates


@dataclasses.dataclass
class Services:
    """The settings, database, templates and document store of one application."""

    settings: Settings
    db: Database
    templates: Templates
    documents: DocumentStore
    # Certificate API calls and ignored certificate headers: audited once a minute per key.
    recent_uses: RecentUses = dataclasses.field(default_factory=RecentUses)
