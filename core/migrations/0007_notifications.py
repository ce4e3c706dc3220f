from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0006_studio_status')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recipient', fields.ForeignKeyField('core.Person', source_field='recipient_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(description='Namespaced by plugin, e.g. mentorship.proposed.', max_length=64)),
                ('subject', fields.CharField(description='Global ID of what the notice links to.', max_length=200)),
                ('actor_id', fields.IntField(null=True, description='The Person who caused it, null for the system.')),
                ('summary', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'core_notification', 'app': 'core', 'indexes': [Index(fields=['recipient_id', 'id']), Index(fields=['recipient_id', 'read_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
