from tortoise import migrations
from tortoise.migrations import operations as ops
from core.organisations.models import StudioStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0005_revoked_tokens_refresh_grace')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StudioStatusChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='status_changes', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharEnumField(null=True, description='ACTIVE: ACTIVE\nWARNED: WARNED\nDELISTED: DELISTED', enum_type=StudioStatus, max_length=20)),
                ('to_status', fields.CharEnumField(description='ACTIVE: ACTIVE\nWARNED: WARNED\nDELISTED: DELISTED', enum_type=StudioStatus, max_length=20)),
                ('reason', fields.TextField(default='', unique=False)),
                ('changed_by_account', fields.ForeignKeyField('core.Account', source_field='changed_by_account_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'core_studio_status_change', 'app': 'core', 'indexes': [Index(fields=['organisation_id', 'at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
