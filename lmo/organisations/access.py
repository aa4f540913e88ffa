"""Reads of organisations for a user: another organisation is a 404, never a 403."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lmo.organisations.models import Membership


def memberships_for_user(user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-organisation__personal", "organisation__name")
    )


def get_membership_for_user(user: Any, organisation_id: int) -> Membership:
    membership = memberships_for_user(user).filter(organisation_id=organisation_id).first()
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def current_membership(user: Any) -> Membership:
    """The organisation the user's own pages work in (their personal one unless they
    switched); created for a user who somehow has none."""
    membership = memberships_for_user(user).filter(is_current=True).first()
    if membership is None:
        from lmo.organisations.actions import ensure_personal_organisation, switch_organisation

        ensure_personal_organisation(user=user)
        membership = memberships_for_user(user).first()
        assert membership is not None
        switch_organisation(membership=membership)
        membership.is_current = True
    return membership


def current_organisation_id(user: Any) -> int:
    return current_membership(user).organisation_id
