from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault

class Migration(migrations.Migration):
    dependencies = [('core', '0007_notifications')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Organisation',
            name='founded',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Organisation',
            name='specialties',
            field=fields.JSONField(default=list, db_default=SqlDefault("'[]'"), encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
