"""Each setting's default is written once, on `Settings`; the environment only overrides."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest

from app import cli
from app.settings import (
    ENVIRONMENT,
    SECRET_KEY_FILE,
    STATEMENT_GRACE_SECONDS,
    Settings,
    SettingsError,
    server_secret_key,
)


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, _parse in ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PAKN_SECRET_KEY", "test-key-of-thirty-two-bytes-0123456789")


def test_without_variables_the_defaults_are_the_dataclass_defaults(bare_environment: None) -> None:
    assert Settings.from_env() == Settings(secret_key="test-key-of-thirty-two-bytes-0123456789")


def test_every_variable_names_a_setting() -> None:
    fields = {field.name for field in dataclasses.fields(Settings)}
    assert set(ENVIRONMENT) <= fields


def test_variables_override_and_empty_ones_do_not(
    bare_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAKN_MAX_TOKENS", "")
    monkeypatch.setenv("PAKN_GRAPHIQL", "0")
    monkeypatch.setenv("PAKN_CORS_ORIGINS", "https://a.example, ,https://b.example")
    monkeypatch.setenv("PAKN_CACHE_SECONDS", "-5")
    settings = Settings.from_env()
    assert settings.max_tokens == Settings().max_tokens
    assert settings.graphiql is False
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.cache_seconds == 0


def test_an_empty_database_url_is_refused_not_replaced_by_the_default(
    bare_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAKN_DATABASE_URL", "")
    with pytest.raises(ValueError, match="PAKN_DATABASE_URL is set but empty"):
        Settings.from_env()


def test_the_request_timeout_leaves_a_long_statement_to_the_statement_timeout() -> None:
    assert (
        Settings(request_timeout_seconds=30, statement_timeout_seconds=5).effective_request_timeout
        == 5 + STATEMENT_GRACE_SECONDS
    )
    assert (
        Settings(request_timeout_seconds=3, statement_timeout_seconds=0).effective_request_timeout
        == 3
    )
    assert (
        Settings(request_timeout_seconds=0, statement_timeout_seconds=5).effective_request_timeout
        == 0
    )


def test_the_new_limits_read_numbers_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAKN_SECRET_KEY", "test-key-of-thirty-two-bytes-0123456789")
    monkeypatch.setenv("PAKN_REQUEST_TIMEOUT", "2.5")
    monkeypatch.setenv("PAKN_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    monkeypatch.setenv("PAKN_READ_RATE", "0")
    settings = Settings.from_env()
    assert settings.request_timeout_seconds == 2.5
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.2")
    assert settings.read_rate == 0


@pytest.mark.parametrize("key", ["a", "x" * 31])
def test_a_secret_key_under_32_bytes_is_refused_at_start(
    key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAKN_SECRET_KEY", key)
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env()
    assert cli.main(["schema", "export"]) == 2
    assert "PAKN_SECRET_KEY holds a secret key of" in capsys.readouterr().err


def test_the_key_file_is_made_private_and_whole_and_an_empty_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PAKN_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    key = server_secret_key()
    made = tmp_path / SECRET_KEY_FILE
    assert made.read_text() == key and len(key.encode()) >= 32
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [SECRET_KEY_FILE.name]
    assert server_secret_key() == key
    made.write_text("")
    with pytest.raises(SettingsError, match="at least 32"):
        server_secret_key()
