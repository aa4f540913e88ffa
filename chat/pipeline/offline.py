"""The offline assistant: a deterministic chat model used when no LLM endpoint is set.

It is a real LangChain chat model in the same graph (tool binding, streaming, tool
calls), so everything around it is exercised exactly as with a real model. It recognises
a few common requests as tool calls, when the tool exists for this user right now, and
otherwise says plainly what is missing: a connected computer, a feature, or a model."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

NO_MODEL = (
    "No language model is configured on this server, so I can only handle a few built-in "
    "requests. To chat freely, set `LMO_LLM_BASE_URL`, `LMO_LLM_API_KEY` and "
    "`LMO_LLM_MODEL` to any OpenAI-compatible endpoint (OpenAI, llama.cpp, vLLM, Ollama) "
    "and restart LMO.\n\nHere is what I understand without one:\n\n{examples}"
)
NEEDS_COMPUTER = (
    "{what} happens on your computer, and no computer with that ability is connected. "
    "Install the LMO agent on it (`pipx install ./agent_bridge/local_agent` from LMO's "
    "repository), run `lmo-agent pair --server <this server's address>` and pair it in "
    "Settings → Apps."
)
NEEDS_ACTIVITIES = "{what} needs your activities, which are not available right now."


@dataclass(frozen=True)
class Intent:
    pattern: re.Pattern[str]
    tool: str
    example: str
    missing: str

    def args(self, match: re.Match[str]) -> dict[str, Any]:
        return {k: v.strip() for k, v in match.groupdict().items() if v}


def _p(regex: str) -> re.Pattern[str]:
    return re.compile(regex, re.IGNORECASE)


INTENTS: tuple[Intent, ...] = (
    Intent(
        _p(
            r"\b(?:list|show)\b.*?\bfiles?\b.*?\b(?:in|under|of|from)\s+(?P<path>[~/.\w\\:-][^\s?]*)"
        ),
        "filesystem_list",
        "list files in ~/Downloads",
        NEEDS_COMPUTER.format(what="Listing files"),
    ),
    Intent(
        _p(r"^\s*(?:please\s+)?open\s+(?P<url>(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?)"),
        "browser_open",
        "open example.com",
        NEEDS_COMPUTER.format(what="Opening a page"),
    ),
    Intent(
        _p(
            r"\bspen[dt]\b.*?\bon\s+(?P<category>[a-z][\w &-]*?)"
            r"(?:\s+(?P<period>last month|this month|last week|this week|last year|this year|today|yesterday))?\s*\??\s*$"
        ),
        "activities_spending",
        "what did I spend on groceries last month?",
        NEEDS_ACTIVITIES.format(what="Summarising your spending"),
    ),
    Intent(
        _p(r"\bsearch\b.*?\bactivit(?:y|ies)\b\s+(?:for|about)\s+(?P<query>[^?]+?)\s*\??$"),
        "activities_search",
        "search my activities for amazon",
        NEEDS_ACTIVITIES.format(what="Searching your activities"),
    ),
    Intent(
        _p(r"\b(?:show|list)\b.*\bjob applications?\b"),
        "activities_job_applications",
        "show my job applications",
        NEEDS_ACTIVITIES.format(what="Listing your job applications"),
    ),
    Intent(
        _p(
            r"\bI\s+applied\s+(?:to|at|with)\s+(?P<company>.+?)\s+(?:as|for)\s+(?:an?\s+)?(?P<role>[^.!?]+)"
        ),
        "activities_record_job",
        "I applied to Acme as backend engineer",
        NEEDS_ACTIVITIES.format(what="Recording a job application"),
    ),
    Intent(
        _p(r"\bwhat(?:'s| is)? (?:the )?(?:time|date)\b|\bwhat time is it\b|\btoday'?s date\b"),
        "current_time",
        "what time is it?",
        "I cannot tell the time right now.",
    ),
    Intent(
        _p(r"\b(?:chart|graph|plot)\b.*\b(?:chat|messages|conversations)\b"),
        "chat_activity_chart",
        "chart my chat activity",
        "Charts of your chats are not available.",
    ),
    Intent(
        _p(r"\b(?:list|show)\b.*\b(?:my\s+)?conversations\b"),
        "list_conversations",
        "list my conversations",
        "Listing conversations is not available.",
    ),
)


def examples_text() -> str:
    return "\n".join(f"- “{intent.example}”" for intent in INTENTS)


def _tool_names(tools: Any) -> set[str]:
    names = set()
    for tool in tools or ():
        function = tool.get("function", {}) if isinstance(tool, dict) else {}
        if function.get("name"):
            names.add(function["name"])
    return names


def _call_id(messages: list[BaseMessage], tool: str) -> str:
    seed = f"{len(messages)}:{tool}:{messages[-1].content if messages else ''}"
    return "call_" + hashlib.sha256(seed.encode()).hexdigest()[:16]


def decide(messages: list[BaseMessage], tools: Any) -> AIMessage:
    """The offline assistant's whole mind: deterministic in its inputs."""
    trailing: list[ToolMessage] = []
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            break
        trailing.insert(0, message)
    if trailing:
        return AIMessage(content=_summarise(trailing))
    last = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
    text = str(last.content) if last is not None else ""
    available = _tool_names(tools)
    for intent in INTENTS:
        match = intent.pattern.search(text)
        if match is None:
            continue
        if intent.tool not in available:
            return AIMessage(content=intent.missing)
        return AIMessage(
            content="",
            tool_calls=[
                {
                    "name": intent.tool,
                    "args": intent.args(match),
                    "id": _call_id(messages, intent.tool),
                    "type": "tool_call",
                }
            ],
        )
    return AIMessage(content=NO_MODEL.format(examples=examples_text()))


def _summarise(results: list[ToolMessage]) -> str:
    parts = []
    for result in results:
        artifact = result.artifact if isinstance(result.artifact, dict) else {}
        shown = artifact.get("shown")
        content = str(shown or result.content)
        if result.status == "error" and not shown:
            parts.append(f"That did not work: {content}")
        else:
            parts.append(content)
    return "\n\n".join(parts)


class OfflineAssistant(BaseChatModel):
    """Deterministic, streaming, tool-calling; never leaves the process."""

    @property
    def _llm_type(self) -> str:
        return "lmo-offline"

    def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Any:
        schemas = [t if isinstance(t, dict) else {"function": {"name": str(t)}} for t in tools]
        return self.bind(tools=schemas, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(
            generations=[ChatGeneration(message=decide(messages, kwargs.get("tools")))]
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        answer = decide(messages, kwargs.get("tools"))
        if answer.tool_calls:
            call = answer.tool_calls[0]
            chunk = AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {
                        "name": call["name"],
                        "args": json.dumps(call["args"]),
                        "id": call["id"],
                        "index": 0,
                        "type": "tool_call_chunk",
                    }
                ],
            )
            yield ChatGenerationChunk(message=chunk)
            return
        for token in re.findall(r"\S+\s*|\s+", str(answer.content)):
            # BaseChatModel.stream reports each chunk to the callbacks (LangGraph's
            # "messages" stream mode among them).
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))
