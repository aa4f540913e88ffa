"""Outsiders, for every operation of the API: no key, an expired or a revoked key, a key
without the scope, and another user's object (whether that user is in another
organisation or a fellow member of the owner's, even its admin or owner). Each is
refused with a problem document and changes nothing.

OPERATIONS must list exactly the schema's operations: a new operation fails
``test_the_table_lists_every_operation_of_the_schema`` until it is added here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

import pytest
from django.test import Client
from django.utils import timezone

from activities.models import Activity
from chat.models import AssistantRun, Conversation, Message
from lmo.accounts.models import User
from lmo.api.api import api
from lmo.api.models import ApiKey, Scope, key_digest
from lmo.organisations.access import current_membership
from lmo.organisations.actions import create_organisation, switch_organisation
from lmo.organisations.models import Membership, Organisation, Role
from lmo.privacy.models import DataExport
from tests.api.conftest import ALL_SCOPES, ApiClient, make_key

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
PROBLEM = "application/problem+json"
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
# Path parameters, filled with alice's objects (see the ``owner`` fixture).
PATH_PARAMS = ("conversation_id", "run_id", "export_id")
ACTIVITY = {"id": "o1", "type": "other", "timestamp": "2026-11-02T10:00:00Z", "description": "x"}
COMPLETION = {"model": "lmo-assistant", "messages": [{"role": "user", "content": "Hello"}]}


class Op(NamedTuple):
    scope: str | None  # None: any valid key will do
    body: dict[str, Any] | None = None  # a valid minimal body, for POSTs


OPERATIONS: dict[tuple[str, str], Op] = {
    ("GET", f"{V1}/me"): Op(None),
    ("GET", f"{V1}/usage"): Op(None),
    ("GET", f"{V1}/conversations"): Op(Scope.CHAT),
    ("POST", f"{V1}/conversations"): Op(Scope.CHAT, {"title": "Mine now"}),
    ("GET", f"{V1}/conversations/{{conversation_id}}"): Op(Scope.CHAT),
    ("DELETE", f"{V1}/conversations/{{conversation_id}}"): Op(Scope.CHAT),
    ("POST", f"{V1}/conversations/{{conversation_id}}/messages"): Op(Scope.CHAT, {"content": "Hi"}),
    ("GET", f"{V1}/runs/{{run_id}}"): Op(Scope.CHAT),
    ("GET", f"{V1}/runs/{{run_id}}/events"): Op(Scope.CHAT),
    ("GET", f"{V1}/models"): Op(Scope.CHAT),
    ("POST", f"{V1}/chat/completions"): Op(Scope.CHAT, COMPLETION),
    ("GET", f"{V1}/activities"): Op(Scope.ACTIVITIES_READ),
    ("GET", f"{V1}/activities/spending"): Op(Scope.ACTIVITIES_READ),
    ("POST", f"{V1}/activities"): Op(Scope.ACTIVITIES_WRITE, {"items": [ACTIVITY]}),
    ("GET", f"{V1}/computers"): Op(Scope.COMPUTERS_RUN),
    ("POST", f"{V1}/exports"): Op(Scope.EXPORT, {}),
    ("GET", f"{V1}/exports/{{export_id}}"): Op(Scope.EXPORT),
    ("GET", f"{V1}/exports/{{export_id}}/archive"): Op(Scope.EXPORT),
}


def _params(keep: Callable[[str, Op], bool] = lambda path, op: True) -> list[Any]:
    return [pytest.param(k, id=" ".join(k)) for k, op in OPERATIONS.items() if keep(k[1], op)]


ALL = _params()
SCOPED = _params(lambda path, op: op.scope is not None)
UNSCOPED = _params(lambda path, op: op.scope is None)
WITH_ID = _params(lambda path, op: "{" in path)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Set before the users are made (autouse comes first): hashing their passwords
    would be most of this module's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Owner(NamedTuple):
    user: User
    organisation: Organisation
    ids: dict[str, Any]


@pytest.fixture
def owner(alice: User) -> Owner:
    """alice, working in her organisation Acme, with a conversation and a question in it
    (the question's id names the run answering it)."""
    organisation = create_organisation(user=alice, name="Acme")
    switch_organisation(membership=Membership.objects.get(user=alice, organisation=organisation))
    conversation = Conversation.objects.create(owner=alice, title="Alice's plans")
    question = Message.objects.create(
        conversation=conversation, sender=Message.Sender.USER, content="A secret"
    )
    export = DataExport.objects.create(owner=alice)
    ids = dict(zip(PATH_PARAMS, (conversation.pk, question.pk, export.pk), strict=True))
    return Owner(alice, organisation, ids)


def _state() -> tuple[int, ...]:
    """What a refused request must leave as it was."""
    models = (Conversation, Message, AssistantRun, Activity, ApiKey, DataExport)
    return tuple(m.objects.count() for m in models)


def _send(operation: tuple[str, str], ids: dict[str, Any], raw: str | None) -> Any:
    method, template = operation
    path, body = template.format(**ids), OPERATIONS[operation].body
    if raw is None:  # no Authorization header at all
        data = json.dumps(body) if method == "POST" else ""
        return Client().generic(method, path, data, content_type="application/json")
    client = ApiClient(raw)
    if method == "POST":
        return client.post(path, body)
    return client.delete(path) if method == "DELETE" else client.get(path)


def _refused(operation: tuple[str, str], ids: dict[str, Any], raw: str | None, status: int) -> Any:
    """Send the request; it must be refused with ``status`` as a problem, changing nothing."""
    before = _state()
    response = _send(operation, ids, raw)
    shown = b"<streamed>" if response.streaming else response.content[:300]
    assert response.status_code == status, (
        f"{' '.join(operation)}: {response.status_code} {shown!r}"
    )
    assert response["Content-Type"] == PROBLEM, f"{' '.join(operation)}: {response['Content-Type']}"
    assert response.json()["status"] == status
    assert _state() == before, f"{' '.join(operation)} changed something"
    return response


def _unusable_key(user: User, field: str) -> str:
    raw = make_key(user)
    past = timezone.now() - timedelta(seconds=1)
    ApiKey.objects.filter(digest=key_digest(raw)).update(**{field: past})
    return raw


def test_the_table_lists_every_operation_of_the_schema() -> None:
    paths = api.get_openapi_schema()["paths"]
    schema = {(m.upper(), p) for p, item in paths.items() for m in item if m in METHODS}
    missing, stale = sorted(schema - OPERATIONS.keys()), sorted(OPERATIONS.keys() - schema)
    assert not missing, f"Add these to OPERATIONS, with the scope they need: {missing}"
    assert not stale, f"These are no longer in the schema; remove them from OPERATIONS: {stale}"
    params = {name for _, path in schema for name in re.findall(r"\{(\w+)\}", path)}
    assert params <= set(PATH_PARAMS), f"Fill these path parameters: {params - set(PATH_PARAMS)}"


def test_the_owner_s_own_key_reaches_her_objects(owner: Owner) -> None:
    client = ApiClient(make_key(owner.user))
    for template in ("/conversations/{conversation_id}", "/runs/{run_id}"):
        assert client.get(V1 + template.format(**owner.ids)).status_code == 200


@pytest.mark.parametrize("operation", ALL)
def test_a_request_without_a_key_is_401(owner: Owner, operation: tuple[str, str]) -> None:
    response = _refused(operation, owner.ids, None, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("field", ["expires_at", "revoked_at"], ids=["expired", "revoked"])
@pytest.mark.parametrize("operation", ALL)
def test_an_expired_or_revoked_key_is_401(
    owner: Owner, operation: tuple[str, str], field: str
) -> None:
    _refused(operation, owner.ids, _unusable_key(owner.user, field), 401)


@pytest.mark.parametrize("operation", SCOPED)
def test_a_key_with_every_scope_but_the_needed_one_is_403(
    owner: Owner, operation: tuple[str, str]
) -> None:
    needed = OPERATIONS[operation].scope
    raw = make_key(owner.user, [s for s in ALL_SCOPES if s != needed])
    response = _refused(operation, owner.ids, raw, 403)
    assert f"'{needed}' scope" in response.json()["detail"]


@pytest.mark.parametrize("operation", UNSCOPED)
def test_an_operation_needing_no_scope_answers_a_key_of_any_scope(
    owner: Owner, operation: tuple[str, str]
) -> None:
    for scope in ALL_SCOPES:
        assert _send(operation, owner.ids, make_key(owner.user, [scope])).status_code == 200


@pytest.mark.parametrize(
    "role",
    [None, Role.MEMBER, Role.ADMIN, Role.OWNER],
    ids=["another-organisation", "fellow-member", "fellow-admin", "fellow-owner"],
)
@pytest.mark.parametrize("operation", WITH_ID)
def test_another_user_s_object_is_404_even_inside_one_organisation(
    owner: Owner, bob: User, charlie: User, operation: tuple[str, str], role: Role | None
) -> None:
    """bob stays in his personal organisation; charlie joins Acme with ``role``."""
    outsider = bob
    if role is not None:
        outsider = charlie
        membership = Membership.objects.create(
            organisation=owner.organisation, user=charlie, role=role
        )
        switch_organisation(membership=membership)
    same = current_membership(outsider).organisation_id == owner.organisation.pk
    assert same == (role is not None)
    _refused(operation, owner.ids, make_key(outsider), 404)
    conversation = Conversation.objects.get(pk=owner.ids["conversation_id"])
    assert conversation.title == "Alice's plans"
    assert list(conversation.messages.values_list("content", flat=True)) == ["A secret"]
