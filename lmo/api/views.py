"""Settings → API forms: create a key (shown once), revoke one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from lmo.api.forms import KeyForm
from lmo.api.keys import ApiKeyError, create_api_key, revoke_api_key
from lmo.api.models import ApiKey
from lmo.api.tab import tab_context
from lmo.organisations.access import current_membership
from lmo.tabs import render_settings_tab

TAB = "api"


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = KeyForm(request.POST)
    if not form.is_valid():
        return render_settings_tab(request, TAB, **tab_context(request, form), error=True)
    user: Any = request.user
    try:
        key, raw = create_api_key(
            membership=current_membership(user),
            name=form.cleaned_data["name"],
            scopes=list(form.cleaned_data["scopes"]),
            expires_at=form.expires_at(user.tzinfo),
        )
    except ApiKeyError as exc:
        return render_settings_tab(
            request, TAB, **tab_context(request, form), error=True, key_error=str(exc)
        )
    return render_settings_tab(request, TAB, **tab_context(request), new_key=key, new_raw=raw)


@login_required
@require_POST
def revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=key_id, user=request.user)
    revoke_api_key(user=request.user, key_id=key.pk)
    return render_settings_tab(request, TAB, **tab_context(request), revoked=key)
