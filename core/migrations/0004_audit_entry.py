from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

# PostgreSQL refuses any UPDATE or DELETE of an audit entry, whoever sends it (TRUNCATE, which
# needs the table's owner, is left to operators and the test suite). SQLite gets no trigger: its
# test suite empties tables with DELETE; the model and its query set refuse there.
APPEND_ONLY = """
CREATE FUNCTION core_audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'core_audit_entry is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER core_audit_entry_append_only BEFORE UPDATE OR DELETE ON core_audit_entry
    FOR EACH ROW EXECUTE FUNCTION core_audit_entry_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS core_audit_entry_append_only ON core_audit_entry;
DROP FUNCTION IF EXISTS core_audit_entry_append_only();
"""


def _on_postgres(schema_editor: BaseSchemaEditor) -> bool:
    return schema_editor.client.capabilities.dialect == "postgres"


async def add_trigger(apps: object, schema_editor: BaseSchemaEditor) -> None:
    if _on_postgres(schema_editor):
        await schema_editor._run_sql(APPEND_ONLY)


async def drop_trigger(apps: object, schema_editor: BaseSchemaEditor) -> None:
    if _on_postgres(schema_editor):
        await schema_editor._run_sql(DROP_APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [('core', '0003_consent_and_provenance')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_account_id', fields.IntField(null=True, description='Null: the system acted.')),
                ('actor_person_id', fields.IntField(null=True)),
                ('organisation_id', fields.IntField(null=True, description='The organisation the action concerns.')),
                ('action', fields.CharField(description='Stable dotted name, e.g. membership.invited.', max_length=64)),
                ('target', fields.CharField(description='Global ID of what was acted on.', max_length=200)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'core_audit_entry', 'app': 'core', 'indexes': [Index(fields=['organisation_id', 'occurred_at']), Index(fields=['target', 'occurred_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(add_trigger, drop_trigger),
    ]
