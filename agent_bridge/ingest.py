"""Activity batches from the agent's outbox. The activities app registers the ingestor
that stores them; each item is answered (accepted, duplicate, rejected), and the agent
deletes from its outbox only what was answered. With no ingestor nothing is answered, so
nothing is lost: the agent keeps the batch and offers it again later."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_bridge.local_agent import protocol

Ingestor = Callable[[Any, list[dict[str, Any]]], list[protocol.ItemOutcome]]
_ingestor: Ingestor | None = None


def register_ingestor(ingestor: Ingestor) -> None:
    """``ingestor(agent, items)`` stores what it can and answers every item."""
    global _ingestor
    _ingestor = ingestor


def ingest_batch(*, agent_id: Any, batch: protocol.ActivitiesBatch) -> protocol._Frame:
    from agent_bridge.models import Agent

    if _ingestor is None:
        return protocol.Error(
            code="internal",
            message="This server does not store activities yet; keep them and retry later.",
            ref=batch.batch[:64],
        )
    agent = Agent.objects.select_related("owner").get(pk=agent_id)
    return protocol.ActivitiesAck(batch=batch.batch, items=_ingestor(agent, batch.items))
