# Indexes for the desk's story list at a million stories; the engine-specific
# headline index (pg_trgm on PostgreSQL, FTS5 trigram on SQLite) added by hand.

from django.db import migrations, models


def create_headline_index(apps, schema_editor):
    from dateline.desk import headlines

    headlines.install(schema_editor)


def drop_headline_index(apps, schema_editor):
    from dateline.desk import headlines

    headlines.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0003_workflow'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='story',
            index=models.Index(fields=['section', 'status', 'modified_at', 'id'], name='desk_by_section_status'),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('deleted_at__isnull', False)), fields=['modified_at', 'id'], name='desk_trash'),
        ),
        migrations.RunPython(create_headline_index, drop_headline_index, elidable=False),
    ]
