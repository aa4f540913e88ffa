"""The assistant run becomes a model with a state (AssistantRun), replacing the prefixes of
``Message.run_state`` ("wait:<key>", "resume:<token>", "running:<token>", "transcribing"),
``metadata["waiting"]`` and ``Conversation.running``. Unfinished answers get their run;
a voice message being transcribed gets the status "transcribing"."""

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def runs_from_strings(apps: Any, schema_editor: Any) -> None:
    Message = apps.get_model("chat", "Message")
    AssistantRun = apps.get_model("chat", "AssistantRun")
    Message.objects.filter(sender="user", status="sending", run_state="transcribing").update(
        status="transcribing"
    )
    answers = Message.objects.filter(sender="assistant", status="sending").order_by("pk")
    for answer in answers.iterator():
        prefix, _, rest = answer.run_state.partition(":")
        metadata = dict(answer.metadata or {})
        waiting = metadata.pop("waiting", None)
        state = {"wait": "waiting", "resume": "resuming"}.get(prefix, "running")
        if AssistantRun.objects.filter(conversation_id=answer.conversation_id).exists():
            state = "finished"  # never two unfinished runs in one conversation
        AssistantRun.objects.create(
            conversation_id=answer.conversation_id,
            answer_id=answer.pk,
            state=state,
            wait_key=rest[:200] if state == "waiting" else "",
            waiting=waiting if state == "waiting" else None,
            token=rest[:32] if state == "resuming" else "",
        )
        Message.objects.filter(pk=answer.pk).update(metadata=metadata)


def strings_from_runs(apps: Any, schema_editor: Any) -> None:
    Message = apps.get_model("chat", "Message")
    Conversation = apps.get_model("chat", "Conversation")
    AssistantRun = apps.get_model("chat", "AssistantRun")
    Message.objects.filter(status="transcribing").update(status="sending", run_state="transcribing")
    for run in AssistantRun.objects.exclude(state="finished").select_related("answer"):
        metadata = dict(run.answer.metadata or {})
        run_state = ""
        if run.state == "waiting":
            run_state, metadata["waiting"] = f"wait:{run.wait_key}"[:200], run.waiting
        elif run.state == "resuming":
            run_state = f"resume:{run.token}"
        Message.objects.filter(pk=run.answer_id).update(run_state=run_state, metadata=metadata)
        Conversation.objects.filter(pk=run.conversation_id).update(running_id=run.answer_id)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="status",
            field=models.CharField(
                choices=[
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("delivered", "Delivered"),
                    ("read", "Read"),
                    ("error", "Error"),
                    ("transcribing", "Transcribing"),
                ],
                default="sent",
                max_length=12,
            ),
        ),
        migrations.CreateModel(
            name="AssistantRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("running", "Running"),
                            ("waiting", "Waiting"),
                            ("resuming", "Resuming"),
                            ("finished", "Finished"),
                        ],
                        default="running",
                        max_length=10,
                    ),
                ),
                (
                    "origin",
                    models.CharField(
                        choices=[("chat", "Chat page"), ("api", "API")],
                        default="chat",
                        max_length=10,
                    ),
                ),
                ("wait_key", models.CharField(blank=True, max_length=200)),
                ("waiting", models.JSONField(blank=True, null=True)),
                ("token", models.CharField(blank=True, max_length=32)),
                ("stop_requested", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "answer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="run",
                        to="chat.message",
                    ),
                ),
                (
                    "conversation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assistant_runs",
                        to="chat.conversation",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("state", "waiting")),
                        fields=["conversation", "wait_key"],
                        name="chat_run_waiting",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "finished"), _negated=True),
                        fields=("conversation",),
                        name="chat_one_unfinished_run_per_conversation",
                    )
                ],
            },
        ),
        migrations.RunPython(runs_from_strings, strings_from_runs),
        migrations.RemoveField(
            model_name="conversation",
            name="running",
        ),
        migrations.RemoveField(
            model_name="message",
            name="run_state",
        ),
    ]
