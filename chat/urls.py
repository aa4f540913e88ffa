from __future__ import annotations

from django.urls import path

from chat import views

app_name = "chat"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("c/<int:pk>/", views.conversation, name="conversation"),
    path("c/<int:pk>/older/", views.older, name="older"),
    path("c/<int:pk>/send/", views.send, name="send"),
    path("c/<int:pk>/voice/", views.voice, name="voice"),
    path("c/<int:pk>/rename/", views.rename, name="rename"),
    path("c/<int:pk>/archive/", views.archive, name="archive"),
    path("c/<int:pk>/delete/", views.delete, name="delete"),
    path("m/<int:pk>/", views.message, name="message"),
    path("m/<int:pk>/thread/", views.thread, name="thread"),
    path("m/<int:pk>/stop/", views.stop, name="stop"),
    path("m/<int:pk>/retry/", views.retry, name="retry"),
    path("m/<int:pk>/audio/", views.audio, name="audio"),
]
