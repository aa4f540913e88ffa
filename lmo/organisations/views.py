"""Settings → Organisation forms and the invitation page. Each parses, calls one
action and renders the tab again; an action's refusal is shown, nothing is changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lmo.organisations import actions
from lmo.organisations.access import current_membership, get_membership_for_user
from lmo.organisations.actions import OrganisationError
from lmo.organisations.forms import (
    CreateForm,
    InviteForm,
    LLMForm,
    QuotaForm,
    RateLimitForm,
    RoleForm,
)
from lmo.organisations.models import Membership
from lmo.organisations.tab import tab_context
from lmo.tabs import render_settings_tab

TAB = "organisation"


def _tab(request: HttpRequest, **extra: Any) -> HttpResponse:
    forms = {k: extra.pop(k) for k in ("create_form", "invite_form", "llm_form") if k in extra}
    return render_settings_tab(request, TAB, **tab_context(request, **forms), **extra)


def _attempt(request: HttpRequest, change: Callable[[], Any], done: str) -> HttpResponse:
    try:
        change()
    except OrganisationError as exc:
        return _tab(request, error=str(exc))
    return _tab(request, saved=done)


@login_required
@require_POST
def switch(request: HttpRequest, organisation_id: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, organisation_id)
    actions.switch_organisation(membership=membership)
    return _tab(request, saved=f"You now work in {membership.organisation.name}.")


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = CreateForm(request.POST)
    if not form.is_valid():
        return _tab(request, create_form=form, error="Give the organisation a name.")

    def change() -> None:
        organisation = actions.create_organisation(
            user=request.user, name=form.cleaned_data["name"]
        )
        actions.switch_organisation(
            membership=get_membership_for_user(request.user, organisation.pk)
        )

    return _attempt(request, change, f"Created {form.cleaned_data['name']}.")


@login_required
@require_POST
def rename(request: HttpRequest) -> HttpResponse:
    me = current_membership(request.user)
    name = request.POST.get("name", "")
    return _attempt(request, lambda: actions.rename_organisation(by=me, name=name), "Renamed.")


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    me = current_membership(request.user)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _tab(request, invite_form=form, error="Check the invitation's fields.")
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    return _attempt(
        request,
        lambda: actions.invite(by=me, email=email, role=role),
        f"Invitation sent to {email}.",
    )


@login_required
@require_POST
def revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    me = current_membership(request.user)
    return _attempt(
        request,
        lambda: actions.revoke_invitation(by=me, invitation_id=invitation_id),
        "Invitation withdrawn.",
    )


def _member_of_current(request: HttpRequest, member_id: int) -> tuple[Membership, Membership]:
    me = current_membership(request.user)
    member = get_object_or_404(Membership, pk=member_id, organisation_id=me.organisation_id)
    return me, member


@login_required
@require_POST
def change_role(request: HttpRequest, member_id: int) -> HttpResponse:
    me, member = _member_of_current(request, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _tab(request, error="Choose a role.")
    role = form.cleaned_data["role"]
    return _attempt(
        request,
        lambda: actions.change_role(by=me, member_id=member.pk, role=role),
        "Role changed.",
    )


@login_required
@require_POST
def remove(request: HttpRequest, member_id: int) -> HttpResponse:
    me, member = _member_of_current(request, member_id)
    done = "You left the organisation." if member.pk == me.pk else "Member removed."
    return _attempt(request, lambda: actions.remove_member(by=me, member_id=member.pk), done)


@login_required
@require_POST
def llm(request: HttpRequest) -> HttpResponse:
    me = current_membership(request.user)
    form = LLMForm(request.POST)
    if not form.is_valid():
        return _tab(request, llm_form=form, error="Check the LLM settings.")
    data = form.cleaned_data
    return _attempt(
        request,
        lambda: actions.save_llm_settings(
            by=me,
            base_url=data["base_url"],
            model=data["model"],
            api_key=data["api_key"] or None,
            clear_key=data["clear_key"],
        ),
        "LLM settings saved.",
    )


@login_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the e-mail. Signing in (or up) with MFA happens first, as for any page."""
    found = actions.find_invitation(token)
    problem = actions.invitation_problem(found, request.user)
    if request.method == "POST" and problem is None:
        try:
            membership = actions.accept_invitation(user=request.user, token=token)
        except OrganisationError as exc:
            problem = str(exc)
        else:
            actions.switch_organisation(membership=membership)
            messages.success(request, f"You joined {membership.organisation.name}.")
            return redirect("settings_tab", tab=TAB)
    status = 200
    if problem is not None:
        status = 404 if found is None else (410 if not found.is_open else 403)
    return render(
        request,
        "organisations/invitation.html",
        {"invitation": found, "problem": problem},
        status=status,
    )


@login_required
@require_POST
def quota(request: HttpRequest) -> HttpResponse:
    me = current_membership(request.user)
    form = QuotaForm(request.POST)
    if not form.is_valid():
        return _tab(request, error="A quota is a whole number of tokens, 0 or more.")
    value = form.cleaned_data["quota"]
    return _attempt(request, lambda: actions.set_token_quota(by=me, quota=value), "Quota saved.")


@login_required
@require_POST
def member_quota(request: HttpRequest, member_id: int) -> HttpResponse:
    me, member = _member_of_current(request, member_id)
    form = QuotaForm(request.POST)
    if not form.is_valid():
        return _tab(request, error="A quota is a whole number of tokens, 0 or more.")
    value = form.cleaned_data["quota"]
    return _attempt(
        request,
        lambda: actions.set_token_quota(by=me, quota=value, member_id=member.pk),
        f"Quota of {member.user.email} saved.",
    )


@login_required
@require_POST
def rate_limits(request: HttpRequest) -> HttpResponse:
    me = current_membership(request.user)
    form = RateLimitForm(request.POST)
    if not form.is_valid():
        return _tab(
            request, error="A rate limit is a whole number of requests per minute, 1 or more."
        )
    data = form.cleaned_data
    return _attempt(
        request,
        lambda: actions.set_rate_limits(
            by=me,
            requests_per_minute=data["requests_per_minute"],
            key_requests_per_minute=data["key_requests_per_minute"],
        ),
        "Rate limits saved.",
    )
