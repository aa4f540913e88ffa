from __future__ import annotations

from django.urls import path

from agent_bridge import views

app_name = "agent_bridge"
urlpatterns = [
    path("", views.back_to_apps, name="index"),
    path("pair/", views.pair, name="pair"),
    path("pair/start/", views.pair_start, name="pair_start"),
    path("pair/poll/", views.pair_poll, name="pair_poll"),
    path("computers/", views.create_agent, name="create"),
    path("computers/<uuid:pk>/rename/", views.rename, name="rename"),
    path("computers/<uuid:pk>/revoke/", views.revoke, name="revoke"),
    path("computers/<uuid:pk>/retry/", views.retry, name="retry"),
    path("computers/<uuid:pk>/tokens/", views.new_token, name="new_token"),
    path("computers/<uuid:pk>/runs/", views.runs, name="runs"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]
