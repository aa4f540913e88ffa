""" "May this run?": deny over allow, scopes with normalised paths and command words,
expiry at the boundary, revoked and used-up grants, per computer, and a once-grant
that two concurrent commands race for (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from permissions.actions import queue_command
from permissions.decision import may_run
from permissions.exceptions import PermissionNeeded, PermissionRefused
from permissions.models import CommandRun, Grant
from permissions.scopes import covers, normalise_path, scope_problem
from tests.permissions.conftest import make_laptop

pytestmark = pytest.mark.django_db


def _grant(owner: Any, **fields: Any) -> Grant:
    values: dict[str, Any] = {
        "target": "filesystem",
        "action": "list",
        "kind": Grant.Kind.ALWAYS,
        "created_by": owner,
        "origin": "settings",
        **fields,
    }
    return Grant.objects.create(owner=owner, **values)


def _decide(agent: Any, path: str = "~/Downloads", **kw: Any) -> Any:
    return may_run(
        owner_id=agent.owner_id,
        agent_id=agent.pk,
        target=kw.get("target", "filesystem"),
        action=kw.get("action", "list"),
        params=kw.get("params", {"path": path}),
    )


def test_nothing_granted_means_ask(alice: Any, laptop: Any) -> None:
    assert _decide(laptop).outcome == "ask"


def test_a_deny_beats_any_allow(alice: Any, laptop: Any) -> None:
    _grant(alice, scope="~/Downloads")
    _grant(alice, action="*", effect=Grant.Effect.DENY, scope="~/Downloads/private")
    assert _decide(laptop, "~/Downloads/public").outcome == "allow"
    verdict = _decide(laptop, "~/Downloads/private/taxes")
    assert verdict.outcome == "deny" and "blocked by your rule" in verdict.reason


@pytest.mark.parametrize(
    ("scope", "path", "covered"),
    [
        ("~/Downloads", "~/Downloads", True),
        ("~/Downloads/", "~/Downloads/report.pdf", True),
        ("~/Downloads", "~/Downloads/a/../b.pdf", True),
        ("~/Downloads", "~/Downloads//x/./y", True),
        ("~/Downloads", "~/Downloads2/x", False),
        ("~/Downloads", "~/Downloads/../.ssh/id_rsa", False),
        ("~/Downloads", "~/Documents", False),
        ("C:\\Users\\me", "C:/Users/me/file.txt", True),
        ("/", "/etc/hosts", True),
        ("", "anything", True),
    ],
)
def test_path_scopes_compare_normalised_components(scope: str, path: str, covered: bool) -> None:
    assert covers("filesystem", scope, normalise_path(path)) is covered


def test_a_relative_path_that_climbs_out_is_never_inside() -> None:
    assert not covers("filesystem", "..", normalise_path("../../etc"))
    assert not covers("filesystem", "docs", normalise_path("docs/../../etc"))


@pytest.mark.parametrize(
    ("scope", "command", "covered"),
    [
        ("git status", "git status -s", True),
        ("git status", "git  status", True),
        ("git status", "git statusx", False),
        ("git", "gitk", False),
        ("df -h", "df -h /", True),
    ],
)
def test_shell_scopes_compare_words(scope: str, command: str, covered: bool) -> None:
    assert covers("shell", scope, " ".join(command.split())) is covered


def test_a_scope_must_include_what_was_asked() -> None:
    assert scope_problem("filesystem", "~/Downloads", "~/Downloads/report.pdf") == ""
    assert "must include" in scope_problem("filesystem", "~/Documents", "~/Downloads/r.pdf")


def test_expiry_at_the_boundary(alice: Any, laptop: Any) -> None:
    ends = timezone.now() + timedelta(minutes=15)
    _grant(alice, kind=Grant.Kind.UNTIL, expires_at=ends)
    with time_machine.travel(ends - timedelta(microseconds=1), tick=False):
        assert _decide(laptop).outcome == "allow"
    with time_machine.travel(ends, tick=False):
        assert _decide(laptop).outcome == "ask"


def test_revoked_and_used_grants_never_match(alice: Any, laptop: Any) -> None:
    _grant(alice, revoked_at=timezone.now())
    _grant(alice, kind=Grant.Kind.ONCE, consumed_at=timezone.now())
    assert _decide(laptop).outcome == "ask"


def test_a_grant_for_one_computer_does_not_cover_another(alice: Any, laptop: Any) -> None:
    desktop = make_laptop(alice, "desktop")
    _grant(alice, agent=laptop)
    assert _decide(laptop).outcome == "allow"
    assert _decide(desktop).outcome == "ask"


def test_another_users_grant_never_matches(alice: Any, charlie: Any, laptop: Any) -> None:
    _grant(charlie)
    assert _decide(laptop).outcome == "ask"


def test_mcp_tools_are_granted_by_their_exact_tool(alice: Any, laptop: Any) -> None:
    _grant(alice, target="mcp:time", action="get_current_time")
    kw: dict[str, Any] = {"target": "mcp:time", "params": {"timezone": "UTC"}}
    assert _decide(laptop, action="get_current_time", **kw).outcome == "allow"
    assert _decide(laptop, action="convert_time", **kw).outcome == "ask"


def test_a_once_grant_is_used_by_one_command(alice: Any, laptop: Any) -> None:
    once = _grant(alice, kind=Grant.Kind.ONCE, scope="~/Downloads")
    run = queue_command(
        agent=laptop, target="filesystem", action="list", params={"path": "~/Downloads"}
    )
    assert run.grant == once
    with pytest.raises(PermissionNeeded):
        queue_command(
            agent=laptop, target="filesystem", action="list", params={"path": "~/Downloads"}
        )


def test_a_standing_grant_is_used_before_a_once_grant(alice: Any, laptop: Any) -> None:
    once = _grant(alice, kind=Grant.Kind.ONCE)
    always = _grant(alice)
    run = queue_command(agent=laptop, target="filesystem", action="list", params={"path": "~/x"})
    assert run.grant == always
    once.refresh_from_db()
    assert once.consumed_at is None


def test_a_block_rule_refuses_at_the_bridge_too(alice: Any, laptop: Any) -> None:
    _grant(alice)
    _grant(alice, effect=Grant.Effect.DENY)
    with pytest.raises(PermissionRefused):
        queue_command(agent=laptop, target="filesystem", action="list", params={"path": "~/x"})


@pytest.mark.scaled
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_commands_cannot_both_use_a_once_grant(alice: Any, laptop: Any) -> None:
    assert connection.vendor == "postgresql"
    _grant(alice, kind=Grant.Kind.ONCE)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def one(n: int) -> None:
        from django.db import connections

        barrier.wait()
        try:
            queue_command(
                agent=laptop, target="filesystem", action="list", params={"path": f"~/{n}"}
            )
            outcomes.append("ran")
        except PermissionNeeded:
            outcomes.append("asked")
        finally:
            connections.close_all()

    for _ in range(5):  # several rounds: the race must never let both through
        threads = [threading.Thread(target=one, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if len(outcomes) < 10:
            _grant(alice, kind=Grant.Kind.ONCE)
    assert CommandRun.objects.count() == 5
    assert sorted(outcomes) == ["asked"] * 5 + ["ran"] * 5
