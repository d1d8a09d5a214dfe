"""The full-text index of suppliers: FTS5 on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations

from micedesk.core.search import fts_sql_postgresql, fts_sql_sqlite

TABLE = "directory_supplier"


def forward(apps, schema_editor):
    maker = fts_sql_postgresql if schema_editor.connection.vendor == "postgresql" else fts_sql_sqlite
    for statement in maker(TABLE)[0]:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    maker = fts_sql_postgresql if schema_editor.connection.vendor == "postgresql" else fts_sql_sqlite
    for statement in maker(TABLE)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
