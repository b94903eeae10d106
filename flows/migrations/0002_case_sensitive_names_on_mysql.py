"""On MySQL/MariaDB, compare flow names, external versions, parameter names and component
identifiers byte for byte, as SQLite does.

MySQL's default collation is case- and accent-insensitive, so ``Foo`` and ``foo`` would be
one flow there and two on SQLite; these are identifiers (class paths, version strings,
keyword names), so they are compared exactly everywhere. The model state does not change
(collation is a property of the MySQL column only), so this runs only on MySQL.
"""

from django.db import migrations

COLUMNS = [
    ("flows_flow", "name"),
    ("flows_flow", "external_version"),
    ("flows_flowparameter", "name"),
    ("flows_flowcomponent", "identifier"),
]


def binary_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE {table} MODIFY {column} varchar(255) "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"
        )


class Migration(migrations.Migration):
    atomic = False  # MySQL DDL cannot run inside a transaction
    dependencies = [("flows", "0001_initial")]

    operations = [migrations.RunPython(binary_collation, migrations.RunPython.noop)]
