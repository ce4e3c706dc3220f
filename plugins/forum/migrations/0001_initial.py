from tortoise import migrations
from tortoise.migrations import operations as ops
from plugins.forum.models import ReactionKind, RsvpResponse, SalonStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0005_revoked_tokens_refresh_grace')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ForumSalon',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='forum_salons', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('topic', fields.CharField(default='', max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('venue', fields.CharField(default='', max_length=200)),
                ('online_url', fields.CharField(default='', max_length=500)),
                ('capacity', fields.IntField(null=True)),
                ('status', fields.CharEnumField(default=SalonStatus.SCHEDULED, description='SCHEDULED: SCHEDULED\nCANCELLED: CANCELLED\nHELD: HELD', enum_type=SalonStatus, max_length=12)),
                ('going_count', fields.IntField(default=0)),
                ('interested_count', fields.IntField(default=0)),
                ('not_going_count', fields.IntField(default=0)),
                ('summary', fields.TextField(default='', unique=False)),
                ('cancel_reason', fields.CharField(default='', max_length=500)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('held_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('core.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='forum_salons_created', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'forum_salon', 'app': 'forum', 'indexes': [Index(fields=['organisation_id', 'starts_at']), Index(fields=['status', 'starts_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumRsvp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('salon', fields.ForeignKeyField('forum.ForumSalon', source_field='salon_id', db_constraint=True, to_field='id', related_name='rsvps', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='forum_rsvps', on_delete=OnDelete.CASCADE)),
                ('response', fields.CharEnumField(description='GOING: GOING\nINTERESTED: INTERESTED\nNOT_GOING: NOT_GOING', enum_type=RsvpResponse, max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'forum_rsvp', 'app': 'forum', 'unique_together': (('salon', 'person'),), 'indexes': [Index(fields=['person_id', 'response'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumSalonMaterial',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('salon', fields.ForeignKeyField('forum.ForumSalon', source_field='salon_id', db_constraint=True, to_field='id', related_name='materials', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('url', fields.CharField(max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'forum_salon_material', 'app': 'forum', 'indexes': [Index(fields=['salon_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumSalonSpeaker',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('salon', fields.ForeignKeyField('forum.ForumSalon', source_field='salon_id', db_constraint=True, to_field='id', related_name='speaker_links', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='forum_salons_spoken', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'forum_salon_speaker', 'app': 'forum', 'unique_together': (('salon', 'person'),), 'indexes': [Index(fields=['person_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumThread',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='forum_threads', on_delete=OnDelete.CASCADE)),
                ('salon', fields.ForeignKeyField('forum.ForumSalon', source_field='salon_id', null=True, db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=200)),
                ('author', fields.ForeignKeyField('core.Person', source_field='author_id', db_constraint=True, to_field='id', related_name='forum_threads', on_delete=OnDelete.CASCADE)),
                ('locked', fields.BooleanField(default=False)),
                ('pinned', fields.BooleanField(default=False)),
                ('post_count', fields.IntField(default=0)),
                ('last_activity_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forum_thread', 'app': 'forum', 'indexes': [Index(fields=['organisation_id', 'pinned', 'last_activity_at']), Index(fields=['salon_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumPost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('forum.ForumThread', source_field='thread_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('core.Person', source_field='author_id', db_constraint=True, to_field='id', related_name='forum_posts', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('reply_to', fields.ForeignKeyField('forum.ForumPost', source_field='reply_to_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('hidden', fields.BooleanField(default=False)),
                ('hidden_reason', fields.CharField(default='', max_length=500)),
                ('hidden_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('hidden_by', fields.ForeignKeyField('core.Person', source_field='hidden_by_id', null=True, db_constraint=True, to_field='id', related_name='forum_posts_hidden', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'forum_post', 'app': 'forum', 'indexes': [Index(fields=['thread_id', 'id']), Index(fields=['author_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumMention',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.ForumPost', source_field='post_id', db_constraint=True, to_field='id', related_name='mentions', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='forum_mentions', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'forum_mention', 'app': 'forum', 'unique_together': (('post', 'person'),), 'indexes': [Index(fields=['person_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumReaction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.ForumPost', source_field='post_id', db_constraint=True, to_field='id', related_name='reactions', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('core.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='forum_reactions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='LIKE: LIKE\nTHANKS: THANKS\nINSIGHTFUL: INSIGHTFUL', enum_type=ReactionKind, max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'forum_reaction', 'app': 'forum', 'unique_together': (('post', 'person', 'kind'),), 'indexes': [Index(fields=['person_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
