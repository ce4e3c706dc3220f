from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0004_audit_entry')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RevokedToken',
            fields=[
                ('jti', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'core_revoked_token', 'app': 'core', 'pk_attr': 'jti'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='RefreshToken',
            name='successor_sealed',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='RefreshToken',
            name='used_by',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
