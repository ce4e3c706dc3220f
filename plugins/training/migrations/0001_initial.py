from tortoise import migrations
from tortoise.migrations import operations as ops
from plugins.training.models import EnrolmentStatus, SessionStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True
    dependencies = [('core', '0001_initial')]

    operations = [
        ops.CreateModel(
            name='TrainingCalendarFeed',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.OneToOneField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='training_calendar_feed', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField(default=1)),
                ('rotated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'training_calendar_feed', 'app': 'training', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrainingCourse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='training_courses', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('skill', fields.ForeignKeyField('core.Skill', source_field='skill_id', null=True, db_constraint=True, to_field='id', related_name='training_courses', on_delete=OnDelete.SET_NULL)),
                ('target_level', fields.SmallIntField(null=True)),
                ('description', fields.TextField(default='', unique=False)),
                ('hours', fields.FloatField(default=0)),
                ('certificate_valid_months', fields.IntField(null=True)),
                ('published', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'training_course', 'app': 'training', 'indexes': [Index(fields=['organisation_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrainingCourseTrainer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('training.TrainingCourse', source_field='course_id', db_constraint=True, to_field='id', related_name='trainer_links', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='training_courses_taught', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'training_course_trainer', 'app': 'training', 'unique_together': (('course', 'person'),), 'indexes': [Index(fields=['person_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrainingSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('training.TrainingCourse', source_field='course_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='training_sessions', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('venue', fields.CharField(default='', max_length=200)),
                ('online_url', fields.CharField(default='', max_length=500)),
                ('capacity', fields.IntField()),
                ('seats_taken', fields.IntField(default=0)),
                ('waitlist_length', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=SessionStatus.SCHEDULED, description='SCHEDULED: SCHEDULED\nCANCELLED: CANCELLED\nCOMPLETED: COMPLETED', enum_type=SessionStatus, max_length=12)),
                ('series_id', fields.CharField(null=True, db_index=True, max_length=32)),
                ('cancel_reason', fields.CharField(default='', max_length=500)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'training_session', 'app': 'training', 'indexes': [Index(fields=['course_id', 'starts_at']), Index(fields=['organisation_id', 'starts_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrainingEnrolment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('training.TrainingSession', source_field='session_id', db_constraint=True, to_field='id', related_name='enrolments', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='training_enrolments', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='CONFIRMED: CONFIRMED\nWAITLISTED: WAITLISTED\nCANCELLED: CANCELLED\nATTENDED: ATTENDED\nNO_SHOW: NO_SHOW', enum_type=EnrolmentStatus, max_length=12)),
                ('waitlist_position', fields.IntField(null=True)),
                ('enrolled_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_in_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('passed', fields.BooleanField(null=True)),
                ('score', fields.FloatField(null=True)),
                ('assessed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'training_enrolment', 'app': 'training', 'unique_together': (('session', 'person'),), 'indexes': [Index(fields=['session_id', 'status']), Index(fields=['person_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrainingCertificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('holder', fields.ForeignKeyField('core.Person', source_field='holder_id', db_constraint=True, to_field='id', related_name='training_certificates', on_delete=OnDelete.CASCADE)),
                ('course', fields.ForeignKeyField('training.TrainingCourse', source_field='course_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='training_certificates', on_delete=OnDelete.CASCADE)),
                ('enrolment', fields.OneToOneField('training.TrainingEnrolment', source_field='enrolment_id', db_constraint=True, to_field='id', related_name='certificate', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('score', fields.FloatField(null=True)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'training_certificate', 'app': 'training', 'indexes': [Index(fields=['holder_id']), Index(fields=['organisation_id', 'issued_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
