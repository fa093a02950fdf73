"""The one-time first-run token: a file in the data directory, shared by every process."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path


class SetupToken:
    """Make, check and discard the token that lets the first admin be created."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "setup-token"

    def ensure(self) -> str:
        """Return the current token, making one if there is none yet."""
        try:
            return self.path.read_text().strip()
        except FileNotFoundError:
            pass
        self.path.parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(24)
        draft = self.path.with_name(f".setup-token-{os.getpid()}-{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(token)
        try:
            # link() fails if the name exists: when several processes start at once,
            # one complete token wins and every process prints that one.
            os.link(draft, self.path)
        except FileExistsError:
            token = self.path.read_text().strip()
        finally:
            draft.unlink()
        return token

    def matches(self, token: str) -> bool:
        """Tell whether ``token`` is the current one."""
        try:
            expected = self.path.read_text().strip()
        except FileNotFoundError:
            return False
        return bool(token) and hmac.compare_digest(token.encode(), expected.encode())

    def discard(self) -> None:
        """Forget the token: it worked once."""
        self.path.unlink(missing_ok=True)
