"""One of everything for a user: a row of every model in ``owned_models()`` (checked), with
text that names the user, so a test can look for another user's words in an archive and
for their rows after a deletion."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from activities.actions.ingest import ingest_activities
from activities.models import Activity, PendingImport, StatusChange, Tag, TrackingPreference
from agent_bridge.models import Agent, AgentToken, Pairing
from chat.models import AssistantRun, Conversation, Message
from lmo.accounts.models import BackupCodeDevice
from lmo.api.keys import create_api_key
from lmo.api.models import IdempotentRequest, RequestLog, Scope
from lmo.mcp_server.models import AuthorizationCode, McpConnection, OAuthClient, OAuthToken
from lmo.organisations.access import current_membership
from lmo.privacy.models import DataExport
from lmo.privacy.owned import owned_models
from lmo.usage.models import UsageDay
from notifications.models import CategoryPreference, Delivery, Notification, NotificationSettings
from permissions.audit import seal
from permissions.models import CommandRun, Grant, PermissionRequest, RunFile


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def seed_everything(user: Any) -> dict[str, Any]:
    """Rows of every owned model for ``user``; returns the secrets made on the way."""
    now = timezone.now()
    tag = user.email  # every text names its owner
    membership = current_membership(user)
    conversation = Conversation.objects.create(owner=user, title=f"Plans of {tag}")
    question = Message.objects.create(
        conversation=conversation, sender="user", content=f"Question from {tag}"
    )
    answer = Message.objects.create(
        conversation=conversation,
        sender="assistant",
        content=f"Answer for {tag}",
        answer_to=question,
    )
    Message.objects.create(
        conversation=conversation, sender="user", content=f"Thread reply of {tag}", parent=question
    )
    voice = Message(conversation=conversation, sender="user", type="voice", content="")
    voice.audio.save("clip.webm", ContentFile(f"voice of {tag}".encode()), save=False)
    voice.save()
    AssistantRun.objects.create(
        conversation=conversation, answer=answer, state="finished", finished_at=now
    )
    ingest_activities(
        owner=user,
        source="import",
        items=[
            {
                "id": f"f-{tag}",
                "type": "financial",
                "timestamp": now.isoformat(),
                "description": f"Coffee of {tag}",
                "amount": "-3.20",
                "currency": "EUR",
                "category": "coffee",
                "counterparty": "Cafe",
                "tags": ["treat"],
            },
            {
                "id": f"j-{tag}",
                "type": "job",
                "timestamp": now.isoformat(),
                "description": f"Application of {tag}",
                "company": "Acme",
                "role": "Engineer",
                "status": "applied",
            },
        ],
    )
    assert Tag.objects.filter(activity__owner=user).exists()
    assert StatusChange.objects.filter(activity__owner=user).exists()
    TrackingPreference.objects.create(owner=user, disabled_applications=[f"app of {tag}"])
    PendingImport.objects.create(owner=user, name=f"upload of {tag}.csv", data=b"date,amount\n")
    agent = Agent.objects.create(owner=user, name=f"Laptop of {tag}")
    token_secret = f"agent-token-of-{tag}"
    AgentToken.objects.create(agent=agent, digest=_digest(token_secret), prefix="abcd1234")
    Pairing.objects.create(
        device_digest=_digest(f"device {tag}"),
        user_code=_digest(tag)[:8].upper(),
        name="Laptop",
        expires_at=now + timedelta(minutes=5),
        state="approved",
        agent=agent,
        approved_by=user,
    )
    grant = Grant.objects.create(
        owner=user,
        agent=agent,
        target="filesystem",
        action="list",
        kind="window",
        origin="chat",
        created_by=user,
        expires_at=now + timedelta(minutes=15),
    )
    request = PermissionRequest.objects.create(
        owner=user,
        agent=agent,
        target="filesystem",
        action="list",
        params={"path": f"~/of {tag}"},
        expires_at=now + timedelta(minutes=5),
        status="allowed",
        decided_by=user,
        decided_at=now,
        grant=grant,
        idempotency_key=f"req-{tag}",
    )
    for n in range(2):
        run = CommandRun.objects.create(
            owner=user,
            agent=agent,
            target="filesystem",
            action="list",
            params={"path": f"~/of {tag}/{n}"},
            state="succeeded",
            deadline=now,
            result={"entries": [f"file of {tag}"]},
            finished_at=now,
            requested_by=user,
            decided_by=user,
            grant=grant,
            permission_request=request,
            idempotency_key=f"run-{tag}-{n}",
        )
        if n == 0:  # a file the result carried (an image from an MCP tool)
            shot = f"screenshot of {tag}".encode()
            stored = RunFile(
                run=run,
                name="shot.png",
                mime_type="image/png",
                size=len(shot),
                sha256=hashlib.sha256(shot).hexdigest(),
            )
            stored.file.save("shot.png", ContentFile(shot), save=False)
            stored.save()
        seal(run.pk)
    notification = Notification.objects.create(
        owner=user, category="assistant", title=f"Note for {tag}"
    )
    Delivery.objects.create(notification=notification, channel="email")
    NotificationSettings.objects.create(owner=user)
    CategoryPreference.objects.create(owner=user, category="job", email=False)
    UsageDay.objects.create(
        day=now.date(), organisation=membership.organisation, user=user, prompt_tokens=7
    )
    key, raw_key = create_api_key(
        membership=membership,
        name=f"Key of {tag}",
        scopes=[Scope.CHAT],
        expires_at=now + timedelta(days=30),
    )
    RequestLog.objects.create(
        organisation=membership.organisation,
        user=user,
        api_key=key,
        key_prefix=key.prefix,
        method="GET",
        path="/api/v1/me",
        status=200,
        latency_ms=1,
    )
    IdempotentRequest.objects.create(
        api_key=key,
        key=f"idem-{tag}"[:60],
        fingerprint="f",
        status=200,
        content_type="application/json",
        body=b"{}",
    )
    client = OAuthClient.objects.create(client_id=_digest(f"client {tag}")[:32], name="Editor")
    mcp_key, _ = create_api_key(
        membership=membership,
        name=f"MCP of {tag}",
        scopes=[Scope.MCP],
        expires_at=now + timedelta(days=30),
    )
    connection = McpConnection.objects.create(
        key=mcp_key, client=client, redirect_uri="http://127.0.0.1/cb"
    )
    oauth_secret = f"oauth-token-of-{tag}"
    OAuthToken.objects.create(
        digest=_digest(oauth_secret),
        kind="access",
        connection=connection,
        scopes=["mcp"],
        resource="http://testserver/mcp",
        expires_at=now + timedelta(hours=1),
    )
    AuthorizationCode.objects.create(
        digest=_digest(f"code {tag}"),
        connection=connection,
        code_challenge="c" * 43,
        redirect_uri="http://127.0.0.1/cb",
        scopes=["mcp"],
        resource="http://testserver/mcp",
        expires_at=now + timedelta(minutes=1),
    )
    DataExport.objects.create(owner=user, state=DataExport.State.EXPIRED)
    address = EmailAddress.objects.get_or_create(user=user, email=user.email)[0]
    EmailConfirmation.objects.create(email_address=address, key=_digest(f"confirm {tag}")[:64])
    backup = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Backup codes", "confirmed": True}
    )[0]
    backup_codes = backup.replace_codes()
    UserSession.objects.create(
        user=user,
        ip="127.0.0.1",
        session_key=_digest(f"session {tag}")[:40],
        user_agent=f"Browser of {tag}",
        last_seen_at=now,
    )
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Activity),
        object_id="1",
        object_repr=f"Changed by {tag}",
        action_flag=ADDITION,
    )
    missing = [o.label for o in owned_models() if not o.rows_of(user.pk).exists()]
    assert not missing, f"seed_everything makes no row of: {missing}"
    return {
        "api_key": raw_key,
        "agent_token": token_secret,
        "oauth_token": oauth_secret,
        "backup_codes": backup_codes,
        "totp_key": user.totpdevice_set.get().key,
    }
