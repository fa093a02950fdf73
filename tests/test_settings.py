"""Settings: read from a config file, overridden by the environment, wrong ones refused in one line."""

from pathlib import Path

import pytest

from proto.settings import ConfigError, load_settings


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.conf"
    path.write_text(text)
    return path


def test_defaults_come_from_the_development_config():
    settings = load_settings(environ={})
    assert settings.config_file.name == "development.conf"
    assert settings.environment == "development"
    assert settings.debug is True
    assert settings.document_max_bytes == 32 * 1024 * 1024
    assert settings.document_max_depth == 256
    assert settings.data_dir == Path(__file__).resolve().parent.parent / "var"
    assert settings.database_url == f"sqlite:///{settings.data_dir / 'proto.sqlite3'}"


def test_proto_config_names_the_file(tmp_path):
    path = write_config(tmp_path, "[proto]\ndocument_max_depth = 12\n")
    settings = load_settings(environ={"PROTO_CONFIG": str(path)})
    assert settings.config_file == path
    assert settings.document_max_depth == 12


def test_environment_overrides_the_file(tmp_path):
    path = write_config(tmp_path, '[proto]\ndata_dir = "here"\ndatabase_url = "sqlite:///file.db"\n')
    settings = load_settings(path, {"PROTO_DATA_DIR": str(tmp_path / "elsewhere"),
                                    "PROTO_DATABASE_URL": "postgresql+psycopg://db/proto"})
    assert settings.data_dir == tmp_path / "elsewhere"
    assert settings.database_url == "postgresql+psycopg://db/proto"


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    path = write_config(tmp_path, '[global]\nlog.error_file = "logs/error.log"\n'
                                  '[proto]\ndata_dir = "state"\nschema = "../document.xsd"\n')
    settings = load_settings(path, {})
    assert settings.data_dir == tmp_path / "state"
    assert settings.schema == tmp_path.parent / "document.xsd"
    assert settings.server["log.error_file"] == str(tmp_path / "logs" / "error.log")


def test_production_turns_tracebacks_off():
    settings = load_settings(Path(__file__).parent.parent / "conf" / "production.conf", {})
    assert settings.environment == "production"
    assert settings.debug is False
    assert settings.migrate_on_start is False


@pytest.mark.parametrize(("text", "message"), [
    ("[proto]\nbogus = 1\n", "[proto] bogus: unknown setting"),
    ("[proto]\ndocument_max_bytes = 'lots'\n", "[proto] document_max_bytes must be an integer, not 'lots'"),
    ("[proto]\ndocument_max_depth = -3\n", "[proto] document_max_depth must be a positive integer, not -3"),
    ("[proto]\nmigrate_on_start = 'yes'\n", "[proto] migrate_on_start must be True or False"),
    ("[proto]\nclient_verify = 'sometimes'\n", "[proto] client_verify must be one of 'none', 'optional', 'required'"),
    ("[proto]\nclient_verify = 'optional'\n", "client_verify needs client_ca"),
    ("[proto]\ntrusted_proxies = '10.0.0.1'\n", "[proto] trusted_proxies must be a list"),
    ("[proto]\ntrusted_proxies = ['10.0.0.300']\n", "[proto] trusted_proxies is wrong: '10.0.0.300' is not an IP address or network"),
    ("[proto]\ntrusted_proxies = ['10.0.0.1/8']\n", "'10.0.0.1/8' has host bits set"),
    ("[proto]\nsession_timeout = 30 minutes\n", "option: 'session_timeout'"),
    ("[proxy]\nx = 1\n", "unknown section [proxy]"),
    ("no section header\n", "File contains no section headers"),
])
def test_a_wrong_setting_is_one_line_naming_file_and_key(tmp_path, text, message):
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_settings(path, {})
    assert message in str(raised.value)
    assert str(raised.value).startswith(str(path))
    assert "\n" not in str(raised.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="nowhere.conf: config file not found"):
        load_settings(tmp_path / "nowhere.conf", {})
