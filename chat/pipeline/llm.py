"""The chat model: any OpenAI-compatible endpoint, or the offline assistant."""

from __future__ import annotations

from django.conf import settings
from langchain_core.language_models.chat_models import BaseChatModel

from chat.pipeline.offline import OfflineAssistant


def llm_configured() -> bool:
    return bool(settings.LMO_LLM_ENABLED)


def get_chat_model() -> BaseChatModel:
    """A new model client per run: settings may differ between test runs, and a client
    is cheap next to the request it makes."""
    if not llm_configured():
        return OfflineAssistant()
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        base_url=settings.LMO_LLM_BASE_URL,
        # Local servers (llama.cpp, Ollama...) take any key; the client insists on one.
        api_key=SecretStr(settings.LMO_LLM_API_KEY or "not-needed"),
        model=settings.LMO_LLM_MODEL,
        temperature=settings.LMO_LLM_TEMPERATURE,
        timeout=settings.LMO_LLM_TIMEOUT,
        max_retries=settings.LMO_LLM_MAX_RETRIES,
        streaming=True,
    )
