"""The login_lock table (per-account failure counts and locks, see core.lockout), and the login-attempt and
job-claim times now in real time. Databases made by a newer 0001 have the table already (it creates every
current core model), hence the look first."""
from core.models import LoginLock

TABLE = "login_lock"


def up(migrator, db):
    if TABLE not in db.get_tables():
        db.create_tables([LoginLock])


def down(migrator, db):
    db.drop_tables([LoginLock])
