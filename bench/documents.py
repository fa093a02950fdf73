"""Generated documents and a seeded document store for the benchmark."""

from __future__ import annotations

import random
import secrets
from pathlib import Path

from sqlalchemy import insert, select

from proto.accounts import create_token, find_account
from proto.storage.database import Database, create_database_engine
from proto.storage.tables import documents, utcnow

WORDS = ("exchange document proto section report value measured ratio stream parser element "
         "attribute namespace schema upload archive record status ledger").split()


def write_document(path: Path, size: int, seed: int = 7) -> Path:
    """Write a valid exchange document of about ``size`` bytes: sections of headings and paragraphs."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<document xmlns="urn:proto:document:1">'
                  "<title>Benchmark</title><body>")
        written, number = 0, 0
        while written < size:
            paragraphs = "".join(f"<para>{' '.join(rng.choices(WORDS, k=24))}</para>" for _ in range(3))
            section = f'<section n="{number}"><heading>Section {number}</heading>{paragraphs}</section>\n'
            out.write(section)
            written += len(section)
            number += 1
        out.write("</body></document>\n")
    return path


def seed_documents(database_url: str, username: str, count: int, template_id: str) -> None:
    """Copy one uploaded document's row ``count - 1`` times (one stored file, many rows, as dedup does)."""
    db = Database(create_database_engine(database_url))
    try:
        with db.read() as connection:
            row = connection.execute(select(documents).where(documents.c.id == template_id)).one()._asdict()
        rows = []
        for number in range(count - 1):
            rows.append({**row, "id": secrets.token_hex(16), "name": f"report-{number:05d}.xml",
                         "created_at": utcnow()})
        with db.write() as connection:
            connection.execute(insert(documents), rows)
    finally:
        db.dispose()


def api_token(database_url: str, username: str) -> str:
    """Create an API token for an existing account."""
    db = Database(create_database_engine(database_url))
    try:
        return create_token(db, find_account(db, username), "benchmark")
    finally:
        db.dispose()
