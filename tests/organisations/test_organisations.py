"""Organisations: a personal one for every account, roles, invitations (single use,
expiring, for one address), and what a member of another organisation cannot touch."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from chat.models import Conversation
from lmo.organisations.access import current_membership
from lmo.organisations.actions import (
    OrganisationError,
    change_role,
    create_organisation,
    invite,
    remove_member,
)
from lmo.organisations.models import Invitation, Membership, Organisation, Role
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _team(owner: Any, *members: tuple[Any, str]) -> Organisation:
    organisation = create_organisation(user=owner, name="Acme")
    for user, role in members:
        Membership.objects.create(organisation=organisation, user=user, role=role)
    return organisation


def _work_in(user: Any, organisation: Organisation) -> Membership:
    from lmo.organisations.actions import switch_organisation

    membership = Membership.objects.get(user=user, organisation=organisation)
    switch_organisation(membership=membership)
    return membership


def _link(message: Any) -> str:
    found = re.search(r"https?://\S+/organisations/invitations/(\S+)/", str(message.body))
    assert found, message.body
    return f"/organisations/invitations/{found.group(1)}/"


def test_it_gives_every_new_account_a_personal_organisation_it_owns(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "dana@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    [membership] = Membership.objects.filter(user__email="dana@example.com")
    assert membership.organisation.personal
    assert membership.role == Role.OWNER and membership.is_current


def test_it_shows_the_organisation_tab_with_its_members(alice, bob, alice_client) -> None:
    organisation = _team(alice, (bob, Role.MEMBER))
    _work_in(alice, organisation)
    page = alice_client.get("/settings/organisation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme" in html and "bob@example.com" in html and "Invite someone" in html


def test_an_invitation_is_mailed_and_accepted_once_by_the_invited_address(
    alice, alice_client, login_verified, django_capture_on_commit_callbacks
) -> None:
    organisation = _team(alice)
    _work_in(alice, organisation)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            "/organisations/invite/", {"email": "Dana@Example.com", "role": "admin"}
        )
    assert response.status_code == 200
    assert "Invitation sent to Dana@Example.com" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["Dana@Example.com"] and "Acme" in message.subject
    link = _link(message)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(digest__contains=token).exists()  # stored hashed

    # Not signed in: the sign-in page first (where sign-up is offered), then back here.
    anonymous = Client()
    assert anonymous.get(link)["Location"].startswith("/accounts/login/?next=")

    dana = make_user("dana@example.com")
    dana_client = login_verified(Client(), dana)
    page = dana_client.get(link)
    assert page.status_code == 200 and "Join Acme" in page.content.decode()
    response = dana_client.post(link)
    assert response.status_code == 302
    membership = Membership.objects.get(user=dana, organisation=organisation)
    assert membership.role == Role.ADMIN and membership.is_current

    # Single use.
    again = dana_client.post(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert Membership.objects.filter(organisation=organisation).count() == 2


def test_an_invitation_for_another_address_joins_no_one(
    alice, bob, login_verified, django_capture_on_commit_callbacks
) -> None:
    organisation = _team(alice)
    with django_capture_on_commit_callbacks(execute=True):
        invite(
            by=Membership.objects.get(user=alice, organisation=organisation),
            email="dana@example.com",
            role=Role.MEMBER,
        )
    link = _link(mail.outbox[0])
    bob_client = login_verified(Client(), bob)
    response = bob_client.post(link)
    assert response.status_code == 403
    assert "for dana@example.com" in response.content.decode()
    assert not Membership.objects.filter(user=bob, organisation=organisation).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_a_withdrawn_and_a_replaced_invitation_do_not_work(
    alice, login_verified, django_capture_on_commit_callbacks
) -> None:
    organisation = _team(alice)
    owner = Membership.objects.get(user=alice, organisation=organisation)
    dana = make_user("dana@example.com")
    dana_client = login_verified(Client(), dana)
    with django_capture_on_commit_callbacks(execute=True):
        invite(by=owner, email="dana@example.com", role=Role.MEMBER)
        invite(by=owner, email="dana@example.com", role=Role.MEMBER)
    replaced, newest = _link(mail.outbox[0]), _link(mail.outbox[1])
    assert dana_client.post(replaced).status_code == 410

    Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = dana_client.post(newest)
    assert response.status_code == 410 and "expired" in response.content.decode()

    assert dana_client.get("/organisations/invitations/not-a-token/").status_code == 404
    assert not Membership.objects.filter(user=dana, organisation=organisation).exists()


def test_a_member_cannot_invite_and_an_admin_cannot_make_owners(alice, bob, charlie) -> None:
    organisation = _team(alice, (bob, Role.ADMIN), (charlie, Role.MEMBER))
    admin = Membership.objects.get(user=bob, organisation=organisation)
    member = Membership.objects.get(user=charlie, organisation=organisation)
    with pytest.raises(OrganisationError, match="owners and admins"):
        invite(by=member, email="dana@example.com", role=Role.MEMBER)
    with pytest.raises(OrganisationError, match="Only an owner"):
        invite(by=admin, email="dana@example.com", role=Role.OWNER)
    with pytest.raises(OrganisationError, match="Only an owner"):
        change_role(by=admin, member_id=member.pk, role=Role.OWNER)
    owner = Membership.objects.get(user=alice, organisation=organisation)
    with pytest.raises(OrganisationError, match="Only an owner"):
        remove_member(by=admin, member_id=owner.pk)
    assert not Invitation.objects.exists()
    change_role(by=admin, member_id=member.pk, role=Role.ADMIN)
    assert Membership.objects.get(pk=member.pk).role == Role.ADMIN


def test_the_last_owner_can_neither_step_down_nor_leave(alice, bob) -> None:
    organisation = _team(alice, (bob, Role.MEMBER))
    owner = Membership.objects.get(user=alice, organisation=organisation)
    with pytest.raises(OrganisationError, match="at least one owner"):
        change_role(by=owner, member_id=owner.pk, role=Role.MEMBER)
    with pytest.raises(OrganisationError, match="at least one owner"):
        remove_member(by=owner, member_id=owner.pk)
    bobs = Membership.objects.get(user=bob, organisation=organisation)
    change_role(by=owner, member_id=bobs.pk, role=Role.OWNER)
    change_role(by=owner, member_id=owner.pk, role=Role.MEMBER)
    assert Membership.objects.get(pk=owner.pk).role == Role.MEMBER


def test_no_one_is_left_without_an_organisation(alice) -> None:
    personal = current_membership(alice)
    with pytest.raises(OrganisationError):
        remove_member(by=personal, member_id=personal.pk)


def test_a_member_who_leaves_works_in_their_personal_organisation_again(
    alice, bob, login_verified
) -> None:
    organisation = _team(alice, (bob, Role.MEMBER))
    bobs = _work_in(bob, organisation)
    bob_client = login_verified(Client(), bob)
    response = bob_client.post(f"/organisations/members/{bobs.pk}/remove/")
    assert "You left the organisation" in response.content.decode()
    assert current_membership(bob).organisation.personal


def test_an_owner_removes_a_member_through_the_tab(alice, bob, alice_client) -> None:
    organisation = _team(alice, (bob, Role.MEMBER))
    _work_in(alice, organisation)
    bobs = Membership.objects.get(user=bob, organisation=organisation)
    response = alice_client.post(f"/organisations/members/{bobs.pk}/remove/")
    assert "Member removed" in response.content.decode()
    assert not Membership.objects.filter(pk=bobs.pk).exists()


def test_an_outsider_gets_404_for_another_organisation(alice, bob, charlie, login_verified) -> None:
    organisation = _team(alice, (bob, Role.MEMBER))
    bobs = Membership.objects.get(user=bob, organisation=organisation)
    outsider = login_verified(Client(), charlie)
    assert outsider.post(f"/organisations/{organisation.pk}/switch/").status_code == 404
    assert (
        outsider.post(f"/organisations/members/{bobs.pk}/role/", {"role": "admin"}).status_code
        == 404
    )
    assert outsider.post(f"/organisations/members/{bobs.pk}/remove/").status_code == 404
    assert Membership.objects.get(pk=bobs.pk).role == Role.MEMBER


def test_an_admin_never_sees_a_members_content(alice, bob, login_verified) -> None:
    organisation = _team(alice, (bob, Role.MEMBER))
    _work_in(bob, organisation)
    conversation = Conversation.objects.create(owner=bob, title="Bob's private plans")
    alice_client = login_verified(Client(), alice)
    _work_in(alice, organisation)
    assert alice_client.get(f"/chat/c/{conversation.pk}/").status_code == 404
    assert "private plans" not in alice_client.get("/settings/organisation/").content.decode()


def test_the_admin_lists_organisations_memberships_and_invitations(
    client: Client, login_verified, alice
) -> None:
    operator = make_user("operator@example.com", staff=True)
    organisation = _team(alice)
    organisation.llm_api_key_encrypted = "gAAAA-not-shown"
    organisation.save()
    staff = login_verified(client, operator)
    for url in (
        "/admin/organisations/organisation/",
        f"/admin/organisations/organisation/{organisation.pk}/change/",
        "/admin/organisations/membership/",
        "/admin/organisations/invitation/",
    ):
        page = staff.get(url)
        assert page.status_code == 200, url
        assert "gAAAA-not-shown" not in page.content.decode()
