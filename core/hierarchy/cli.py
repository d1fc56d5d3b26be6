"""``zhixin positions …``: the position tree from the command line."""
import click


@click.group()
def positions():
    """Positions (工作岗位): show the tree, build the classroom template."""


@positions.group()
def template():
    """Build a ready-made position layout."""


def _app():
    from core.cli import make_app
    return make_app()


@template.command()
@click.option("--classes", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--departments", default=2, show_default=True, type=click.IntRange(1, 20),
              help="Departments per class.")
@click.option("--language", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the position names (default: the organisation's language).")
def classroom(classes, departments, language):
    """Teacher → one position per class → departments → a salesperson position in each department."""
    from flask_babel import force_locale

    from core.db import db
    from core.hierarchy import positions as tree
    from core.models import Organisation
    app = _app()
    with app.app_context(), db.connection_context():
        language = language or Organisation.get_profile().default_language or "zh"
        with force_locale(language):
            try:
                layout = tree.classroom_template(classes=classes, departments=departments)
            except tree.PositionError as exc:
                raise click.ClickException(str(exc)) from exc
        count = 1 + len(layout["classes"]) + len(layout["departments"]) + len(layout["salespeople"])
        click.echo(f"Created {count} positions under {layout['teacher'].name}.")
        _echo_tree(tree.subtree(layout["teacher"]))


@positions.command("list")
def list_positions():
    """Print the position tree with the number of users in each position."""
    from peewee import fn

    from core.db import db
    from core.models import Position, User
    app = _app()
    with app.app_context(), db.connection_context():
        _echo_tree(Position.select())
        counts = dict(User.select(User.position, fn.COUNT(User.id)).group_by(User.position).tuples())
        click.echo(f"{sum(v for k, v in counts.items() if k)} users hold a position; "
                   f"{counts.get(None, 0)} hold none.")


def _echo_tree(query):
    from core.models import Position
    for p in query.order_by(Position.path):
        click.echo("  " * p.depth + p.name)
