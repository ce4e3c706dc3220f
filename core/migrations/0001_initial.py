from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.organisations.models import AllianceRole, OrganisationKind, OrganisationLevel, StudioStatus
from core.people.models import HonourLevel, MembershipRole
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(db_index=True, max_length=100)),
                ('bio', fields.TextField(default='', unique=False)),
                ('phone', fields.CharField(default='', max_length=40)),
                ('email', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'core_person', 'app': 'core', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('person', fields.OneToOneField('core.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='account', on_delete=OnDelete.CASCADE)),
                ('is_superuser', fields.BooleanField(default=False)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'core_account', 'app': 'core', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Honour',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='honours', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=100)),
                ('level', fields.CharEnumField(description='NATIONAL: NATIONAL\nPROVINCIAL: PROVINCIAL\nMUNICIPAL: MUNICIPAL\nDISTRICT: DISTRICT\nENTERPRISE: ENTERPRISE\nSCHOOL: SCHOOL', enum_type=HonourLevel, max_length=20)),
                ('year', fields.IntField()),
                ('issuer', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'core_honour', 'app': 'core', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Organisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(db_index=True, max_length=200)),
                ('kind', fields.CharEnumField(db_index=True, description='FEDERATION: FEDERATION\nINDUSTRY_UNION: INDUSTRY_UNION\nGRASSROOTS_UNION: GRASSROOTS_UNION\nENTERPRISE: ENTERPRISE\nSCHOOL: SCHOOL\nINSTITUTE: INSTITUTE\nSTUDIO: STUDIO\nALLIANCE: ALLIANCE', enum_type=OrganisationKind, max_length=20)),
                ('level', fields.CharEnumField(null=True, description='NATIONAL: NATIONAL\nPROVINCIAL: PROVINCIAL\nMUNICIPAL: MUNICIPAL\nDISTRICT: DISTRICT\nENTERPRISE: ENTERPRISE', enum_type=OrganisationLevel, max_length=20)),
                ('region', fields.CharField(default='', max_length=100)),
                ('industry', fields.CharField(default='', max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('charter', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(null=True, description='ACTIVE: ACTIVE\nWARNED: WARNED\nDELISTED: DELISTED', enum_type=StudioStatus, max_length=20)),
                ('parent', fields.ForeignKeyField('core.Organisation', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('leader', fields.ForeignKeyField('core.Person', source_field='leader_id', null=True, db_constraint=True, to_field='id', related_name='led_organisations', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'core_organisation', 'app': 'core', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AllianceMembership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alliance', fields.ForeignKeyField('core.Organisation', source_field='alliance_id', db_constraint=True, to_field='id', related_name='alliance_members', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='alliance_memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=AllianceRole.MEMBER, description='LEAD: LEAD\nMEMBER: MEMBER', enum_type=AllianceRole, max_length=10)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'core_alliance_membership', 'app': 'core', 'unique_together': (('alliance', 'organisation'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=MembershipRole.MEMBER, description='MEMBER: MEMBER\nADMIN: ADMIN\nLEADER: LEADER', enum_type=MembershipRole, max_length=10)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'core_membership', 'app': 'core', 'unique_together': (('person', 'organisation'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrganisationPlugin',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='plugin_activations', on_delete=OnDelete.CASCADE)),
                ('plugin', fields.CharField(max_length=64)),
                ('enabled', fields.BooleanField(default=True)),
                ('settings', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'core_organisation_plugin', 'app': 'core', 'unique_together': (('organisation', 'plugin'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('core.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='refresh_tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('family', fields.CharField(db_index=True, max_length=32)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'core_refresh_token', 'app': 'core', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Skill',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('category', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'core_skill', 'app': 'core', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonSkill',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='skills', on_delete=OnDelete.CASCADE)),
                ('skill', fields.ForeignKeyField('core.Skill', source_field='skill_id', db_constraint=True, to_field='id', related_name='holders', on_delete=OnDelete.CASCADE)),
                ('level', fields.SmallIntField()),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'core_person_skill', 'app': 'core', 'unique_together': (('person', 'skill'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
