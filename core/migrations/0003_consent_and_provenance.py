from tortoise import migrations
from tortoise.migrations import operations as ops
from core.organisations.models import AllianceRole
from core.people.models import InvitationStatus, MembershipRole
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0002_foreign_key_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AllianceInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alliance', fields.ForeignKeyField('core.Organisation', source_field='alliance_id', db_constraint=True, to_field='id', related_name='alliance_invitations_sent', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='alliance_invitations', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=AllianceRole.MEMBER, description='LEAD: LEAD\nMEMBER: MEMBER', enum_type=AllianceRole, max_length=10)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: PENDING\nACCEPTED: ACCEPTED\nDECLINED: DECLINED\nCANCELLED: CANCELLED', enum_type=InvitationStatus, max_length=10)),
                ('invited_by_account', fields.ForeignKeyField('core.Account', source_field='invited_by_account_id', null=True, db_constraint=True, to_field='id', related_name='alliance_invitations_sent', on_delete=OnDelete.SET_NULL)),
                ('invited_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('responded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'core_alliance_invitation', 'app': 'core', 'unique_together': (('alliance', 'organisation'),), 'indexes': [Index(fields=['organisation_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MembershipInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=MembershipRole.MEMBER, description='MEMBER: MEMBER\nADMIN: ADMIN\nLEADER: LEADER', enum_type=MembershipRole, max_length=10)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: PENDING\nACCEPTED: ACCEPTED\nDECLINED: DECLINED\nCANCELLED: CANCELLED', enum_type=InvitationStatus, max_length=10)),
                ('invited_by_account', fields.ForeignKeyField('core.Account', source_field='invited_by_account_id', null=True, db_constraint=True, to_field='id', related_name='membership_invitations_sent', on_delete=OnDelete.SET_NULL)),
                ('invited_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('responded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'core_membership_invitation', 'app': 'core', 'unique_together': (('person', 'organisation'),), 'indexes': [Index(fields=['organisation_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Honour',
            name='awarded_by_account',
            field=fields.ForeignKeyField('core.Account', source_field='awarded_by_account_id', null=True, db_constraint=True, to_field='id', related_name='honours_awarded', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Honour',
            name='awarded_by_organisation',
            field=fields.ForeignKeyField('core.Organisation', source_field='awarded_by_organisation_id', null=True, db_constraint=True, to_field='id', related_name='honours_awarded', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='PersonSkill',
            name='awarded_by_account',
            field=fields.ForeignKeyField('core.Account', source_field='awarded_by_account_id', null=True, db_constraint=True, to_field='id', related_name='skill_levels_awarded', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='PersonSkill',
            name='awarded_by_organisation',
            field=fields.ForeignKeyField('core.Organisation', source_field='awarded_by_organisation_id', null=True, db_constraint=True, to_field='id', related_name='skill_levels_awarded', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='PersonSkill',
            name='source',
            field=fields.CharField(default='', max_length=100),
        ),
    ]
