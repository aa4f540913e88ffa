"""Deleting an account: every row and file of the user goes, as one task that resumes after
a crash. The request itself (one transaction) makes the account unusable at once: it can
no longer sign in, its sessions end, its computers are revoked (their live connections
closed) and its API keys and MCP clients are refused (they act only for active users). Then the task walks the steps below; each can run
again, and the row of the deletion remembers the last one finished."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from lmo.privacy.models import AccountDeletion
from lmo.privacy.owned import deletion_order, owned_models

log = logging.getLogger(__name__)
CHUNK = 2000
# A deletion not finished this long after its last step is taken up again (a crash).
STALE = timedelta(minutes=10)


class DeletionRefused(ValueError):
    """The account cannot be deleted yet; the message says what to do first."""


def deletion_blockers(user: Any) -> list[str]:
    """What must happen before ``user`` can go: organisations they alone own that have
    other members (ownership is transferred first, in Settings -> Organisation)."""
    from lmo.organisations.models import Membership, Role

    owned = Membership.objects.filter(user=user, role=Role.OWNER).select_related("organisation")
    problems = []
    for membership in owned:
        others = Membership.objects.filter(organisation=membership.organisation_id).exclude(
            user=user
        )
        if others.exists() and not others.filter(role=Role.OWNER).exists():
            problems.append(
                f"You are the only owner of “{membership.organisation.name}”, which has other "
                "members: make one of them an owner first (Settings → Organisation)."
            )
    return problems


@transaction.atomic
def request_deletion(*, user: Any) -> AccountDeletion:
    """Make the account unusable now and start deleting it (after commit)."""
    from allauth.usersessions.models import UserSession

    from agent_bridge.actions.agents import revoke_agent

    problems = deletion_blockers(user)
    if problems:
        raise DeletionRefused(" ".join(problems))
    deletion, _ = AccountDeletion.objects.get_or_create(
        user_id=user.pk, defaults={"email": user.email}
    )
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    for agent in user.agents.filter(revoked_at__isnull=True):
        revoke_agent(agent=agent)
    for session in UserSession.objects.filter(user=user):
        session.end()
    transaction.on_commit(lambda: _enqueue(deletion.pk))
    return deletion


def _enqueue(deletion_id: int) -> None:
    from lmo.privacy.tasks import delete_account

    delete_account.delay(deletion_id)


def _files(user_id: int) -> None:
    """Every file a row of the user names (voice clips, exports...), found by walking
    the owned models' file fields."""
    for owned in owned_models():
        fields = [
            f.name for f in owned.model._meta.concrete_fields if isinstance(f, models.FileField)
        ]
        for name in fields:
            rows = owned.rows_of(user_id).exclude(**{name: ""}).values_list(name, flat=True)
            for path in rows.iterator(chunk_size=CHUNK):
                if path and default_storage.exists(path):
                    default_storage.delete(path)


def _checkpoints(user_id: int) -> None:
    """The assistant's saved graph state of every conversation."""
    from chat.models import Conversation
    from chat.pipeline.checkpoint import get_checkpointer

    saver = get_checkpointer()
    for conversation in Conversation.objects.filter(owner_id=user_id).only("pk").iterator():
        saver.delete_thread(conversation.thread_id)


def _organisations(user_id: int) -> None:
    """Organisations the user was the only member of (their personal one), with
    everything in them; in others, only the membership goes (with the rows)."""
    from lmo.organisations.models import Organisation

    theirs = Organisation.objects.filter(memberships__user_id=user_id).values("pk")
    alone = (
        Organisation.objects.filter(pk__in=theirs)
        .annotate(members=Count("memberships"))
        .filter(members=1)
    )
    for organisation in alone:
        organisation.delete()


def _rows(user_id: int) -> None:
    """Every owned model, in chunks (a large account never loads all its rows), each
    model before the ones it points at."""
    for owned in deletion_order():
        while True:
            pks = list(owned.rows_of(user_id).values_list("pk", flat=True)[:CHUNK])
            if not pks:
                break
            with transaction.atomic():
                owned.model._default_manager.filter(pk__in=pks).delete()


def _user(user_id: int) -> None:
    """The user row last (anything a later model added goes with it, by cascade), and
    any row that named the user without owning it forgets them (SET_NULL)."""
    get_user_model().objects.filter(pk=user_id).delete()


def _confirmation(deletion: AccountDeletion) -> None:
    if deletion.email:
        send_mail(
            "[LMO] Your account was deleted",
            "Your LMO account and everything in it (conversations, activities, computers, "
            "commands and their audit, notifications, API keys, usage) were deleted, as "
            "you asked. This cannot be undone; there is nothing more to do.\n",
            None,
            [deletion.email],
        )


STEPS: tuple[tuple[str, Callable[[int], None]], ...] = (
    ("files", _files),
    ("checkpoints", _checkpoints),
    ("organisations", _organisations),
    ("rows", _rows),
    ("user", _user),
)


def _claim(deletion_id: int) -> AccountDeletion | None:
    """The deletion, if no other worker is on it (a claim that goes stale after a crash)."""
    now = timezone.now()
    claimed = AccountDeletion.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE),
        pk=deletion_id,
        state=AccountDeletion.State.DELETING,
    ).update(claimed_at=now, attempts=models.F("attempts") + 1)
    return AccountDeletion.objects.get(pk=deletion_id) if claimed else None


def carry_out(deletion_id: int) -> bool:
    """Run the steps not yet done; returns whether the deletion is complete now."""
    deletion = _claim(deletion_id)
    if deletion is None:
        return False
    names = [name for name, _ in STEPS]
    start = names.index(deletion.step) + 1 if deletion.step in names else 0
    for name, step in STEPS[start:]:
        step(deletion.user_id)
        AccountDeletion.objects.filter(pk=deletion.pk).update(step=name, claimed_at=timezone.now())
        log.info("account %s: %s deleted", deletion.user_id, name)
    _confirmation(deletion)
    AccountDeletion.objects.filter(pk=deletion.pk).update(
        state=AccountDeletion.State.DONE, email="", finished_at=timezone.now(), claimed_at=None
    )
    return True


def unfinished() -> list[int]:
    """Deletions a crash interrupted (nobody has been on them for a while)."""
    stale = timezone.now() - STALE
    return list(
        AccountDeletion.objects.filter(state=AccountDeletion.State.DELETING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .filter(requested_at__lt=stale)
        .values_list("pk", flat=True)
    )
