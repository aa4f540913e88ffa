"""Settings → Organisation: the organisations you belong to, the current one's members,
invitations and settings (the last two for owners and admins)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lmo.organisations.access import current_membership, memberships_for_user
from lmo.organisations.forms import CreateForm, InviteForm, LLMForm
from lmo.organisations.llm import server_llm_config
from lmo.organisations.models import Membership, Role


def tab_context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    me = current_membership(request.user)
    organisation = me.organisation
    members = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__email")
    )
    context: dict[str, Any] = {
        "me": me,
        "organisation": organisation,
        "memberships": memberships_for_user(request.user),
        "members": members,
        "roles": Role.choices,
        "create_form": forms.get("create_form") or CreateForm(),
        "server_llm": server_llm_config(),
        "default_key_rpm": settings.LMO_API_KEY_REQUESTS_PER_MINUTE,
        "default_org_rpm": settings.LMO_API_ORG_REQUESTS_PER_MINUTE,
    }
    if me.can_manage:
        context["invitations"] = [
            i for i in organisation.invitations.select_related("invited_by") if i.is_open
        ]
        context["invite_form"] = forms.get("invite_form") or InviteForm()
        context["llm_form"] = forms.get("llm_form") or LLMForm(
            initial={"base_url": organisation.llm_base_url, "model": organisation.llm_model}
        )
    return context
