"""The user_session table: one row per logged-in browser, so a session can be ended (see core.sessions).
Databases made by a newer 0001 have it already (0001 creates every current core model), hence the look first."""
from core.models import UserSession

TABLE = "user_session"


def up(migrator, db):
    if TABLE not in db.get_tables():
        db.create_tables([UserSession])


def down(migrator, db):
    db.drop_tables([UserSession])
