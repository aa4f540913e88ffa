"""Running the graph for one answer and turning its stream into tokens and phases.

The runner knows nothing of HTML or sockets: it reports to a ``Sink`` (the chat's live
answer) and returns an ``Outcome``. LLM failures become friendly explanations here."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import openai
from django.conf import settings
from langchain_core.messages import AIMessageChunk, BaseMessage, RemoveMessage
from langgraph.errors import GraphRecursionError
from langgraph.graph.message import REMOVE_ALL_MESSAGES
from langgraph.types import Command

from chat.pipeline.checkpoint import get_graph
from chat.pipeline.usage import add_usage, usage_of
from lmo.organisations.llm import LLMConfig, llm_config, server_llm_config

log = logging.getLogger(__name__)
RECURSION_LIMIT = 25


class Sink(Protocol):
    def on_phase(self, phase: str, detail: dict[str, Any]) -> None: ...
    def on_token(self, text: str) -> None: ...
    def should_stop(self) -> bool: ...


@dataclass
class Outcome:
    state: Literal["done", "waiting", "stopped", "error"]
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    waiting: dict[str, Any] | None = None
    error: str = ""
    # Tokens the provider reported for this stretch of the run (chat.pipeline.usage).
    usage: dict[str, int] = field(default_factory=dict)


def graph_config(
    *,
    user_id: int,
    conversation_id: int,
    message_id: int,
    organisation_id: int | None = None,
    machine_tools: bool = True,
) -> dict[str, Any]:
    return {
        "configurable": {
            "thread_id": f"conversation-{conversation_id}",
            "user_id": user_id,
            "conversation_id": conversation_id,
            "message_id": message_id,
            # Whose model endpoint answers (lmo.organisations.llm); None: the server's.
            "organisation_id": organisation_id,
            # False for a program whose key may not run commands on the user's computers.
            "machine_tools": machine_tools,
        },
        "recursion_limit": RECURSION_LIMIT,
    }


def start_input(context: list[BaseMessage]) -> dict[str, Any]:
    """A new turn: the conversation's context replaces whatever the thread held."""
    return {"messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES), *context], "tool_errors": 0}


def run(
    *,
    graph_input: Any,
    config: dict[str, Any],
    sink: Sink,
    text_so_far: str = "",
    graph: Any = None,
) -> Outcome:
    """Stream one run (a new turn, a ``Command(resume=...)``, or None to continue from the
    last checkpoint) until it ends, waits, is stopped, or fails."""
    graph = graph if graph is not None else get_graph()
    streamed: list[str] = [text_so_far] if text_so_far else []
    final: dict[str, Any] = {}
    usage: dict[str, int] = {}
    # Checkpoints are written while the next step runs (LangGraph waits for them before
    # the run returns, so a wait or an end is always saved).
    stream = graph.stream(
        graph_input, config, stream_mode=["messages", "custom", "updates"], durability="async"
    )
    try:
        for mode, payload in stream:
            if sink.should_stop():
                return Outcome(state="stopped", text="".join(streamed), usage=usage)
            if mode == "messages":
                chunk, meta = payload
                usage = add_usage(usage, usage_of(chunk))
                text = _text_of(chunk)
                if text and meta.get("langgraph_node") == "classify":
                    if not streamed:
                        sink.on_phase("writing", {})
                    streamed.append(text)
                    sink.on_token(text)
            elif mode == "custom" and isinstance(payload, dict) and payload.get("phase"):
                sink.on_phase(str(payload["phase"]), payload)
            elif mode == "updates" and isinstance(payload, dict):
                if "__interrupt__" in payload:
                    waits = [item.value for item in payload["__interrupt__"]]
                    return Outcome(
                        state="waiting",
                        text="".join(streamed),
                        waiting=waits[0] if waits else {},
                        usage=usage,
                    )
                if payload.get("respond"):
                    final = payload["respond"]
    except Exception as exc:
        return Outcome(
            state="error",
            text="".join(streamed),
            error=explain(exc, llm_config(config.get("configurable", {}).get("organisation_id"))),
            usage=usage,
        )
    finally:
        stream.close()
    text = "".join(streamed) or str(final.get("answer") or "")
    return Outcome(state="done", text=text, blocks=list(final.get("blocks") or []), usage=usage)


def resume_input(value: Any) -> Command:
    return Command(resume=value)


def _text_of(chunk: Any) -> str:
    if not isinstance(chunk, AIMessageChunk):
        return ""
    content = chunk.content
    if isinstance(content, str):
        return content
    return "".join(
        part.get("text", "")
        for part in content
        if isinstance(part, dict) and part.get("type") == "text"
    )


def explain(exc: BaseException, llm: LLMConfig | None = None) -> str:
    """What the user reads when an answer fails (the details go to the log): it names the
    endpoint that failed and where it is set (the server's variables or the organisation's
    settings)."""
    llm = llm or server_llm_config()
    where = llm.base_url or "the configured endpoint"
    own = llm.source == "organisation"
    if isinstance(exc, openai.RateLimitError):
        log.warning("LLM rate limited: %s", exc)
        return "The language model is busy right now (rate limited). Wait a moment, then retry."
    if isinstance(exc, openai.APITimeoutError):
        log.warning("LLM timeout: %s", exc)
        return (
            f"The language model did not answer within {settings.LMO_LLM_TIMEOUT:g} seconds. "
            "Retry, or raise LMO_LLM_TIMEOUT if it is a slow local model."
        )
    if isinstance(exc, openai.APIConnectionError):
        log.warning("LLM unreachable: %s", exc)
        return (
            f"I could not reach the language model at {where}. Check that it is running "
            f"and that {llm.where} is right, then retry."
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        log.warning("LLM refused the key: %s", exc)
        key = "the organisation's LLM key (Settings → Organisation)" if own else "LMO_LLM_API_KEY"
        return f"The language model refused the request: check {key}."
    if isinstance(exc, openai.APIStatusError):
        log.warning("LLM error status %s: %s", exc.status_code, exc)
        return f"The language model answered with an error (HTTP {exc.status_code}). Retry in a moment."
    if isinstance(exc, GraphRecursionError):
        log.warning("assistant run hit the recursion limit")
        return "I kept going round in circles with tools and stopped. Try rephrasing the request."
    if isinstance(exc, ValueError | TypeError | KeyError | openai.APIResponseValidationError):
        log.warning("malformed answer from the LLM", exc_info=exc)
        return (
            "The language model sent an answer I could not understand. Retry, or try another model."
        )
    log.error("assistant run failed", exc_info=exc)
    return "Something went wrong while answering. Retry; if it keeps failing, tell your operator."
