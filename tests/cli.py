"""Running the ``zhixin`` command line in a test, on a test database, and logging in through the form."""
from click.testing import CliRunner

from core import db as db_module
from core.cli import main


def run_cli(args, database_url, instance, input=None, **env):
    """``zhixin args`` on ``database_url`` with the instance folder ``instance`` (``env`` adds or overrides
    ``ZHIXIN_*`` variables; None unsets one); the shared database proxy is pointed back at ``database_url``
    and closed afterwards, so the test's own queries go on as before."""
    environment = {"ZHIXIN_DATABASE_URL": database_url, "ZHIXIN_INSTANCE_PATH": str(instance),
                   "ZHIXIN_PLUGINS": "", "ZHIXIN_SECRET_KEY": "cli-test",
                   "ZHIXIN_PASSWORD_METHOD": "pbkdf2:sha256:1000", "ZHIXIN_ADMIN_PASSWORD": None,
                   "ZHIXIN_DEMO_PASSWORD": None, **env}
    try:
        return CliRunner().invoke(main, args, env=environment, input=input)
    finally:
        if not db_module.db.is_closed():
            db_module.db.close()


def lands_on(app, username, password):
    """The page the login form leads this person to: the forced change of credentials, home, or /login again."""
    with app.app_context():
        response = app.test_client().post("/login", data={"username": username, "password": password},
                                          follow_redirects=True)
    return response.request.path
