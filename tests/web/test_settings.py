"""Each setting's default is written once, on `Settings`; the environment only overrides."""

from __future__ import annotations

import base64
import dataclasses
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.domain.key_wrapping import KeyEncryptionKey
from app.settings import (
    ENVIRONMENT,
    SECRET_KEY_FILE_NAME,
    STATEMENT_GRACE_SECONDS,
    Settings,
    SettingsError,
    secret_key_file,
    server_secret_key,
)
from tests.support.server import free_port
from tests.support.workflow import TEST_KEY


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


WITNESS_KEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
LOG_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"


def test_the_witnesses_and_the_checkpoint_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAKN_SECRET_KEY", "test-key-of-thirty-two-bytes-0123456789")
    monkeypatch.setenv("PAKN_WITNESSES", f"{WITNESS_KEY} https://w.example/ ;\n")
    monkeypatch.setenv("PAKN_CHECKPOINT_SECONDS", "2")
    settings = Settings.from_env()
    assert settings.witnesses == ((WITNESS_KEY, "https://w.example"),)
    assert settings.checkpoint_seconds == 2
    for wrong in (f"{LOG_KEY} https://w.example", f"{WITNESS_KEY} ftp://w.example", "x y"):
        monkeypatch.setenv("PAKN_WITNESSES", wrong)
        with pytest.raises(SettingsError, match="PAKN_WITNESSES"):
            Settings.from_env()
    monkeypatch.setenv("PAKN_WITNESSES", ";".join([f"{WITNESS_KEY} https://w.example"] * 17))
    with pytest.raises(SettingsError, match="at most 16 witnesses"):
        Settings.from_env()
    monkeypatch.setenv("PAKN_WITNESSES", "")
    monkeypatch.setenv("PAKN_CHECKPOINT_SECONDS", "0")
    with pytest.raises(SettingsError, match="PAKN_CHECKPOINT_SECONDS"):
        Settings.from_env()


