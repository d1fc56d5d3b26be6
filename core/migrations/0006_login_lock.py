"""The login_lock table (per-account failure counts and locks, see core.lockout). Databases made by a newer
0001 have it already (0001 creates every current core model), hence the look first. The failed logins kept
so far counted per address, some stamped on the teaching clock (possibly in the future): they are dropped."""
from core.models import LoginAttempt, LoginLock

TABLE = "login_lock"


def up(migrator, db):
    if TABLE not in db.get_tables():
        db.create_tables([LoginLock])
    LoginAttempt.delete().execute()


def down(migrator, db):
    db.drop_tables([LoginLock])
