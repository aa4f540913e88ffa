"""Who asked for a command, in words (an API key or an MCP client), on the request and on
the run; sealed into the audit chain when set. SQLite rebuilds the table to add a column,
which drops the append-only trigger: it is set again."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import migrations, models

_table = import_module("permissions.migrations.0003_commandrun_table")


def trigger_again(apps: Any, schema_editor: Any) -> None:
    _table.trigger_on_new(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0004_metered_as"),
    ]

    operations = [
        migrations.AddField(
            model_name="commandrun",
            name="client",
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name="permissionrequest",
            name="client",
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.RunPython(trigger_again, migrations.RunPython.noop),
    ]
