from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AllianceMembership',
            index=Index(fields=['organisation_id']),
        ),
        ops.AddIndex(
            model_name='Honour',
            index=Index(fields=['person_id']),
        ),
        ops.AddIndex(
            model_name='Membership',
            index=Index(fields=['organisation_id', 'role']),
        ),
        ops.AddIndex(
            model_name='Organisation',
            index=Index(fields=['parent_id']),
        ),
        ops.AddIndex(
            model_name='PersonSkill',
            index=Index(fields=['skill_id', 'level']),
        ),
        ops.AddIndex(
            model_name='RefreshToken',
            index=Index(fields=['account_id']),
        ),
    ]
