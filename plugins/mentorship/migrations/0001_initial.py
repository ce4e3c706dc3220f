from tortoise import migrations
from tortoise.migrations import operations as ops
from plugins.mentorship.models import MentorshipStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True
    dependencies = [('core', '0001_initial')]

    operations = [
        ops.CreateModel(
            name='MentorLoad',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mentor', fields.ForeignKeyField('core.Person', source_field='mentor_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('active', fields.IntField(default=0)),
            ],
            options={'table': 'mentorship_mentor_load', 'app': 'mentorship', 'unique_together': (('mentor', 'organisation'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mentorship',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mentor', fields.ForeignKeyField('core.Person', source_field='mentor_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('apprentice', fields.ForeignKeyField('core.Person', source_field='apprentice_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('skill', fields.ForeignKeyField('core.Skill', source_field='skill_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('goals', fields.TextField(default='', unique=False)),
                ('planned_start', fields.DateField()),
                ('planned_end', fields.DateField(null=True)),
                ('status', fields.CharEnumField(default=MentorshipStatus.PROPOSED, description='PROPOSED: PROPOSED\nACTIVE: ACTIVE\nCOMPLETED: COMPLETED\nDECLINED: DECLINED\nCANCELLED: CANCELLED\nTERMINATED: TERMINATED', enum_type=MentorshipStatus, max_length=12)),
                ('mentor_signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('apprentice_signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('core.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('open_key', fields.CharField(null=True, unique=True, max_length=64)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('end_reason', fields.TextField(default='', unique=False)),
                ('score', fields.SmallIntField(null=True)),
                ('comment', fields.TextField(default='', unique=False)),
                ('raised_level', fields.SmallIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'mentorship_mentorship', 'app': 'mentorship', 'indexes': [Index(fields=['mentor_id', 'status']), Index(fields=['apprentice_id', 'status']), Index(fields=['organisation_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MentoringSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mentorship', fields.ForeignKeyField('mentorship.Mentorship', source_field='mentorship_id', db_index=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('date', fields.DateField()),
                ('hours', fields.DecimalField(max_digits=4, decimal_places=2)),
                ('topic', fields.CharField(max_length=200)),
                ('notes', fields.TextField(default='', unique=False)),
                ('logged_by', fields.ForeignKeyField('core.Person', source_field='logged_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mentorship_session', 'app': 'mentorship', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Milestone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mentorship', fields.ForeignKeyField('mentorship.Mentorship', source_field='mentorship_id', db_index=True, db_constraint=True, to_field='id', related_name='milestones', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('due_date', fields.DateField(null=True)),
                ('created_by', fields.ForeignKeyField('core.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mentorship_milestone', 'app': 'mentorship', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
