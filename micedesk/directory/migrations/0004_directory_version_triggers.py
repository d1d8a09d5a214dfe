"""Triggers giving the directory's version a new random value on every write to suppliers."""

from django.db import migrations

SQLITE = [
    "INSERT INTO directory_directoryversion (id, version) VALUES (1, random()) "
    "ON CONFLICT(id) DO UPDATE SET version = random()",
    *[
        f"CREATE TRIGGER directory_supplier_version_{name} AFTER {event} ON directory_supplier BEGIN "
        "INSERT INTO directory_directoryversion (id, version) VALUES (1, random()) "
        "ON CONFLICT(id) DO UPDATE SET version = random(); END"
        for name, event in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE"))
    ],
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS directory_supplier_version_{name}" for name in ("ai", "au", "ad")]

POSTGRESQL = [
    "CREATE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO directory_directoryversion (id, version) VALUES (1, (random() * 9e18)::bigint) "
    "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version; RETURN NULL; END $$",
    "CREATE TRIGGER directory_supplier_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON directory_supplier FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()",
    "INSERT INTO directory_directoryversion (id, version) VALUES (1, (random() * 9e18)::bigint) "
    "ON CONFLICT (id) DO NOTHING",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_supplier_version ON directory_supplier",
    "DROP FUNCTION IF EXISTS directory_version_bump()",
]


def forward(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL_BACKWARD if postgresql else SQLITE_BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_directory_version")]
    operations = [migrations.RunPython(forward, backward)]
