"""Which model endpoint an organisation's assistant uses: its own settings where set,
the server's default (LMO_LLM_*) otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from lmo.organisations.models import Organisation


@dataclass(frozen=True)
class LLMConfig:
    base_url: str | None
    model: str
    # repr=False: a config printed in a log or a traceback never shows the key.
    api_key: str = field(repr=False, default="")
    source: str = "server"  # "server" or "organisation"

    @property
    def enabled(self) -> bool:
        return bool(self.base_url or self.api_key)

    @property
    def where(self) -> str:
        if self.source == "organisation":
            return "the organisation's LLM endpoint (Settings → Organisation)"
        return "LMO_LLM_BASE_URL"


def server_llm_config() -> LLMConfig:
    return LLMConfig(
        base_url=settings.LMO_LLM_BASE_URL,
        model=settings.LMO_LLM_MODEL,
        api_key=settings.LMO_LLM_API_KEY or "",
    )


def llm_config(organisation_id: int | None) -> LLMConfig:
    default = server_llm_config()
    if organisation_id is None:
        return default
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not (organisation.overrides_llm or organisation.llm_model):
        return default
    if not organisation.overrides_llm:
        # Only a model name: the server's endpoint with this organisation's model.
        return LLMConfig(
            base_url=default.base_url,
            model=organisation.llm_model,
            api_key=default.api_key,
            source="server",
        )
    return LLMConfig(
        base_url=organisation.llm_base_url or default.base_url,
        model=organisation.llm_model or default.model,
        api_key=organisation.llm_api_key(),
        source="organisation",
    )