@pytest.mark.parametrize("key", ["a", "x" * 31])
def test_a_secret_key_under_32_bytes_is_refused_at_start(
    key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAKN_SECRET_KEY", key)
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env()
    assert cli.main(["schema", "export"]) == 2
    assert "PAKN_SECRET_KEY holds a secret key of" in capsys.readouterr().err


def _sqlite(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / 'pakn.db'}"


@pytest.fixture
def key_from_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No PAKN_SECRET_KEY, and a working directory of its own (the old key file's place)."""
    monkeypatch.delenv("PAKN_SECRET_KEY", raising=False)
    monkeypatch.delenv("PAKN_SECRET_KEY_FILE", raising=False)
    working = tmp_path / "working"
    working.mkdir()
    monkeypatch.chdir(working)
    return working


def test_the_key_file_is_made_private_and_whole_and_an_empty_one_is_refused(
    key_from_file: Path,
) -> None:
    url = _sqlite(key_from_file)
    key, made = server_secret_key(url)
    assert made == key_from_file / SECRET_KEY_FILE_NAME
    assert made.read_text() == key and len(key.encode()) >= 32
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert sorted(p.name for p in key_from_file.iterdir()) == [SECRET_KEY_FILE_NAME]
    assert server_secret_key(url) == (key, made)
    made.write_text("")
    with pytest.raises(SettingsError, match="at least 32"):
        server_secret_key(url)


def test_the_key_file_lives_beside_the_sqlite_database_at_an_absolute_path(
    key_from_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("PAKN_DATABASE_URL", _sqlite(data))
    settings = Settings.from_env()
    assert settings.secret_key_file == data / SECRET_KEY_FILE_NAME
    assert settings.secret_key == (data / SECRET_KEY_FILE_NAME).read_text()
    assert not (key_from_file / SECRET_KEY_FILE_NAME).exists()
    relative = "sqlite+aiosqlite:///./sub/pakn.db"
    assert secret_key_file(relative) == key_from_file / "sub" / SECRET_KEY_FILE_NAME
    postgres = "postgresql+asyncpg://postgres@127.0.0.1:5432/pakn"
    assert secret_key_file(postgres) == key_from_file / SECRET_KEY_FILE_NAME
    assert secret_key_file("sqlite+aiosqlite:///:memory:") == key_from_file / SECRET_KEY_FILE_NAME
    assert Settings(secret_key=TEST_KEY).secret_key_file is None


def test_pakn_secret_key_file_names_the_file(
    key_from_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "keys" / "pakn.key"
    chosen.parent.mkdir()
    monkeypatch.setenv("PAKN_SECRET_KEY_FILE", str(chosen))
    key, made = server_secret_key(_sqlite(tmp_path))
    assert made == chosen and chosen.read_text() == key
    assert not (tmp_path / SECRET_KEY_FILE_NAME).exists()
    monkeypatch.setenv("PAKN_SECRET_KEY_FILE", str(tmp_path / "absent" / "pakn.key"))
    with pytest.raises(SettingsError, match="cannot create the secret key file"):
        server_secret_key(_sqlite(tmp_path))


def test_the_old_key_file_is_moved_beside_the_database_once(
    key_from_file: Path, tmp_path: Path
) -> None:
    old = key_from_file / SECRET_KEY_FILE_NAME
    old.write_text(TEST_KEY + "\n")
    os.chmod(old, 0o644)
    (tmp_path / "pakn.db").touch()
    key, made = server_secret_key(_sqlite(tmp_path))
    assert key == TEST_KEY and made == tmp_path / SECRET_KEY_FILE_NAME
    assert not old.exists()
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert server_secret_key(_sqlite(tmp_path)) == (TEST_KEY, made)


def test_the_same_key_in_both_places_leaves_the_new_one_and_two_keys_are_refused(
    key_from_file: Path, tmp_path: Path
) -> None:
    old, new = key_from_file / SECRET_KEY_FILE_NAME, tmp_path / SECRET_KEY_FILE_NAME
    old.write_text(TEST_KEY)
    new.write_text(TEST_KEY)
    (tmp_path / "pakn.db").touch()
    assert server_secret_key(_sqlite(tmp_path)) == (TEST_KEY, new)
    assert not old.exists()
    old.write_text(TEST_KEY + "-the-other-one")
    with pytest.raises(SettingsError, match="two different secret key files") as refused:
        server_secret_key(_sqlite(tmp_path))
    assert str(old) in str(refused.value) and str(new) in str(refused.value)
    assert old.read_text() == TEST_KEY + "-the-other-one" and new.read_text() == TEST_KEY


def test_another_deployments_key_is_never_taken_from_its_folder(
    key_from_file: Path, tmp_path: Path
) -> None:
    """A command run from a deployment's folder against another database (one not made
    yet, or while that folder holds its own database) leaves the folder's key file alone
    and makes the other database a key of its own."""
    here = key_from_file / SECRET_KEY_FILE_NAME
    here.write_text(TEST_KEY)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    key, made = server_secret_key(_sqlite(elsewhere))
    assert made == elsewhere / SECRET_KEY_FILE_NAME and key != TEST_KEY
    assert here.read_text() == TEST_KEY
    (key_from_file / "pakn.db").touch()
    (tmp_path / "pakn.db").touch()
    key, made = server_secret_key(_sqlite(tmp_path))
    assert made == tmp_path / SECRET_KEY_FILE_NAME and key != TEST_KEY
    assert here.read_text() == TEST_KEY
    assert server_secret_key(_sqlite(key_from_file)) == (TEST_KEY, here)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe" + b"k" * 40, "is not UTF-8 text"),
        (b"k" * 5000, "holds more than 4096 bytes"),
        (None, "is a link to nothing"),
    ],
)
def test_a_key_file_that_is_not_a_key_is_refused_with_a_message(
    key_from_file: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    made = tmp_path / SECRET_KEY_FILE_NAME
    if content is None:
        made.symlink_to(tmp_path / "nowhere")
    else:
        made.write_bytes(content)
    with pytest.raises(SettingsError, match=message):
        server_secret_key(_sqlite(tmp_path))


def test_a_key_file_readable_by_others_is_tightened(key_from_file: Path, tmp_path: Path) -> None:
    made = tmp_path / SECRET_KEY_FILE_NAME
    made.write_text(TEST_KEY)
    os.chmod(made, 0o644)
    assert server_secret_key(_sqlite(tmp_path)) == (TEST_KEY, made)
    assert stat.S_IMODE(made.stat().st_mode) == 0o600


STARTER = """
import sys, time
from pathlib import Path
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.001)
from app.settings import server_secret_key
print(server_secret_key(sys.argv[2])[0])
"""


def test_processes_starting_at_once_make_one_key(key_from_file: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    data = tmp_path / "data"
    data.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAKN_SECRET_KEY")}
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, str(go), _sqlite(data)],
            stdout=subprocess.PIPE,
            text=True,
            env=environment | {"PYTHONPATH": str(Path(__file__).parents[2])},
        )
        for _ in range(6)
    ]
    go.touch()
    keys = {starter.communicate(timeout=60)[0].strip() for starter in starters}
    assert all(starter.returncode == 0 for starter in starters)
    assert keys == {(data / SECRET_KEY_FILE_NAME).read_text()}
    assert [p.name for p in data.iterdir()] == [SECRET_KEY_FILE_NAME]


def test_the_key_encryption_key_is_derived_from_the_secret_key_or_given(
    bare_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings.from_env().key_encryption_key == KeyEncryptionKey.derived_from(TEST_KEY)
    given = bytes(range(32))
    monkeypatch.setenv("PAKN_KEY_ENCRYPTION_KEY", base64.b64encode(given).decode())
    settings = Settings.from_env()
    assert settings.key_encryption_key.raw == given
    assert base64.b64encode(given).decode() not in repr(settings)
    assert TEST_KEY not in repr(settings)


@pytest.mark.parametrize(
    "given", ["not base64 at all", base64.b64encode(bytes(31)).decode(), "QUFB"]
)
def test_a_key_encryption_key_not_of_32_bytes_is_refused_at_start(
    given: str,
    bare_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PAKN_KEY_ENCRYPTION_KEY", given)
    with pytest.raises(SettingsError, match="PAKN_KEY_ENCRYPTION_KEY"):
        Settings.from_env()
    assert cli.main(["schema", "export"]) == 2
    error = capsys.readouterr().err
    assert "base64 of 32 random bytes" in error and given not in error


def test_pakn_serve_names_the_key_file_it_made_beside_the_database(
    key_from_file: Path, tmp_path: Path
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAKN_SECRET_KEY")}
    serving = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(free_port())],
        env=environment
        | {"PAKN_DATABASE_URL": _sqlite(tmp_path), "PYTHONPATH": str(Path(__file__).parents[2])},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert serving.stderr is not None
        lines = iter(serving.stderr.readline, "")
        told = next(line for line in lines if "secret key" in line or "Traceback" in line)
    finally:
        serving.terminate()
        serving.wait(timeout=30)
    made = tmp_path / SECRET_KEY_FILE_NAME
    assert told.strip() == f"pakn: the secret key is kept in {made}"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert not (key_from_file / SECRET_KEY_FILE_NAME).exists()
