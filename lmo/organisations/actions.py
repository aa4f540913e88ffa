"""Every change to organisations, memberships and invitations. Each takes the acting
membership (``by``) and checks the role itself, so the Settings page, the admin and
future API callers share the same rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lmo import crypto
from lmo.organisations.models import (
    Invitation,
    Membership,
    Organisation,
    Role,
    invitation_digest,
)


class OrganisationError(ValueError):
    """A change that is not allowed; the message says why, for the person who tried."""


def _display_name(user: Any) -> str:
    return user.get_full_name() or user.email or user.username


@transaction.atomic
def ensure_personal_organisation(*, user: Any) -> Organisation:
    """The user's personal organisation, created (and made current) if they have none."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__personal=True)
        .first()
    )
    if membership is not None:
        return membership.organisation
    organisation = Organisation.objects.create(name=_display_name(user), personal=True)
    has_current = Membership.objects.filter(user=user, is_current=True).exists()
    Membership.objects.create(
        organisation=organisation, user=user, role=Role.OWNER, is_current=not has_current
    )
    return organisation


@transaction.atomic
def create_organisation(*, user: Any, name: str) -> Organisation:
    name = name.strip()
    if not name:
        raise OrganisationError("Give the organisation a name.")
    organisation = Organisation.objects.create(name=name[:120])
    Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER)
    return organisation


@transaction.atomic
def switch_organisation(*, membership: Membership) -> None:
    """Make ``membership`` the organisation the user's pages work in."""
    Membership.objects.filter(user_id=membership.user_id, is_current=True).exclude(
        pk=membership.pk
    ).update(is_current=False)
    Membership.objects.filter(pk=membership.pk).update(is_current=True)


def _require_manager(by: Membership) -> None:
    if not by.can_manage:
        raise OrganisationError("Only the organisation's owners and admins can do this.")


def _check_role_change(by: Membership, role: str) -> None:
    if role not in Role.values:
        raise OrganisationError(f"{role!r} is not a role.")
    if role == Role.OWNER and by.role != Role.OWNER:
        raise OrganisationError("Only an owner can make someone an owner.")


def invitation_link(token: str) -> str:
    path = reverse("organisations:invitation", args=[token])
    return str(settings.LMO_PUBLIC_URL).rstrip("/") + path


def _send_invitation(invitation: Invitation, token: str, inviter: Any) -> None:
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": _display_name(inviter),
        "link": invitation_link(token),
    }
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        + f"You are invited to {invitation.organisation.name}",
        body=render_to_string("organisations/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("organisations/email/invitation.html", context), "text/html"
    )
    message.send()


@transaction.atomic
def invite(*, by: Membership, email: str, role: str) -> tuple[Invitation, str]:
    """A new invitation (and the e-mail with its link, after commit); the raw token is
    returned once and only its digest is stored. An open invitation of the same address
    is replaced, so only the newest link works."""
    _require_manager(by)
    _check_role_change(by, role)
    email = email.strip()
    if Membership.objects.filter(
        organisation_id=by.organisation_id, user__email__iexact=email
    ).exists():
        raise OrganisationError(f"{email} is already a member.")
    now = timezone.now()
    Invitation.objects.filter(
        organisation_id=by.organisation_id,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        organisation_id=by.organisation_id,
        email=email,
        role=role,
        digest=invitation_digest(token),
        invited_by_id=by.user_id,
        expires_at=Invitation.default_expiry(),
    )
    inviter = by.user
    transaction.on_commit(lambda: _send_invitation(invitation, token, inviter))
    return invitation, token


def revoke_invitation(*, by: Membership, invitation_id: int) -> bool:
    _require_manager(by)
    return bool(
        Invitation.objects.filter(
            pk=invitation_id,
            organisation_id=by.organisation_id,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=timezone.now())
    )


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(digest=invitation_digest(token))
        .first()
    )


def invitation_problem(invitation: Invitation | None, user: Any) -> str | None:
    """Why ``user`` cannot accept this invitation, or None."""
    if invitation is None:
        return "This invitation link is not valid."
    if invitation.accepted_at is not None:
        return "This invitation has already been used."
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn; ask for a new one."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired; ask for a new one."
    if (user.email or "").lower() != invitation.email.lower():
        return (
            f"This invitation is for {invitation.email}, and you are signed in as "
            f"{user.email}. Sign in with that address to accept it."
        )
    return None


@transaction.atomic
def accept_invitation(*, user: Any, token: str) -> Membership:
    invitation = find_invitation(token)
    problem = invitation_problem(invitation, user)
    if problem is not None:
        raise OrganisationError(problem)
    assert invitation is not None
    # Single use even when the link is opened twice at once: one conditional UPDATE wins.
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if not claimed:
        raise OrganisationError("This invitation has already been used.")
    try:
        with transaction.atomic():
            return Membership.objects.create(
                organisation_id=invitation.organisation_id, user=user, role=invitation.role
            )
    except IntegrityError:
        raise OrganisationError("You are already a member of this organisation.") from None


