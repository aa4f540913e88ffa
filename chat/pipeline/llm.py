"""The chat model: any OpenAI-compatible endpoint (the organisation's, or the server's
default), or the offline assistant."""

from __future__ import annotations

from django.conf import settings
from langchain_core.language_models.chat_models import BaseChatModel

from chat.pipeline.offline import OfflineAssistant
from lmo.organisations.llm import llm_config


def llm_configured(organisation_id: int | None = None) -> bool:
    return llm_config(organisation_id).enabled


def get_chat_model(organisation_id: int | None = None) -> BaseChatModel:
    """A new model client per run: settings may differ between test runs, and a client
    is cheap next to the request it makes."""
    config = llm_config(organisation_id)
    if not config.enabled:
        return OfflineAssistant()
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        base_url=config.base_url,
        # Local servers (llama.cpp, Ollama...) take any key; the client insists on one.
        api_key=SecretStr(config.api_key or "not-needed"),
        model=config.model,
        temperature=settings.LMO_LLM_TEMPERATURE,
        timeout=settings.LMO_LLM_TIMEOUT,
        max_retries=settings.LMO_LLM_MAX_RETRIES,
        streaming=True,
        # Streams end with the provider's token counts (stream_options.include_usage).
        stream_usage=True,
    )
