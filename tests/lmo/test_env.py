from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lmo.env import env_bool, env_choice, env_int, env_list, env_origins, env_url
from tests.conftest import clean_environ

ROOT = Path(__file__).resolve().parents[2]


def test_it_parses_booleans_and_rejects_anything_else() -> None:
    assert env_bool("X", False, environ={"X": "Yes"}) is True
    assert env_bool("X", True, environ={"X": "0"}) is False
    assert env_bool("X", True, environ={}) is True
    with pytest.raises(ImproperlyConfigured, match=r"X='maybe' is not a boolean"):
        env_bool("X", False, environ={"X": "maybe"})


def test_it_bounds_integers() -> None:
    assert env_int("N", 5, environ={"N": "7"}) == 7
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("N", 5, environ={"N": "7s"})
    with pytest.raises(ImproperlyConfigured, match="minimum is 10"):
        env_int("N", 50, minimum=10, environ={"N": "3"})


def test_it_checks_choices_urls_and_origins() -> None:
    assert env_list("L", [], environ={"L": "a, b,,c "}) == ["a", "b", "c"]
    assert env_choice("C", "x", ("x", "y"), environ={"C": "Y"}) == "y"
    with pytest.raises(ImproperlyConfigured, match="must be one of: x, y"):
        env_choice("C", "x", ("x", "y"), environ={"C": "z"})
    assert (
        env_url("U", None, schemes=("redis",), environ={"U": "redis://h:6379/0"})
        == "redis://h:6379/0"
    )
    with pytest.raises(ImproperlyConfigured, match="must start with one of: redis://"):
        env_url("U", None, schemes=("redis",), environ={"U": "http://h"})
    with pytest.raises(ImproperlyConfigured, match="is not an origin"):
        env_origins("O", [], environ={"O": "lmo.example.com"})


def _django_setup(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean_environ(), "DJANGO_SETTINGS_MODULE": "lmo.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LMO_DEBUG": "0"}, "LMO_SECRET_KEY must be set when LMO_DEBUG=0"),
        ({"LMO_DEBUG": "0", "LMO_SECRET_KEY": "short"}, "LMO_SECRET_KEY is too weak"),
        (
            {"LMO_DEBUG": "0", "LMO_SECRET_KEY": "k" * 20 + "abcdefghij" * 4},
            "LMO_ALLOWED_HOSTS must list",
        ),
        (
            {
                "LMO_DEBUG": "0",
                "LMO_SECRET_KEY": "k" * 20 + "abcdefghij" * 4,
                "LMO_ALLOWED_HOSTS": "lmo.example.com",
            },
            "LMO_ENCRYPTION_KEYS must be set when LMO_DEBUG=0",
        ),
        ({"LMO_ENCRYPTION_KEYS": "not-a-key"}, "LMO_ENCRYPTION_KEYS holds a value that is not"),
        ({"LMO_LLM_PRICES": "gpt-4o=cheap"}, "LMO_LLM_PRICES entry 'gpt-4o=cheap' must look like"),
        ({"LMO_DEBUG": "perhaps"}, "LMO_DEBUG='perhaps' is not a boolean"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL='mysql://x/y' must start with one of"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' must start with one of"),
        ({"LMO_REQUIRE_MFA": "2"}, "LMO_REQUIRE_MFA='2' is not a boolean"),
        ({"LMO_TASK_TIME_LIMIT": "4000"}, "must be longer than LMO_TASK_TIME_LIMIT"),
        ({"EMAIL_URL": "sendmail://x"}, "EMAIL_URL='sendmail://x' must start with one of"),
    ],
)
def test_bad_settings_fail_loudly_at_start_up(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = _django_setup(LMO_VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_development_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    assert _django_setup(LMO_VAR_DIR=str(tmp_path)).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert _django_setup(LMO_VAR_DIR=str(tmp_path)).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_production_passes_check_deploy_with_no_warning(tmp_path: Path) -> None:
    env = {
        **clean_environ(),
        "LMO_DEBUG": "0",
        "LMO_SECRET_KEY": "p9F-2kq0Xr7_vLm3Zt8Wc1Yb6Nd4Hs5Jg0Qa2Ue7Io9Pl3Kj8Mh1Gf6Dv4Bx2Cz5Nw",
        "LMO_ALLOWED_HOSTS": "lmo.example.com",
        "LMO_ENCRYPTION_KEYS": "9NeJf3DpX0HkL7Yc2QvRt5UwZa8Bm1Sg4Eo6Ii3Pj0s=",
        "LMO_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
