"""The consent page an MCP client sends the user to (signed in with MFA first, as every
page): it names the client and the exact address it will be sent back to; Allow or
Deny, once."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from lmo.mcp_server.oauth import ConsentError, answer_consent, pending_consent
from lmo.organisations.access import current_membership


class _Redirect(HttpResponseRedirect):
    # The client's redirect URI may be a custom scheme (a desktop app) or loopback.
    allowed_schemes = ["http", "https", "cursor", "vscode", "claude", "chatgpt"]


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    try:
        pending = pending_consent(pk)
    except ConsentError as exc:
        return render(request, "mcp_server/consent.html", {"problem": str(exc)}, status=400)
    membership = current_membership(user)
    if request.method == "POST":
        choice = request.POST.get("choice")
        if choice not in ("allow", "deny"):
            return render(
                request,
                "mcp_server/consent.html",
                {"pending": pending, "membership": membership, "problem": "Choose Allow or Deny."},
                status=400,
            )
        try:
            target = answer_consent(membership=membership, pk=pk, allow=choice == "allow")
        except ConsentError as exc:
            return render(request, "mcp_server/consent.html", {"problem": str(exc)}, status=400)
        response = _Redirect(target)
        response.allowed_schemes = [target.split(":", 1)[0].lower()]
        return response
    return render(
        request, "mcp_server/consent.html", {"pending": pending, "membership": membership}
    )