def _owners_left(organisation_id: int, without: Membership) -> int:
    return (
        Membership.objects.filter(organisation_id=organisation_id, role=Role.OWNER)
        .exclude(pk=without.pk)
        .count()
    )


def _member(by: Membership, member_id: int) -> Membership:
    member = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(pk=member_id, organisation_id=by.organisation_id)
        .first()
    )
    if member is None:
        raise OrganisationError("That person is not a member of this organisation.")
    return member


@transaction.atomic
def change_role(*, by: Membership, member_id: int, role: str) -> Membership:
    _require_manager(by)
    _check_role_change(by, role)
    # Lock the organisation's owners so two demotions at once cannot leave none.
    list(
        Membership.objects.select_for_update().filter(
            organisation_id=by.organisation_id, role=Role.OWNER
        )
    )
    member = _member(by, member_id)
    if member.role == Role.OWNER and by.role != Role.OWNER:
        raise OrganisationError("Only an owner can change an owner's role.")
    if (
        member.role == Role.OWNER
        and role != Role.OWNER
        and not _owners_left(by.organisation_id, member)
    ):
        raise OrganisationError("The organisation needs at least one owner.")
    member.role = role
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def remove_member(*, by: Membership, member_id: int) -> None:
    """A manager removes someone, or anyone leaves (``member_id`` is their own)."""
    list(
        Membership.objects.select_for_update().filter(
            organisation_id=by.organisation_id, role=Role.OWNER
        )
    )
    member = _member(by, member_id)
    if member.pk != by.pk:
        _require_manager(by)
        if member.role == Role.OWNER and by.role != Role.OWNER:
            raise OrganisationError("Only an owner can remove an owner.")
    if member.role == Role.OWNER and not _owners_left(by.organisation_id, member):
        raise OrganisationError(
            "The organisation needs at least one owner: make someone else an owner first."
        )
    others = Membership.objects.filter(user_id=member.user_id).exclude(pk=member.pk)
    if not others.exists():
        raise OrganisationError("Everyone belongs to at least one organisation.")
    member.delete()
    if member.is_current:
        fallback = others.order_by("-organisation__personal", "joined_at").first()
        assert fallback is not None
        Membership.objects.filter(pk=fallback.pk).update(is_current=True)


@transaction.atomic
def save_llm_settings(
    *, by: Membership, base_url: str, model: str, api_key: str | None, clear_key: bool
) -> Organisation:
    """``api_key`` None keeps the stored key (it is never shown, so a form that leaves the
    field empty means "unchanged"); ``clear_key`` removes it."""
    _require_manager(by)
    organisation = Organisation.objects.select_for_update().get(pk=by.organisation_id)
    organisation.llm_base_url = base_url.strip()
    organisation.llm_model = model.strip()
    if clear_key:
        organisation.llm_api_key_encrypted = ""
    elif api_key:
        organisation.llm_api_key_encrypted = crypto.encrypt(api_key)
    organisation.save(update_fields=["llm_base_url", "llm_model", "llm_api_key_encrypted"])
    return organisation


def rename_organisation(*, by: Membership, name: str) -> None:
    _require_manager(by)
    name = name.strip()
    if not name:
        raise OrganisationError("Give the organisation a name.")
    Organisation.objects.filter(pk=by.organisation_id).update(name=name[:120])


def set_token_quota(*, by: Membership, quota: int | None, member_id: int | None = None) -> None:
    """The organisation's monthly token quota, or one member's (``member_id``); None
    removes it. Owners and admins only."""
    _require_manager(by)
    if quota is not None and quota < 0:
        raise OrganisationError("A quota is a number of tokens, 0 or more.")
    if member_id is None:
        Organisation.objects.filter(pk=by.organisation_id).update(monthly_token_quota=quota)
        return
    if not Membership.objects.filter(pk=member_id, organisation_id=by.organisation_id).update(
        monthly_token_quota=quota
    ):
        raise OrganisationError("That person is not a member of this organisation.")


def set_rate_limits(
    *, by: Membership, requests_per_minute: int | None, key_requests_per_minute: int | None
) -> None:
    """The organisation's API request limits (None: the server's defaults)."""
    _require_manager(by)
    for value in (requests_per_minute, key_requests_per_minute):
        if value is not None and value < 1:
            raise OrganisationError("A rate limit is at least 1 request per minute.")
    Organisation.objects.filter(pk=by.organisation_id).update(
        requests_per_minute=requests_per_minute, key_requests_per_minute=key_requests_per_minute
    )
