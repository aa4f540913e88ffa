"""Page sockets end with their session: the events that end a session (or change what it
may do) close its sockets, or every socket of the user, within a second.

- signing out closes the session's sockets (4401);
- a session deleted from the store (an admin, "sign out" of a session from Settings →
  Security, a replaced key) closes its sockets with 4409, and the page reconnects to
  learn whether it is still signed in;
- a password change, deactivation or a removed second-factor device asks every socket of
  the user to look at its session again (lmo.live.auth.check_session);
- a deleted account closes every socket of the user (4401).

Idle expiry and the absolute lifetime are watched by each socket itself
(``LiveConsumer._watch_session``)."""

from __future__ import annotations

import logging
from typing import Any

from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django_otp.models import Device

from lmo.accounts.sessions import session_store
from lmo.live.auth import CLOSE_NOT_SIGNED_IN, CLOSE_SESSION_CHANGED
from lmo.live.events import LiveEnd, LiveRecheck
from lmo.live.groups import session_group, user_group
from lmo.live.sender import group_send_sync

log = logging.getLogger(__name__)
# Saving these fields of a user can end or narrow their sessions.
ACCOUNT_FIELDS = frozenset({"password", "is_active"})


def _send(group: str, event: dict[str, Any]) -> None:
    # Ending a session must not fail because the channel layer is down: the sockets then
    # find out at their next frame or check.
    try:
        group_send_sync(group, event)
    except Exception:
        log.warning("could not reach the page sockets of %s", group.split(".")[0], exc_info=True)


def end_session_sockets(session_key: str, code: int) -> None:
    event: LiveEnd = {"type": "live.end", "code": code}
    _send(session_group(session_key), dict(event))


def end_user_sockets(user_id: int, code: int) -> None:
    event: LiveEnd = {"type": "live.end", "code": code}
    _send(user_group(user_id), dict(event))


def recheck_user_sockets(user_id: int) -> None:
    event: LiveRecheck = {"type": "live.recheck"}
    _send(user_group(user_id), dict(event))


def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        end_session_sockets(key, CLOSE_NOT_SIGNED_IN)


def _session_deleted(sender: Any, instance: Session, **kwargs: Any) -> None:
    key = instance.session_key
    transaction.on_commit(lambda: end_session_sockets(key, CLOSE_SESSION_CHANGED))


def _user_session_deleted(sender: Any, instance: UserSession, **kwargs: Any) -> None:
    """allauth's record of a session removed (by an admin...): the session goes with it."""
    key = instance.session_key
    store = session_store()
    if store.exists(key):
        store.delete(key)
    transaction.on_commit(lambda: end_session_sockets(key, CLOSE_SESSION_CHANGED))


def _user_saved(
    sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or (update_fields is not None and not ACCOUNT_FIELDS & set(update_fields)):
        return
    pk = instance.pk
    transaction.on_commit(lambda: recheck_user_sockets(pk))


def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    pk = instance.pk
    transaction.on_commit(lambda: end_user_sockets(pk, CLOSE_NOT_SIGNED_IN))


def _device_deleted(sender: Any, instance: Device, **kwargs: Any) -> None:
    user_id = instance.user_id
    transaction.on_commit(lambda: recheck_user_sockets(user_id))


def connect() -> None:
    uid = "lmo.live.session_end"
    user_logged_out.connect(_signed_out, dispatch_uid=f"{uid}.signed_out")
    post_delete.connect(_session_deleted, sender=Session, dispatch_uid=f"{uid}.session")
    post_delete.connect(
        _user_session_deleted, sender=UserSession, dispatch_uid=f"{uid}.user_session"
    )
    user = get_user_model()
    post_save.connect(_user_saved, sender=user, dispatch_uid=f"{uid}.user_saved")
    post_delete.connect(_user_deleted, sender=user, dispatch_uid=f"{uid}.user_deleted")
    # Per concrete device model: a receiver for every model would stop fast deletes.
    for model in apps.get_models():
        if issubclass(model, Device):
            post_delete.connect(
                _device_deleted, sender=model, dispatch_uid=f"{uid}.device.{model._meta.label}"
            )
