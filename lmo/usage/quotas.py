"""Monthly token quotas: the organisation's and, optionally, each member's. Past 100%
nothing new starts (the API answers 402, the chat page says who can raise it); at 80%
and at 100% the member and the organisation's owners and admins are notified once a
month each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lmo.organisations.models import Membership, Organisation
from lmo.usage.access import month_start, tokens_this_month, usage_for_organisation
from lmo.usage.models import UsageDay

THRESHOLDS = (80, 100)


@dataclass(frozen=True)
class QuotaState:
    used: int
    quota: int
    whose: str  # "organisation" or "member"

    @property
    def percent(self) -> int:
        return int(self.used * 100 / self.quota) if self.quota else 0


def quota_states(user_id: int, organisation_id: int) -> list[QuotaState]:
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user_id=user_id, organisation_id=organisation_id)
        .first()
    )
    organisation = (
        membership.organisation
        if membership is not None
        else Organisation.objects.filter(pk=organisation_id).first()
    )
    states: list[QuotaState] = []
    if organisation is not None and organisation.monthly_token_quota is not None:
        used = tokens_this_month(usage_for_organisation(organisation_id))
        states.append(QuotaState(used, organisation.monthly_token_quota, "organisation"))
    if membership is not None and membership.monthly_token_quota is not None:
        used = tokens_this_month(
            UsageDay.objects.filter(organisation_id=organisation_id, user_id=user_id)
        )
        states.append(QuotaState(used, membership.monthly_token_quota, "member"))
    return states


def _managers(organisation_id: int) -> str:
    emails = list(
        Membership.objects.managers()
        .filter(organisation_id=organisation_id)
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
    return ", ".join(emails) or "its owners"


def quota_problem(*, user_id: int, organisation_id: int) -> str | None:
    """Why nothing new may use the model now, or None."""
    for state in quota_states(user_id, organisation_id):
        if state.used >= state.quota:
            name = Organisation.objects.get(pk=organisation_id).name
            scope = (
                f"{name}'s monthly token quota"
                if state.whose == "organisation"
                else f"your monthly token quota in {name}"
            )
            return (
                f"{scope[0].upper()}{scope[1:]} ({state.quota:,} tokens) is used up until "
                f"the 1st of next month. {_managers(organisation_id)} can raise it in "
                "Settings → Organisation."
            )
    return None


def notify_thresholds(*, user: Any, organisation_id: int) -> None:
    """After usage was recorded: tell the member and the managers when a quota passes
    80% or 100% (once each per month: the notification's dedupe key)."""
    from notifications.actions import notify
    from notifications.models import Category, Priority

    month = month_start().isoformat()
    for state in quota_states(user.pk, organisation_id):
        for threshold in THRESHOLDS:
            if state.percent < threshold:
                continue
            recipients = [user]
            if state.whose == "organisation":
                recipients += [
                    m.user
                    for m in Membership.objects.managers()
                    .filter(organisation_id=organisation_id)
                    .select_related("user")
                    if m.user_id != user.pk
                ]
            name = Organisation.objects.get(pk=organisation_id).name
            title = (
                f"{name} has used {threshold}% of its monthly tokens"
                if state.whose == "organisation"
                else f"You have used {threshold}% of your monthly tokens in {name}"
            )
            for person in recipients:
                notify(
                    owner=person,
                    category=Category.USAGE,
                    title=title,
                    body=f"{state.used:,} of {state.quota:,} tokens this month.",
                    link="/settings/usage/",
                    priority=Priority.HIGH if threshold == 100 else Priority.NORMAL,
                    dedupe_key=f"quota:{state.whose}:{organisation_id}:{user.pk if state.whose == 'member' else 0}:{month}:{threshold}",
                )
