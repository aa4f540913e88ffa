from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.read, name="read"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("email/open/<str:token>/", views.email_open, name="email_open"),
    path("email/stop/<str:token>/", views.email_stop, name="email_stop"),
]
