"""Every change to notifications goes through these actions."""

from notifications.actions.delivery import (
    DeliveryFailed,
    deliver_email,
    purge_notifications,
    send_digests,
)
from notifications.actions.notify import email_queue, notify
from notifications.actions.preferences import save_preferences, stop_emails
from notifications.actions.reading import (
    ActResult,
    act,
    delete_notification,
    mark_all_read,
    mark_read,
    settle,
)

__all__ = [
    "ActResult",
    "DeliveryFailed",
    "act",
    "delete_notification",
    "deliver_email",
    "email_queue",
    "mark_all_read",
    "mark_read",
    "notify",
    "purge_notifications",
    "save_preferences",
    "send_digests",
    "settle",
    "stop_emails",
]
