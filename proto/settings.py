"""Settings: one typed object built from a CherryPy config file and the environment.

    PROTO_CONFIG=conf/production.conf python run.py

A config file is a CherryPy config file: ``[global]`` holds the server and
CherryPy settings, path sections (``[/static]``) tune the application, and
``[proto]`` holds Proto's own keys, listed in ``PROTO_KEYS``. Relative paths in
a file are relative to that file. ``PROTO_DATABASE_URL`` and ``PROTO_DATA_DIR``
override the file.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cherrypy.lib import reprconf

from proto.proxies import Network, parse_trusted_proxies

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "conf" / "development.conf"
MiB = 1024 * 1024

# [global] keys that name files: resolved against the config file's folder.
GLOBAL_PATH_KEYS = (
    "server.ssl_certificate",
    "server.ssl_private_key",
    "server.ssl_certificate_chain",
    "log.error_file",
    "log.access_file",
)
CLIENT_VERIFY_MODES = ("none", "optional", "required")
# CherryPy environments whose defaults turn tracebacks off.
QUIET_ENVIRONMENTS = ("production", "embedded", "staging")


class ConfigError(Exception):
    """A setting is missing, unknown or wrong; the message is one line for the operator."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything Proto reads from its config file and environment."""

    config_file: Path | None
    data_dir: Path
    database_url: str
    environment: str = "development"
    debug: bool = True
    document_max_bytes: int = 32 * MiB
    document_max_depth: int = 256
    schema: Path | None = None
    session_timeout: int = 60
    session_lifetime: int = 12 * 60
    client_ca: Path | None = None
    client_verify: str = "none"
    trusted_proxies: tuple[Network, ...] = ()
    migrate_on_start: bool = False
    template_reload: bool = False
    server: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    paths: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    @property
    def https(self) -> bool:
        """Tell whether the built-in server is configured to speak TLS."""
        return bool(self.server.get("server.ssl_certificate"))

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed (tests use it)."""
        return dataclasses.replace(self, **changes)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be an integer")
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be True or False")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("must be a non-empty string")
    return value


def _verify_mode(value: Any) -> str:
    if value not in CLIENT_VERIFY_MODES:
        raise ValueError("must be one of " + ", ".join(repr(m) for m in CLIENT_VERIFY_MODES))
    return value


def _networks(value: Any) -> tuple[Network, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError("must be a list of addresses or networks, e.g. ['127.0.0.1', '10.0.0.0/8']")
    try:
        return parse_trusted_proxies(value)
    except ValueError as error:
        # proxies names the key itself; the caller names it with the file.
        raise ValueError("is wrong: " + str(error).removeprefix("trusted_proxies: ")) from None


# Proto's own keys: the converter checks the type; paths are resolved apart.
PROTO_KEYS: dict[str, Callable[[Any], Any]] = {
    "database_url": _text,
    "data_dir": _text,
    "document_max_bytes": _integer,
    "document_max_depth": _integer,
    "schema": _text,
    "session_timeout": _integer,
    "session_lifetime": _integer,
    "client_ca": _text,
    "client_verify": _verify_mode,
    "trusted_proxies": _networks,
    "migrate_on_start": _boolean,
    "template_reload": _boolean,
}
PATH_KEYS = ("data_dir", "schema", "client_ca")


def read_config_file(path: Path) -> dict[str, dict[str, Any]]:
    """Read a CherryPy config file into sections, with errors as one line."""
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    parser = reprconf.Parser()
    try:
        parser.read(str(path))
        return parser.as_dict()
    except ValueError as error:
        # reprconf says which section, option and value did not parse.
        raise ConfigError(f"{path}: {error.args[0]}") from None
    except Exception as error:  # configparser's own syntax errors
        first_line = str(error).splitlines()[0]
        raise ConfigError(f"{path}: {first_line}") from None


def load_settings(config_file: str | Path | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from a config file (or PROTO_CONFIG) and the PROTO_* overrides."""
    environ = os.environ if environ is None else environ
    path = Path(config_file or environ.get("PROTO_CONFIG") or DEFAULT_CONFIG).absolute()
    sections = read_config_file(path)
    base = path.parent
    server = dict(sections.pop("global", {}))
    own = sections.pop("proto", {})
    for name in sections:
        if not name.startswith("/"):
            raise ConfigError(f"{path}: unknown section [{name}]; use [global], [proto] or a path such as [/static]")

    values: dict[str, Any] = {}
    for key, raw in own.items():
        convert = PROTO_KEYS.get(key)
        if convert is None:
            known = ", ".join(sorted(PROTO_KEYS))
            raise ConfigError(f"{path}: [proto] {key}: unknown setting (known: {known})")
        try:
            values[key] = convert(raw)
        except ValueError as error:
            raise ConfigError(f"{path}: [proto] {key} {error}, not {raw!r}") from None
    for key in PATH_KEYS:
        if key in values:
            values[key] = (base / values[key]).resolve()
    for key in GLOBAL_PATH_KEYS:
        if isinstance(server.get(key), str) and server[key]:
            server[key] = str((base / server[key]).resolve())

    if environ.get("PROTO_DATA_DIR"):
        values["data_dir"] = Path(environ["PROTO_DATA_DIR"]).absolute()
    if environ.get("PROTO_DATABASE_URL"):
        values["database_url"] = environ["PROTO_DATABASE_URL"]
    data_dir = values.pop("data_dir", None) or (PROJECT_ROOT / "var")
    database_url = values.pop("database_url", None) or f"sqlite:///{data_dir / 'proto.sqlite3'}"

    environment = server.get("environment") or "development"
    debug = server.get("request.show_tracebacks", environment not in QUIET_ENVIRONMENTS)
    values.setdefault("template_reload", environment == "development")
    if values.get("client_verify", "none") != "none" and "client_ca" not in values:
        raise ConfigError(f"{path}: [proto] client_verify needs client_ca, the CA file that issues client certificates")
    return Settings(
        config_file=path, data_dir=data_dir, database_url=database_url,
        environment=environment, debug=bool(debug), server=server, paths=sections,
        **values,
    )
