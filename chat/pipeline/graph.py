"""The assistant graph: classify -> parse -> execute -> (classify ...) -> respond.

- ``classify`` asks the model, with the user's tools bound, whether and how to act
  (tool calling fulfils both classify and parse).
- ``parse`` checks each tool call against the tool's schema; bad arguments go back to
  the model once as an error, and are reported the second time.
- ``execute`` runs the tools. A tool may wait for an outside event (a permission, a
  machine's result) with ``interrupt()``; the run continues with ``Command(resume=...)``
  and the node re-runs from its start, so tools key side effects on
  ``ToolContext.idempotency_key``.
- ``respond`` gathers the final answer and the rich blocks of this turn.

The graph is streamed with the "messages" and "custom" modes; the runner turns that into
tokens and phases for the chat. Nodes know nothing of Django rendering or sockets."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal, TypedDict

from django.contrib.auth import get_user_model
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.config import get_stream_writer
from langgraph.errors import GraphInterrupt
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from pydantic import ValidationError

from chat.pipeline.llm import get_chat_model
from chat.pipeline.tools import Tool, ToolContext, ToolError, ToolResult, tools_for_user
from chat.rich import clean_blocks

log = logging.getLogger(__name__)
MAX_TOOL_ARG_RETRIES = 1


class AssistantState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    # Rounds of invalid tool arguments in this turn (reset with each new question).
    tool_errors: int
    answer: str
    blocks: list[dict[str, Any]]


def _configurable(config: RunnableConfig) -> dict[str, Any]:
    return dict(config.get("configurable") or {})


def _tools(config: RunnableConfig) -> dict[str, Tool]:
    conf = _configurable(config)
    user = get_user_model().objects.get(pk=conf["user_id"])
    tools = tools_for_user(user)
    if not conf.get("machine_tools", True):
        # An API key without computers:run: the user's computers are not offered.
        tools = [t for t in tools if t.kind != "machine"]
    return {tool.name: tool for tool in tools}


def classify(state: AssistantState, config: RunnableConfig) -> AssistantState:
    get_stream_writer()({"phase": "thinking"})
    tools = _tools(config)
    model: Any = get_chat_model(_configurable(config).get("organisation_id"))
    if tools:
        model = model.bind_tools([tool.openai_schema() for tool in tools.values()])
    answer = model.invoke(state["messages"], config)
    if not isinstance(answer, AIMessage):
        raise TypeError(f"the model answered with {type(answer).__name__}")
    return {"messages": [answer]}


def _after_classify(state: AssistantState) -> Literal["parse", "respond"]:
    last = state["messages"][-1]
    wants_tools = isinstance(last, AIMessage) and (last.tool_calls or last.invalid_tool_calls)
    return "parse" if wants_tools else "respond"


def parse(state: AssistantState, config: RunnableConfig) -> AssistantState:
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    tools = _tools(config)
    problems: dict[str, str] = {}
    calls = [(c["id"] or "", c["name"]) for c in last.tool_calls]
    for bad in last.invalid_tool_calls:
        calls.append((bad.get("id") or "", bad.get("name") or "unknown"))
        problems[bad.get("id") or ""] = (
            f"The arguments for {bad.get('name')} are not valid JSON: {bad.get('error') or ''}"
        )
    for call in last.tool_calls:
        tool = tools.get(call["name"])
        if tool is None:
            problems[call["id"] or ""] = f"There is no tool named {call['name']!r}."
            continue
        try:
            tool.args.model_validate(call["args"])
        except ValidationError as exc:
            problems[call["id"] or ""] = f"Invalid arguments for {call['name']}: " + "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors()
            )
    if not problems:
        return {}
    errors = state.get("tool_errors", 0) + 1
    replies: list[AnyMessage] = [
        ToolMessage(
            content=problems.get(
                call_id, "Not run: another call in this step had invalid arguments."
            ),
            tool_call_id=call_id,
            name=name,
            status="error",
        )
        for call_id, name in calls
    ]
    if errors > MAX_TOOL_ARG_RETRIES:
        details = " ".join(problems.values())
        replies.append(
            AIMessage(content=f"I could not use the tool: its arguments were invalid. {details}")
        )
    return {"messages": replies, "tool_errors": errors}


def _after_parse(state: AssistantState) -> Literal["execute", "classify", "respond"]:
    last = state["messages"][-1]
    if isinstance(last, AIMessage):
        return "execute" if last.tool_calls else "respond"
    return "classify"


def execute(state: AssistantState, config: RunnableConfig) -> AssistantState:
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    tools = _tools(config)
    conf = _configurable(config)
    writer = get_stream_writer()
    results: list[AnyMessage] = []
    for call in last.tool_calls:
        tool = tools[call["name"]]
        writer({"phase": "tool", "tool": tool.name, "label": tool.label or tool.name})
        context = ToolContext(
            user_id=conf["user_id"],
            conversation_id=conf["conversation_id"],
            message_id=conf["message_id"],
            tool_call_id=call["id"] or "",
        )
        result = _run_tool(tool, context, call["args"])
        results.append(
            ToolMessage(
                content=result.text,
                tool_call_id=call["id"] or "",
                name=tool.name,
                status="error" if result.error else "success",
                artifact={"blocks": clean_blocks(result.blocks), "shown": result.shown},
            )
        )
    return {"messages": results}


def _run_tool(tool: Tool, context: ToolContext, raw_args: dict[str, Any]) -> ToolResult:
    try:
        return tool.run(context, tool.args.model_validate(raw_args))
    except GraphInterrupt:
        raise
    except ToolError as exc:
        return ToolResult(text=str(exc), error=True)
    except Exception:
        log.exception("tool %s failed", tool.name)
        return ToolResult(text=f"The tool {tool.name} failed unexpectedly.", error=True)


def respond(state: AssistantState) -> AssistantState:
    turn: list[AnyMessage] = []
    for message in reversed(state["messages"]):
        if isinstance(message, HumanMessage):
            break
        turn.insert(0, message)
    blocks: list[dict[str, Any]] = []
    for message in turn:
        if isinstance(message, ToolMessage) and isinstance(message.artifact, dict):
            blocks.extend(message.artifact.get("blocks") or [])
    last = turn[-1] if turn else None
    answer = str(last.content) if isinstance(last, AIMessage) else ""
    return {"answer": answer, "blocks": blocks}


def build_graph(checkpointer: BaseCheckpointSaver[Any] | None) -> Any:
    graph = StateGraph(AssistantState)
    graph.add_node("classify", classify)
    graph.add_node("parse", parse)
    graph.add_node("execute", execute)
    graph.add_node("respond", respond)
    graph.add_edge(START, "classify")
    graph.add_conditional_edges("classify", _after_classify)
    graph.add_conditional_edges("parse", _after_parse)
    graph.add_edge("execute", "classify")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)
