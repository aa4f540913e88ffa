"""Whose use a command is (lmo.usage): the organisation its caller acted in and the API
key's prefix, on the request and on the run. SQLite rebuilds the table to add a column,
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
        ("permissions", "0003_commandrun_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="commandrun",
            name="key_prefix",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="commandrun",
            name="organisation_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="permissionrequest",
            name="key_prefix",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="permissionrequest",
            name="organisation_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(trigger_again, migrations.RunPython.noop),
    ]
