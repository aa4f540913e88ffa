"""``CommandRun`` now belongs to permissions (permissions 0002): gone from this app's
state only; its table and rows are untouched."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agent_bridge", "0004_audit_owner_and_append_only"),
        ("permissions", "0002_commandrun"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CommandRun")]
        )
    ]
