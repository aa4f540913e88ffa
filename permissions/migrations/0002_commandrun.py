"""``CommandRun`` moves from agent_bridge to permissions, which owns the life of a command.

State only: the table stays as it is here (same name, same rows, same indexes); the next
migration renames it. agent_bridge 0005 drops the model from its own state."""

from __future__ import annotations

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

OPEN = models.Q(("state__in", ("queued", "sent", "acked")))


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0001_initial"),
        ("agent_bridge", "0004_audit_owner_and_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="CommandRun",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("target", models.CharField(max_length=64)),
                ("action", models.CharField(max_length=64)),
                ("params", models.JSONField(blank=True, default=dict)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("sent", "Sent"),
                            ("acked", "Acked"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                            ("timed_out", "Timed out"),
                            ("cancelled", "Cancelled"),
                            ("denied", "Denied"),
                            ("expired", "Not answered"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("deadline", models.DateTimeField()),
                ("result", models.JSONField(blank=True, null=True)),
                ("error_code", models.CharField(blank=True, max_length=64)),
                ("error", models.TextField(blank=True)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("acked_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("duration_ms", models.FloatField(blank=True, null=True)),
                ("audit_seq", models.PositiveBigIntegerField(blank=True, null=True)),
                ("audit_digest", models.CharField(blank=True, max_length=64)),
                (
                    "idempotency_key",
                    models.CharField(blank=True, max_length=200, null=True, unique=True),
                ),
                ("conversation_id", models.BigIntegerField(blank=True, null=True)),
                ("message_id", models.BigIntegerField(blank=True, null=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="command_runs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "agent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="runs",
                        to="agent_bridge.agent",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "grant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="runs",
                        to="permissions.grant",
                    ),
                ),
                (
                    "permission_request",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="runs",
                        to="permissions.permissionrequest",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("-created_at",),
                "db_table": "agent_bridge_commandrun",
                "indexes": [
                    models.Index(
                        fields=["owner", "-created_at"], name="agent_bridg_owner_i_9c2412_idx"
                    ),
                    models.Index(
                        fields=["agent", "-created_at"], name="agent_bridg_agent_i_e65a9d_idx"
                    ),
                    models.Index(condition=OPEN, fields=["agent", "state"], name="agent_run_open"),
                    models.Index(condition=OPEN, fields=["deadline"], name="agent_run_deadline"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("owner", "audit_seq"), name="run_audit_seq_unique"
                    )
                ],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
