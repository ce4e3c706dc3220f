from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from plugins.challenges.models import BidStatus, MilestoneStatus, OfferKind, OutcomeStatus, ProblemStatus, Urgency, Visibility
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0005_revoked_tokens_refresh_grace')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Problem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='challenge_problems', on_delete=OnDelete.CASCADE)),
                ('posted_by', fields.ForeignKeyField('core.Person', source_field='posted_by_id', null=True, db_constraint=True, to_field='id', related_name='challenge_problems_posted', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('industry_chain', fields.CharField(default='', max_length=50)),
                ('urgency', fields.CharEnumField(default=Urgency.NORMAL, description='LOW: LOW\nNORMAL: NORMAL\nHIGH: HIGH\nCRITICAL: CRITICAL', enum_type=Urgency, max_length=10)),
                ('region', fields.CharField(default='', max_length=100)),
                ('reward', fields.BigIntField(null=True)),
                ('deadline', fields.DateField(null=True)),
                ('visibility', fields.CharEnumField(default=Visibility.ALLIANCE, description='ALLIANCE: ALLIANCE\nREGION: REGION\nPUBLIC: PUBLIC', enum_type=Visibility, max_length=10)),
                ('attachments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=ProblemStatus.DRAFT, description='DRAFT: DRAFT\nOPEN: OPEN\nIN_PROGRESS: IN_PROGRESS\nSOLVED: SOLVED\nCLOSED: CLOSED\nWITHDRAWN: WITHDRAWN', enum_type=ProblemStatus, max_length=12)),
                ('teams', fields.IntField(default=0)),
                ('close_reason', fields.CharField(default='', max_length=500)),
                ('rating', fields.SmallIntField(null=True)),
                ('economic_benefit', fields.BigIntField(null=True)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('taken_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('solved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'challenges_problem', 'app': 'challenges', 'indexes': [Index(fields=['status', 'industry_chain']), Index(fields=['organisation_id', 'status']), Index(fields=['solved_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Milestone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('problem', fields.ForeignKeyField('challenges.Problem', source_field='problem_id', db_constraint=True, to_field='id', related_name='milestones', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('due', fields.DateField(null=True)),
                ('status', fields.CharEnumField(default=MilestoneStatus.PLANNED, description='PLANNED: PLANNED\nDONE: DONE\nAPPROVED: APPROVED', enum_type=MilestoneStatus, max_length=10)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'challenges_milestone', 'app': 'challenges', 'indexes': [Index(fields=['problem_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProblemSkill',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('problem', fields.ForeignKeyField('challenges.Problem', source_field='problem_id', db_constraint=True, to_field='id', related_name='skill_needs', on_delete=OnDelete.CASCADE)),
                ('skill', fields.ForeignKeyField('core.Skill', source_field='skill_id', db_constraint=True, to_field='id', related_name='challenge_needs', on_delete=OnDelete.CASCADE)),
                ('min_level', fields.SmallIntField()),
            ],
            options={'table': 'challenges_problem_skill', 'app': 'challenges', 'unique_together': (('problem', 'skill'),), 'indexes': [Index(fields=['skill_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProblemSolver',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('problem', fields.ForeignKeyField('challenges.Problem', source_field='problem_id', db_constraint=True, to_field='id', related_name='solvers', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='challenge_problems_solved', on_delete=OnDelete.CASCADE)),
                ('solved_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'challenges_problem_solver', 'app': 'challenges', 'unique_together': (('problem', 'person'),), 'indexes': [Index(fields=['person_id', 'solved_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceTeam',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='challenge_teams', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('leader', fields.ForeignKeyField('core.Person', source_field='leader_id', db_constraint=True, to_field='id', related_name='challenge_teams_led', on_delete=OnDelete.RESTRICT)),
                ('industry_chain', fields.CharField(max_length=50)),
                ('region', fields.CharField(default='', max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'challenges_service_team', 'app': 'challenges', 'indexes': [Index(fields=['organisation_id']), Index(fields=['leader_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Offer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='PERSON: PERSON\nSTUDIO: STUDIO\nTEAM: TEAM', enum_type=OfferKind, max_length=10)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='challenge_offers', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='challenge_offers', on_delete=OnDelete.CASCADE)),
                ('team', fields.ForeignKeyField('challenges.ServiceTeam', source_field='team_id', null=True, db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('specialties', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('research_directions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('industry_chain', fields.CharField(default='', max_length=50)),
                ('region', fields.CharField(default='', max_length=100)),
                ('availability', fields.CharField(default='', max_length=200)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'challenges_offer', 'app': 'challenges', 'indexes': [Index(fields=['active', 'kind']), Index(fields=['person_id']), Index(fields=['organisation_id']), Index(fields=['team_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Bid',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('problem', fields.ForeignKeyField('challenges.Problem', source_field='problem_id', db_constraint=True, to_field='id', related_name='bids', on_delete=OnDelete.CASCADE)),
                ('offer', fields.ForeignKeyField('challenges.Offer', source_field='offer_id', db_constraint=True, to_field='id', related_name='bids', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='challenge_bids', on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.ForeignKeyField('core.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='challenge_bids_made', on_delete=OnDelete.SET_NULL)),
                ('plan', fields.TextField(unique=False)),
                ('timeline', fields.CharField(default='', max_length=500)),
                ('finish_by', fields.DateField(null=True)),
                ('member_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=BidStatus.PENDING, description='PENDING: PENDING\nACCEPTED: ACCEPTED\nDECLINED: DECLINED\nWITHDRAWN: WITHDRAWN', enum_type=BidStatus, max_length=10)),
                ('decline_reason', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'challenges_bid', 'app': 'challenges', 'unique_together': (('problem', 'offer'),), 'indexes': [Index(fields=['offer_id', 'status']), Index(fields=['organisation_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OfferSkill',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('offer', fields.ForeignKeyField('challenges.Offer', source_field='offer_id', db_constraint=True, to_field='id', related_name='skill_links', on_delete=OnDelete.CASCADE)),
                ('skill', fields.ForeignKeyField('core.Skill', source_field='skill_id', db_constraint=True, to_field='id', related_name='challenge_offers', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'challenges_offer_skill', 'app': 'challenges', 'unique_together': (('offer', 'skill'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Outcome',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('problem', fields.ForeignKeyField('challenges.Problem', source_field='problem_id', db_constraint=True, to_field='id', related_name='outcomes', on_delete=OnDelete.CASCADE)),
                ('bid', fields.ForeignKeyField('challenges.Bid', source_field='bid_id', db_constraint=True, to_field='id', related_name='outcomes', on_delete=OnDelete.CASCADE)),
                ('summary', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=OutcomeStatus.SUBMITTED, description='SUBMITTED: SUBMITTED\nACCEPTED: ACCEPTED\nRETURNED: RETURNED', enum_type=OutcomeStatus, max_length=10)),
                ('return_reason', fields.CharField(default='', max_length=500)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'challenges_outcome', 'app': 'challenges', 'indexes': [Index(fields=['problem_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceTeamMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('challenges.ServiceTeam', source_field='team_id', db_constraint=True, to_field='id', related_name='member_links', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='challenge_team_memberships', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'challenges_service_team_member', 'app': 'challenges', 'unique_together': (('team', 'person'),), 'indexes': [Index(fields=['person_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceVisit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('problem', fields.ForeignKeyField('challenges.Problem', source_field='problem_id', db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.CASCADE)),
                ('bid', fields.ForeignKeyField('challenges.Bid', source_field='bid_id', db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='challenge_visits', on_delete=OnDelete.SET_NULL)),
                ('logged_by', fields.ForeignKeyField('core.Person', source_field='logged_by_id', null=True, db_constraint=True, to_field='id', related_name='challenge_visits_logged', on_delete=OnDelete.SET_NULL)),
                ('date', fields.DateField()),
                ('hours', fields.FloatField()),
                ('people', fields.IntField()),
                ('workers_trained', fields.IntField(default=0)),
                ('notes', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'challenges_service_visit', 'app': 'challenges', 'indexes': [Index(fields=['problem_id']), Index(fields=['organisation_id', 'date'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
