"""The command runs' table takes its owner's name (``permissions_commandrun``), rows and
sealed audit chain unchanged; its indexes get names of their own, the append-only trigger
is set on the renamed table, and the content type (admin history, model permissions)
follows the model."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "permissions_commandrun"  # was agent_bridge_commandrun
TRIGGER = "lmo_audit_append_only"
MESSAGE = "A finished command record is part of the audit and cannot change."


def _trigger_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$
BEGIN
    IF OLD.audit_digest <> '' THEN
        RAISE EXCEPTION '{MESSAGE}';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}",
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()",
        ]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {TRIGGER}",
            f"""CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {table}
FOR EACH ROW WHEN OLD.audit_digest <> ''
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END""",
        ]
    return []


def _set_trigger(schema_editor: Any, table: str) -> None:
    for statement in _trigger_sql(schema_editor.connection.vendor, table):
        schema_editor.execute(statement)


def trigger_on_new(apps: Any, schema_editor: Any) -> None:
    _set_trigger(schema_editor, TABLE)


def _move_content_type(apps: Any, source: str, destination: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=source, model="commandrun").first()
    if old is None:
        return  # a fresh database: post_migrate creates it under its new app
    ContentType.objects.filter(app_label=destination, model="commandrun").delete()
    old.app_label = destination
    old.save(update_fields=["app_label"])


def content_type_forward(apps: Any, schema_editor: Any) -> None:
    _move_content_type(apps, "agent_bridge", "permissions")


def content_type_backward(apps: Any, schema_editor: Any) -> None:
    _move_content_type(apps, "permissions", "agent_bridge")


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0002_commandrun"),
        ("agent_bridge", "0005_commandrun_to_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="commandrun", table=None),
        migrations.RenameIndex(
            model_name="commandrun",
            new_name="run_owner_created",
            old_name="agent_bridg_owner_i_9c2412_idx",
        ),
        migrations.RenameIndex(
            model_name="commandrun",
            new_name="run_agent_created",
            old_name="agent_bridg_agent_i_e65a9d_idx",
        ),
        # Backwards the rename takes the trigger along (both databases keep a table's
        # triggers when it is renamed).
        migrations.RunPython(trigger_on_new, migrations.RunPython.noop),
        migrations.RunPython(content_type_forward, content_type_backward),
    ]
