"""The ``zhixin`` command line."""
import imaplib
import logging
import secrets
import sys

import click
import peewee
from flask_babel import force_locale

from core import backup as backups, clock, filestore, mail as mail_service, passwords, positions as position_tree
from core.app import create_app
from core.auth import credentials_changed, ensure_admin
from core.db import ConfigError, db
from core.demo import load_demo
from core.migrate import migration_sets, upgrade as run_upgrade
from core.models import Organisation, Position, User
from core.scaffold import ScaffoldError, scaffold
from core.scheduler import run_forever, run_once

__all__ = ["ensure_admin", "main", "make_app", "password_problem"]


def make_app(**overrides):
    try:
        return create_app(overrides or None)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


class ZhixinGroup(click.Group):
    """Core commands plus those the enabled plugins add through ``zhixin_cli_commands``.

    Configuration and database errors end the command with a clear message and exit code 1, never a
    traceback."""

    def _plugin_commands(self, ctx):
        meta = ctx.find_root().meta
        if "zhixin_plugin_commands" not in meta:
            commands = {}
            try:
                app = make_app()
                for cmd in app.extensions["zhixin_plugins"].gather("zhixin_cli_commands"):
                    commands[cmd.name] = cmd
            except Exception as exc:  # listing help must work even when the database is unreachable
                click.echo(f"warning: plugin commands unavailable: {exc}", err=True)
            meta["zhixin_plugin_commands"] = commands
        return meta["zhixin_plugin_commands"]

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_commands(ctx)))

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or self._plugin_commands(ctx).get(name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            raise click.ClickException(f"cannot use the database: {exc}".strip()) from exc


@click.group(cls=ZhixinGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Zhixin CRM (智欣 CRM): a teaching CRM built from plugins."""


@main.command()
@click.option("--admin-password", envvar="ZHIXIN_ADMIN_PASSWORD", help="Initial administrator password.")
def init(admin_password):
    """Create the database tables and the administrator."""
    app = make_app()
    _refuse_weak_admin_password(app, admin_password)
    _apply(run_upgrade(app))
    user, password = ensure_admin(app, admin_password)
    if password is None:
        click.echo(f"An administrator exists already ({user.username}).")
    else:
        click.echo(f"Administrator: {user.username}")
        if not admin_password:
            click.echo(f"Password (shown once): {password}")
        click.echo("The first login asks for a new user name and password.")


def _apply(applied):
    for namespace, names in applied:
        for name in names:
            click.echo(f"applied {namespace}:{name}")


@main.command()
def upgrade():
    """Apply pending migrations of core and every enabled plugin."""
    applied = run_upgrade(make_app())
    _apply(applied)
    if not any(names for _, names in applied):
        click.echo("Nothing to do: the schema is up to date.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug/--no-debug", default=False)
def run(host, port, debug):
    """Run the development server (production: gunicorn "core.app:create_app()")."""
    app = make_app()
    _apply(run_upgrade(app))
    click.echo(f"Zhixin CRM on http://{host}:{port}/")
    app.run(host=host, port=port, debug=debug, use_reloader=False)


@main.command()
@click.option("--demo-password", envvar="ZHIXIN_DEMO_PASSWORD", help="Shared password of the demo users.")
@click.option("--admin-password", envvar="ZHIXIN_ADMIN_PASSWORD", help="Administrator password.")
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--no-run", is_flag=True, help="Load the demo data and stop.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo(demo_password, admin_password, seed, no_run, host, port):
    """Initialise if needed, load demo data, print the logins, then run."""
    app = make_app()
    _refuse_weak_admin_password(app, admin_password)
    _apply(run_upgrade(app))
    demo_password = demo_password or secrets.token_urlsafe(9)
    result = load_demo(app, demo_password, admin_password, seed=seed, progress=click.echo)
    click.echo("")
    if result["created"]:
        click.echo("Demo logins (password for all: %s)" % demo_password)
    else:  # the accounts kept the password printed when the demo was made
        click.echo("Demo logins (password unchanged: the one printed when the demo was made;\n"
                   "'zhixin users reset-password USERNAME' sets a new one)")
    for username, role in result["logins"]:
        click.echo(f"  {username:<16} {role}")
    admin = result["admin"]
    if admin["password"] is None:
        click.echo(f"\nThe administrator {admin['username']} existed already and keeps its password.")
    else:
        click.echo(f"\nAdministrator: {admin['username']}, not one of the logins above")
        if not admin_password:
            click.echo(f"Password (shown once): {admin['password']}")
        click.echo("The first login asks for a new user name and password.")
    if not no_run:
        click.echo(f"\nZhixin CRM on http://{host}:{port}/")
        app.run(host=host, port=port, use_reloader=False)


@main.command()
def plugins():
    """List installed plugins: name, version, enabled, requires, source."""
    app = make_app()
    pm = app.extensions["zhixin_plugins"]
    rows = [("NAME", "VERSION", "ENABLED", "REQUIRES", "SOURCE")]
    for name in sorted(pm.available):
        info = pm.available[name]
        rows.append((name, info.version, "yes" if pm.is_enabled(name) else "no",
                     ",".join(info.requires) or "-", info.source))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        click.echo("  ".join(col.ljust(w) for col, w in zip(row, widths)).rstrip())
    for name, message in sorted(pm.errors.items()):
        click.echo(f"error: {message}", err=True)


@main.group()
def plugin():
    """Plugin tools."""


@plugin.command("new")
@click.argument("name")
@click.option("--path", "path", default=".", type=click.Path(file_okay=False), help="Parent folder.")
@click.option("--exercise", is_flag=True, help="An exercise plugin: one exercise, its check, its set-up, a test.")
def plugin_new(name, path, exercise):
    """Scaffold an external plugin distribution NAME."""
    try:
        target = scaffold(name, path, exercise=exercise)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {target}")
    click.echo(f"Install it with: pip install -e {target}")


@main.command()
@click.option("--once", is_flag=True, help="Run every job once and exit.")
def scheduler(once):
    """Run the scheduled jobs (one process in production)."""
    app = make_app()
    if once:
        failed = False
        for job_id, result in run_once(app).items():
            if isinstance(result, Exception):
                failed = True
                click.echo(f"{job_id}: failed: {result}", err=True)
            else:
                click.echo(f"{job_id}: ok" + (f" ({result})" if result is not None else ""))
        sys.exit(1 if failed else 0)
    # every run is logged to stderr with its time, job, duration and result (APScheduler's own chatter: warnings)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    click.echo("Scheduler running (Ctrl+C to stop).")
    run_forever(app)


@main.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def backup(path):
    """Copy the live database, uploaded files included, into one zip (PATH, default
    zhixin-backup-<UTC time>.zip). Consistent while the app runs; never copy a live SQLite file instead."""
    app = make_app()
    path = path or f"zhixin-backup-{clock.real_utcnow():%Y%m%d-%H%M%S}.zip"
    with app.app_context(), db.connection_context():
        left = filestore.left_in_folder(app.config["UPLOAD_FOLDER"])
        if left:
            click.echo(f"warning: {len(left)} files under {app.config['UPLOAD_FOLDER']} are not in the database "
                       "and not in this backup; run zhixin files import first", err=True)
        manifest = backups.backup(db.obj, path, progress=_progress("backed up"))
    total = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"Backup written to {path}: {len(manifest['tables'])} tables, {total} rows.")


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore(path):
    """Restore a backup made by zhixin backup into this instance's database, which must be empty (a new
    database: do not run zhixin init first). Any of the three backends restores into any other."""
    app = make_app()
    with app.app_context(), db.connection_context():
        try:
            manifest = backups.restore(db.obj, path, migration_sets(app), progress=_progress("restored"))
        except backups.BackupError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {len(manifest['tables'])} tables from {path} (made {manifest['created_at']} UTC "
               f"on {manifest['backend']}).")


def _progress(verb):
    return lambda table, count: click.echo(f"{verb} {table}: {count} rows", err=True)


@main.group()
def mail():
    """E-mail to customers (core.mail)."""


@mail.command("send")
def mail_send():
    """Run the outbox once: send the queued messages that are due (the scheduler does this every minute)."""
    app = make_app()
    with app.app_context(), db.connection_context():
        if not mail_service.configured(app.config):
            raise click.ClickException("no SMTP server is configured (ZHIXIN_SMTP_HOST): the messages stay queued")
        sent = mail_service.send_due(app)
    click.echo(f"Sent {sent} messages.")


@mail.command("fetch")
def mail_fetch():
    """Read the IMAP mailbox once: file each new reply on its record (the scheduler does this every 5 minutes)."""
    app = make_app()
    with app.app_context(), db.connection_context():
        if not mail_service.inbound.configured(app.config):
            raise click.ClickException("no IMAP server is configured (ZHIXIN_IMAP_HOST): no replies are fetched")
        try:
            result = mail_service.fetch(app, progress=lambda done, total: click.echo(
                f"fetched {done}/{total}", err=True))
        except (OSError, imaplib.IMAP4.error) as exc:
            raise click.ClickException(f"IMAP: {exc}") from exc
    for reason in result.reasons:
        click.echo(f"skipped: {reason}", err=True)
    click.echo(f"Fetched: {result}.")


@main.group()
def files():
    """Uploaded files (kept in the database)."""


@files.command("import")
def files_import():
    """Move the files an older version kept under UPLOAD_FOLDER into the database (run once after upgrading;
    a second run moves only what is left)."""
    app = make_app()
    with app.app_context(), db.connection_context():
        moved = filestore.import_folder(app.config["UPLOAD_FOLDER"])
        left = filestore.left_in_folder(app.config["UPLOAD_FOLDER"])
    click.echo(f"Moved {len(moved)} files into the database.")
    if left:
        click.echo(f"{len(left)} files under {app.config['UPLOAD_FOLDER']} belong to no record and stay there.")


@main.group()
def positions():
    """Positions (工作岗位): show the tree, build the classroom template."""


@positions.group()
def template():
    """Build a ready-made position layout."""


@template.command()
@click.option("--classes", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--departments", default=2, show_default=True, type=click.IntRange(1, 20),
              help="Departments per class.")
@click.option("--language", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the position names (default: the organisation's language).")
def classroom(classes, departments, language):
    """Teacher → one position per class → departments → a salesperson position in each department."""
    app = make_app()
    with app.app_context(), db.connection_context():
        language = language or Organisation.get_profile().default_language or "zh"
        with force_locale(language):
            try:
                layout = position_tree.classroom_template(classes=classes, departments=departments)
            except position_tree.PositionError as exc:
                raise click.ClickException(str(exc)) from exc
        count = 1 + len(layout["classes"]) + len(layout["departments"]) + len(layout["salespeople"])
        click.echo(f"Created {count} positions under {layout['teacher'].name}.")
        _echo_tree(position_tree.subtree(layout["teacher"]))


@positions.command("list")
def list_positions():
    """Print the position tree with the number of users in each position."""
    app = make_app()
    with app.app_context(), db.connection_context():
        _echo_tree(Position.select())
        counts = dict(User.select(User.position, peewee.fn.COUNT(User.id)).group_by(User.position).tuples())
        click.echo(f"{sum(v for k, v in counts.items() if k)} users hold a position; "
                   f"{counts.get(None, 0)} hold none.")


def _echo_tree(query):
    for p in query.order_by(Position.path):
        click.echo("  " * p.depth + p.name)


def _refuse_weak_admin_password(app, password):
    """An administrator password given on the command line (or ZHIXIN_ADMIN_PASSWORD) obeys the rule too."""
    if password:
        with app.app_context():
            weak = password_problem(password, "admin")
        if weak:
            raise click.ClickException(f"--admin-password: {weak}")


def password_problem(password, username=None):
    """The reason a password is too weak for ``username`` (core.passwords, the web forms' rule), in English,
    or None. Needs an app context."""
    with force_locale("en"):
        reason = passwords.problem(password, username)
        return str(reason) if reason else None


@main.group()
def users():
    """Manage users."""


@users.command("create")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--full-name", default="")
@click.option("--admin", is_flag=True)
def users_create(username, password, full_name, admin):
    """Create a user."""
    app = make_app()
    with app.app_context(), db.connection_context():
        if User.select().where(User.username == username).exists():
            raise click.ClickException(f"user {username!r} exists already")
        weak = password_problem(password, username)
        if weak:
            raise click.ClickException(weak)
        user = User(username=username, full_name=full_name, is_admin=admin)
        user.set_password(password)
        user.save()
    click.echo(f"Created {username}")


@users.command("reset-password")
@click.argument("username")
@click.option("--password", help="New password (default: generated and printed).")
def users_reset_password(username, password):
    """Reset a user's password; they must change it at next login."""
    app = make_app()
    with app.app_context(), db.connection_context():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        weak = password and password_problem(password, username)
        if weak:
            raise click.ClickException(weak)
        new = password or passwords.generate(username)
        user.set_password(new)
        user.must_change_password = True
        with db.atomic():
            user.save()
            credentials_changed(user, "password_reset")
    click.echo(f"Password of {username} reset" + ("" if password else f": {new}"))


if __name__ == "__main__":  # pragma: no cover
    main()
