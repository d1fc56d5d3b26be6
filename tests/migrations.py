"""Running one migration's steps by hand in a test (a database made before it, or a round trip)."""
import importlib

from playhouse.migrate import SchemaMigrator

from core.db import db


def run_steps(module, *steps):
    """Run ``steps`` ("down", "up", …) of the migration ``module`` (a dotted name such as
    ``core.migrations.0006_login_lock``) on the test database, in order."""
    migration = importlib.import_module(module)
    migrator = SchemaMigrator.from_database(db.obj)
    for step in steps:
        getattr(migration, step)(migrator, db.obj)
