"""The one ingestion action: per-item answers, duplicates, bad items beside good ones,
tracking switches, job status history; and the bridge's activities frames using it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from activities.actions.ingest import ingest_activities
from activities.actions.tracking import save_tracking
from activities.models import Activity, StatusChange
from agent_bridge.local_agent import protocol
from lmo.asgi import application
from tests.activities.conftest import job, spend, store
from tests.agent_bridge.conftest import hello, make_agent


@pytest.mark.django_db
def test_every_item_is_answered_and_a_retry_adds_nothing(alice: Any) -> None:
    batch = [
        spend("a", "-10.00"),
        spend("b", "-2.50", tags=["Lunch", "#work"]),
        {"id": "c", "type": "financial", "timestamp": "2026-01-01", "description": "no amount"},
        {"id": "d", "type": "nonsense", "timestamp": "2026-01-01", "description": "x"},
        "not even an object",
        spend("a", "-10.00"),  # the same id twice in one batch
        job("e", "Acme"),
        spend("f", "-1.00", days_ago=-5),  # in the future
    ]
    outcomes = ingest_activities(owner=alice, items=batch, source="agent")
    assert [(o.id, o.status) for o in outcomes] == [
        ("a", "accepted"),
        ("b", "accepted"),
        ("c", "rejected"),
        ("d", "rejected"),
        ("#4", "rejected"),
        ("a", "duplicate"),
        ("e", "accepted"),
        ("f", "rejected"),
    ]
    assert "needs an amount" in outcomes[2].reason
    assert outcomes[3].reason.startswith("type:")
    assert "future" in outcomes[7].reason
    assert Activity.objects.filter(owner=alice).count() == 3
    b = Activity.objects.get(owner=alice, external_id="b")
    assert b.tag_names == ["lunch", "work"]
    # the agent sends the batch again (its acknowledgement was lost)
    again = ingest_activities(owner=alice, items=batch, source="agent")
    assert [o.status for o in again] == [
        "duplicate",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
        "duplicate",
        "duplicate",
        "rejected",
    ]
    assert Activity.objects.filter(owner=alice).count() == 3


@pytest.mark.django_db
def test_external_ids_are_unique_per_user_not_globally(alice: Any, bob: Any) -> None:
    assert store(alice, spend("same", "-1.00")) == ["accepted"]
    assert store(bob, spend("same", "-1.00")) == ["accepted"]
    assert Activity.objects.filter(external_id="same").count() == 2


@pytest.mark.django_db
def test_switched_off_types_and_applications_are_dropped(alice: Any) -> None:
    save_tracking(
        owner=alice,
        disabled_types=["browser"],
        disabled_applications=["LinkedIn Easy Apply"],
        retention_days={},
    )
    outcomes = ingest_activities(
        owner=alice,
        items=[
            {
                "id": "p",
                "type": "browser",
                "timestamp": "2026-01-01",
                "description": "Order placed",
            },
            job("j1", "Acme", application="LinkedIn Easy Apply"),
            job("j2", "Globex", application="Lever"),
        ],
        source="agent",
    )
    assert [(o.status, o.reason) for o in outcomes] == [
        ("rejected", "tracking of browser is switched off"),
        ("rejected", "tracking of LinkedIn Easy Apply is switched off"),
        ("accepted", ""),
    ]


@pytest.mark.django_db
def test_a_job_application_starts_its_status_history(alice: Any) -> None:
    store(alice, job("j", "Initech", "Analyst"))
    activity = Activity.objects.get(owner=alice)
    assert (activity.status, activity.company, activity.role) == ("applied", "Initech", "Analyst")
    assert list(StatusChange.objects.values_list("status", flat=True)) == ["applied"]


@pytest.mark.django_db
def test_a_concurrent_insert_of_the_same_id_is_a_duplicate_not_an_error(alice: Any) -> None:
    from activities.actions import ingest

    original = ingest._validate

    def racing(items: Any, owner: Any, prefs: Any) -> Any:
        result = original(items, owner, prefs)
        # another worker stores "x" between our duplicate check and our insert
        Activity.objects.create(
            owner=owner,
            type="other",
            occurred_at="2026-01-01T00:00Z",
            description="x",
            source="agent",
            external_id="x",
        )
        return result

    ingest._validate = racing
    try:
        outcomes = ingest_activities(
            owner=alice,
            items=[
                {"id": "x", "type": "other", "timestamp": "2026-01-01", "description": "x"},
                spend("y", "-3"),
            ],
            source="agent",
        )
    finally:
        ingest._validate = original
    assert [o.status for o in outcomes] == ["duplicate", "accepted"]
    assert Activity.objects.filter(owner=alice).count() == 2


@pytest.mark.django_db(transaction=True)
async def test_the_bridge_acknowledges_each_item_and_sends_tracking_at_hello(alice: Any) -> None:
    agent, raw = await sync_to_async(make_agent)(alice)
    await sync_to_async(save_tracking)(
        owner=alice, disabled_types=["system"], disabled_applications=[], retention_days={}
    )
    socket = WebsocketCommunicator(
        application,
        "/ws/agent/",
        headers=[(b"host", b"localhost"), (b"authorization", f"Bearer {raw}".encode())],
    )
    connected, _ = await socket.connect()
    assert connected
    await socket.send_to(text_data=hello().dump())
    ok = protocol.parse_server_frame(await socket.receive_from(timeout=5))
    assert isinstance(ok, protocol.HelloOk)
    assert ok.config["tracking"]["disabled_types"] == ["system"]
    batch = protocol.ActivitiesBatch(
        batch="b1",
        items=[
            spend("t1", "-4.20"),
            {"id": "t2", "type": "system", "timestamp": "2026-01-01", "description": "boot"},
            {"id": "t3"},
        ],
    )
    await socket.send_to(text_data=batch.dump())
    ack = protocol.parse_server_frame(await socket.receive_from(timeout=5))
    assert isinstance(ack, protocol.ActivitiesAck)
    assert ack.batch == "b1"
    assert [(i.id, i.status) for i in ack.items] == [
        ("t1", "accepted"),
        ("t2", "rejected"),
        ("t3", "rejected"),
    ]
    stored = await sync_to_async(
        lambda: list(
            Activity.objects.filter(owner=alice).values_list("external_id", "source", "agent_id")
        )
    )()
    assert stored == [("t1", "agent", agent.pk)]
    # switching tracking changes what the connected agent is told
    await sync_to_async(save_tracking)(
        owner=alice, disabled_types=[], disabled_applications=["Chase"], retention_days={}
    )
    update = protocol.parse_server_frame(await socket.receive_from(timeout=5))
    assert isinstance(update, protocol.ConfigUpdate)
    assert update.config["tracking"] == {"disabled_types": [], "disabled_applications": ["Chase"]}
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_open_dashboards_hear_of_new_activities_and_others_do_not(
    alice: Any, bob: Any
) -> None:
    from tests.conftest import verified_session_key

    sockets = []
    for user in (alice, bob):
        key = await sync_to_async(verified_session_key)(user)
        socket = WebsocketCommunicator(
            application,
            "/ws/live/",
            headers=[
                (b"host", b"localhost"),
                (b"origin", b"http://localhost"),
                (b"cookie", f"sessionid={key}".encode()),
            ],
        )
        connected, _ = await socket.connect()
        assert connected
        sockets.append(socket)
    await sync_to_async(store)(alice, spend("live1", "-3.00"), spend("live2", "-4.00"))
    frame = json.loads(await sockets[0].receive_from(timeout=5))
    assert frame == {"type": "activities.changed", "added": 2}
    assert await sockets[1].receive_nothing(timeout=0.5)
    await sync_to_async(store)(alice, spend("live1", "-3.00"))  # a duplicate: nothing new
    assert await sockets[0].receive_nothing(timeout=0.5)
    for socket in sockets:
        await socket.disconnect()


@pytest.mark.django_db
def test_a_bare_date_stays_on_its_day_in_the_user_s_zone(alice: Any) -> None:
    alice.time_zone = "America/Los_Angeles"
    alice.save()
    store(alice, {"id": "d", "type": "other", "timestamp": "2026-01-15", "description": "x"})
    when = Activity.objects.get(owner=alice).occurred_at.astimezone(alice.tzinfo)
    assert (when.date().isoformat(), when.hour) == ("2026-01-15", 12)
