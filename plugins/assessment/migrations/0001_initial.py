from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from plugins.assessment.models import AchievementKind, AchievementSource, AssessmentResult, AwardLevel, DelistingDecision
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Achievement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='achievements', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='INVENTION_PATENT: INVENTION_PATENT\nUTILITY_MODEL_PATENT: UTILITY_MODEL_PATENT\nDESIGN_PATENT: DESIGN_PATENT\nNEW_TECHNIQUE: NEW_TECHNIQUE\nNEW_PROCESS: NEW_PROCESS\nOPERATING_METHOD: OPERATING_METHOD\nPAPER: PAPER\nSOFTWARE: SOFTWARE\nSOLVED_PROBLEM: SOLVED_PROBLEM', enum_type=AchievementKind, max_length=24)),
                ('patent_number', fields.CharField(default='', max_length=40)),
                ('description', fields.TextField(default='', unique=False)),
                ('year', fields.SmallIntField()),
                ('industry_chain', fields.CharField(default='', max_length=100)),
                ('direct_benefit', fields.BigIntField(default=0)),
                ('indirect_benefit', fields.BigIntField(default=0)),
                ('promoted', fields.BooleanField(default=False)),
                ('promoted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('promotion_note', fields.CharField(default='', max_length=500)),
                ('source', fields.CharEnumField(default=AchievementSource.MANUAL, description='MANUAL: MANUAL\nCHALLENGE: CHALLENGE', enum_type=AchievementSource, max_length=12)),
                ('source_key', fields.CharField(null=True, unique=True, max_length=120)),
                ('created_by_account', fields.ForeignKeyField('core.Account', source_field='created_by_account_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'assessment_achievement', 'app': 'assessment', 'indexes': [Index(fields=['organisation_id', 'year']), Index(fields=['kind', 'year']), Index(fields=['year', 'promoted'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AchievementAward',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('achievement', fields.ForeignKeyField('assessment.Achievement', source_field='achievement_id', db_constraint=True, to_field='id', related_name='awards', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('level', fields.CharEnumField(description='NATIONAL: NATIONAL\nPROVINCIAL: PROVINCIAL\nMUNICIPAL: MUNICIPAL\nDISTRICT: DISTRICT\nENTERPRISE: ENTERPRISE', enum_type=AwardLevel, max_length=12)),
                ('rank', fields.CharField(default='', max_length=50)),
                ('year', fields.SmallIntField()),
            ],
            options={'table': 'assessment_achievement_award', 'app': 'assessment', 'indexes': [Index(fields=['achievement_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AchievementContributor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('achievement', fields.ForeignKeyField('assessment.Achievement', source_field='achievement_id', db_constraint=True, to_field='id', related_name='contributors', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'assessment_achievement_contributor', 'app': 'assessment', 'unique_together': (('achievement', 'person'),), 'indexes': [Index(fields=['person_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProposalTally',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='proposal_tallies', on_delete=OnDelete.CASCADE)),
                ('year', fields.SmallIntField()),
                ('quarter', fields.SmallIntField(default=0)),
                ('received', fields.IntField()),
                ('adopted', fields.IntField()),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'assessment_proposal_tally', 'app': 'assessment', 'unique_together': (('organisation', 'year', 'quarter'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StudioAssessment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='assessments', on_delete=OnDelete.CASCADE)),
                ('federation', fields.ForeignKeyField('core.Organisation', source_field='federation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('year', fields.SmallIntField()),
                ('level', fields.CharField(max_length=20)),
                ('targets', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('actuals', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('shortfalls', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('result', fields.CharEnumField(description='PASS: PASS\nRISK_WARNING: RISK_WARNING\nDELISTED: DELISTED', enum_type=AssessmentResult, max_length=16)),
                ('decision', fields.CharEnumField(null=True, description='PROPOSED: PROPOSED\nCONFIRMED: CONFIRMED\nOVERRIDDEN: OVERRIDDEN', enum_type=DelistingDecision, max_length=12)),
                ('decision_reason', fields.TextField(default='', unique=False)),
                ('decided_by_account', fields.ForeignKeyField('core.Account', source_field='decided_by_account_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('evaluated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'assessment_studio_assessment', 'app': 'assessment', 'unique_together': (('organisation', 'year'),), 'indexes': [Index(fields=['federation_id', 'year'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
