from __future__ import annotations

from django.urls import path

from lmo.organisations import views

app_name = "organisations"

urlpatterns = [
    path("create/", views.create, name="create"),
    path("rename/", views.rename, name="rename"),
    path("<int:organisation_id>/switch/", views.switch, name="switch"),
    path("invite/", views.invite, name="invite"),
    path("invitations/<int:invitation_id>/revoke/", views.revoke, name="revoke"),
    path("members/<int:member_id>/role/", views.change_role, name="role"),
    path("members/<int:member_id>/remove/", views.remove, name="remove"),
    path("llm/", views.llm, name="llm"),
    path("quota/", views.quota, name="quota"),
    path("rate-limits/", views.rate_limits, name="rate_limits"),
    path("members/<int:member_id>/quota/", views.member_quota, name="member_quota"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
