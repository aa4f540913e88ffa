"""Deleting an account: a fresh second factor and the e-mail typed out; the account is
unusable at once (signed out, computers revoked, keys refused), then every row and file
of the user goes, in a task that resumes after a crash; nobody else loses anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.models import Activity
from agent_bridge.models import Agent
from chat.models import Conversation, Message
from lmo.accounts.models import User
from lmo.organisations.models import Membership, Organisation, Role
from lmo.privacy import deletion
from lmo.privacy.models import AccountDeletion, DataExport
from lmo.privacy.owned import deletion_order, owned_models
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _seed(user: User) -> list[str]:
    """One of everything (tests.privacy.everything); returns the
    names of the files stored for the user."""
    from tests.privacy.everything import seed_everything

    seed_everything(user)
    conversation = Conversation.objects.filter(owner=user).first()
    assert conversation is not None
    voice = Message(conversation=conversation, sender="user", type="voice", content="")
    voice.audio.save("clip.webm", ContentFile(b"voice of " + user.email.encode()), save=False)
    voice.save()
    export = DataExport.objects.create(owner=user, state=DataExport.State.READY)
    export.file.save("e.zip", ContentFile(b"zip"), save=True)
    return [str(voice.audio.name), str(export.file.name)]


def _rows(user_id: int) -> dict[str, int]:
    return {o.label: o.rows_of(user_id).count() for o in owned_models()}


def _delete_by_page(client: Client, user: User, **post: str) -> Any:
    device = TOTPDevice.objects.get(user=user)
    data = {"email": user.email, "code": totp_code(device), **post}
    return client.post(reverse("privacy:delete"), data)


def test_deleting_leaves_nothing_of_the_user_and_touches_nobody_else(
    alice: User,
    bob: User,
    alice_client: Client,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    enqueued: list[int] = []
    monkeypatch.setattr(deletion, "_enqueue", enqueued.append)
    alice_files, bob_files = _seed(alice), _seed(bob)
    before_bob = _rows(bob.pk)
    assert all(before_bob.values()), [k for k, v in before_bob.items() if not v]
    with django_capture_on_commit_callbacks(execute=True):
        response = _delete_by_page(alice_client, alice)
    assert response.status_code == 302 and response["Location"] == "/privacy/deleted/"
    assert enqueued == [AccountDeletion.objects.get().pk]  # the task, after commit
    # At once: no sign-in, no session, no computer, no key.
    alice.refresh_from_db()
    assert not alice.is_active
    assert alice_client.get("/chat/").status_code == 302
    assert not Agent.objects.filter(owner=alice, revoked_at__isnull=True).exists()
    assert not Client().login(username=alice.email, password=PASSWORD)
    # The task (run here in the test's transaction).
    (job,) = AccountDeletion.objects.all()
    assert deletion.carry_out(job.pk)
    assert not User.objects.filter(pk=alice.pk).exists()
    assert {label: n for label, n in _rows(alice.pk).items() if n} == {}
    assert not any(default_storage.exists(name) for name in alice_files)
    assert not Organisation.objects.filter(memberships__user_id=alice.pk).exists()
    assert _rows(bob.pk) == before_bob
    assert all(default_storage.exists(name) for name in bob_files)
    # A final e-mail; then the deletion keeps no address.
    assert [m.to for m in mail.outbox if "deleted" in m.subject] == [[alice.email]]
    job.refresh_from_db()
    assert job.state == AccountDeletion.State.DONE and job.email == ""


def test_a_deletion_stopped_by_a_crash_resumes_where_it_was(
    alice: User, bob: User, monkeypatch: Any
) -> None:
    _seed(alice)
    _seed(bob)
    job = deletion.request_deletion(user=alice)
    real_rows = deletion._rows

    def crash(user_id: int) -> None:
        raise RuntimeError("the worker died")

    steps = dict(deletion.STEPS)
    monkeypatch.setattr(
        deletion, "STEPS", tuple((n, crash if n == "rows" else s) for n, s in steps.items())
    )
    with pytest.raises(RuntimeError):
        deletion.carry_out(job.pk)
    job.refresh_from_db()
    assert job.step == "organisations" and job.state == AccountDeletion.State.DELETING
    assert User.objects.filter(pk=alice.pk).exists()  # not half-gone: still unusable
    assert not deletion.carry_out(job.pk)  # another worker holds it (not stale yet)
    assert deletion.unfinished() == []
    AccountDeletion.objects.filter(pk=job.pk).update(
        claimed_at=job.requested_at - deletion.STALE, requested_at=job.requested_at - deletion.STALE
    )
    assert deletion.unfinished() == [job.pk]
    monkeypatch.setattr(
        deletion, "STEPS", tuple((n, real_rows if n == "rows" else s) for n, s in steps.items())
    )
    assert deletion.carry_out(job.pk)
    assert {label: n for label, n in _rows(alice.pk).items() if n} == {}
    assert all(_rows(bob.pk).values())


def test_the_assistant_s_saved_state_of_each_conversation_goes_too(
    alice: User, bob: User, settings: Any, tmp_path: Any
) -> None:
    from langgraph.checkpoint.base import empty_checkpoint

    from chat.pipeline.checkpoint import get_checkpointer

    settings.LMO_CHECKPOINT_PATH = tmp_path / "checkpoints.sqlite3"
    saver = get_checkpointer()
    threads = {}
    for user in (alice, bob):
        conversation = Conversation.objects.create(owner=user, title="t")
        config = {"configurable": {"thread_id": conversation.thread_id, "checkpoint_ns": ""}}
        saver.put(config, empty_checkpoint(), {}, {})  # type: ignore[arg-type]
        threads[user.pk] = config
    assert all(saver.get_tuple(c) is not None for c in threads.values())  # type: ignore[arg-type]
    job = deletion.request_deletion(user=alice)
    assert deletion.carry_out(job.pk)
    assert saver.get_tuple(threads[alice.pk]) is None  # type: ignore[arg-type]
    assert saver.get_tuple(threads[bob.pk]) is not None  # type: ignore[arg-type]


def test_a_wrong_code_or_e_mail_deletes_nothing(alice: User, alice_client: Client) -> None:
    for post in ({"email": "someone@example.com"}, {"code": "000000"}):
        response = _delete_by_page(alice_client, alice, **post)
        assert response.status_code == 400
        assert "Not deleted." in response.content.decode()
    assert not AccountDeletion.objects.exists()
    alice.refresh_from_db()
    assert alice.is_active


def test_an_owner_of_a_shared_organisation_transfers_it_first(
    alice: User, bob: User, alice_client: Client
) -> None:
    team = Organisation.objects.create(name="Acme team")
    Membership.objects.create(organisation=team, user=alice, role=Role.OWNER)
    Membership.objects.create(organisation=team, user=bob, role=Role.MEMBER)
    page = alice_client.get(reverse("settings_tab", args=["profile"])).content.decode()
    assert "only owner of “Acme team”" in page
    response = _delete_by_page(alice_client, alice)
    assert (
        response.status_code == 400
        and "make one of them an owner first" in response.content.decode()
    )
    assert not AccountDeletion.objects.exists()
    Membership.objects.filter(organisation=team, user=bob).update(role=Role.OWNER)
    assert _delete_by_page(alice_client, alice).status_code == 302
    job = AccountDeletion.objects.get()
    assert deletion.carry_out(job.pk)
    assert Organisation.objects.filter(pk=team.pk).exists()  # bob's team stays
    assert list(team.memberships.values_list("user_id", flat=True)) == [bob.pk]


def test_every_model_that_names_a_user_is_deleted_in_an_order_that_works() -> None:
    """A model added later that points at the user (or at something of theirs) is in the
    walk, and goes before whatever it points at."""
    order = [o.model for o in deletion_order()]
    assert set(order) == {o.model for o in owned_models()}
    for index, model in enumerate(order):
        for field in model._meta.concrete_fields:
            target = getattr(field, "related_model", None)
            if target in order and target is not model:
                assert order.index(target) > index, (model, target)
    for required in (Activity, Message, Conversation, Agent, DataExport):
        assert required in order


def test_the_profile_tab_offers_the_export_first(alice_client: Client) -> None:
    page = alice_client.get(reverse("settings_tab", args=["profile"])).content.decode()
    assert "Export my data" in page and "Delete my account" in page
    assert page.index("Export my data") < page.index("Delete my account and all my data")


def test_a_signed_out_visitor_cannot_delete(client: Client, alice: User) -> None:
    response = client.post(reverse("privacy:delete"), {"email": alice.email, "code": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_operators_see_exports_and_deletions_but_cannot_change_them(
    alice: User, client: Client, login_verified: Any
) -> None:
    from tests.conftest import make_user

    operator = login_verified(client, make_user("ops@example.com", staff=True))
    DataExport.objects.create(owner=alice)
    job = deletion.request_deletion(user=alice)
    assert operator.get("/admin/privacy/dataexport/").status_code == 200
    listing = operator.get("/admin/privacy/accountdeletion/").content.decode()
    assert str(alice.pk) in listing
    assert operator.get("/admin/privacy/accountdeletion/add/").status_code == 403
    assert operator.post(f"/admin/privacy/accountdeletion/{job.pk}/delete/").status_code == 403
    assert AccountDeletion.objects.filter(pk=job.pk).exists()
