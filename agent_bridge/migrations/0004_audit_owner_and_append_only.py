"""Every run gets its owner (from its computer), and sealed audit records become
append-only in the database itself: a trigger refuses any UPDATE of a sealed row."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "agent_bridge_commandrun"
TRIGGER = "lmo_audit_append_only"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$
BEGIN
    IF OLD.audit_digest <> '' THEN
        RAISE EXCEPTION 'A finished command record is part of the audit and cannot change.';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TRIGGER}();
"""
POSTGRES_DOWN = f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}; DROP FUNCTION IF EXISTS {TRIGGER}();"
SQLITE_UP = f"""
CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE}
FOR EACH ROW WHEN OLD.audit_digest <> ''
BEGIN
    SELECT RAISE(ABORT, 'A finished command record is part of the audit and cannot change.');
END;
"""
SQLITE_DOWN = f"DROP TRIGGER IF EXISTS {TRIGGER};"


def fill_owner(apps: Any, schema_editor: Any) -> None:
    CommandRun = apps.get_model("agent_bridge", "CommandRun")
    Agent = apps.get_model("agent_bridge", "Agent")
    for agent_id, owner_id in Agent.objects.values_list("pk", "owner_id"):
        CommandRun.objects.filter(agent_id=agent_id, owner__isnull=True).update(owner_id=owner_id)


def _run(schema_editor: Any, sql: dict[str, str]) -> None:
    statement = sql.get(schema_editor.connection.vendor)
    if statement:
        schema_editor.execute(statement)


def add_trigger(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP})


def drop_trigger(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})


class Migration(migrations.Migration):
    dependencies = [
        ("agent_bridge", "0003_audit_links"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fill_owner, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="commandrun",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="command_runs",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
