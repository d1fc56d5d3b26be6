"""Forecast pages: my forecast, team forecast, a figure's arithmetic, quotas, commits; CSV of every table."""
from decimal import Decimal

from babel.numbers import format_decimal, get_currency_symbol

from markupsafe import Markup, escape
from flask import Blueprint, abort, current_app, flash, g, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from core import access, charts, csvsafe, fiscal
from core.babel import gettext as _, lazy_gettext as _l
from core.models import Position, User
from core.web import paginate

from plugins.forecast import services
from plugins.forecast.figures import weighted_amount
from plugins.forecast.models import Snapshot

bp = Blueprint("forecast", __name__, url_prefix="/forecast")

# "Closed amount", not a bare "Closed" (nor "Closed won", a stage flag elsewhere): other modules translate
# those as a state ("已关闭", "成交"), and in the merged catalogs theirs could win or ours change their pages.
CLOSED_LABEL = _l("Closed amount")
FIGURE_LABELS = {
    "quota": _l("Quota"), "closed": CLOSED_LABEL, "attainment": _l("Quota attainment"),
    "expected": _l("Expected total"), "best": _l("Best total"), "pipeline": _l("Pipeline"),
    "gap": _l("Gap to quota"), "lost": _l("Closed lost (not counted)"),
}


# one quarter and fiscal-year label everywhere: core's ("FY2026 Q1" / "2026财年第1季度", "FY2026/27 Q1")
quarter_label = fiscal.quarter_label
bp.add_app_template_filter(fiscal.quarter_label, "fiscal_label")
bp.add_app_template_filter(lambda quarter: quarter.year.label, "fiscal_year_label")

FIGURE_NAMES = ("quota", "closed", "attainment", "expected", "best", "pipeline", "gap")
_NAME = "figure-name"  # stands for the figure in a link built once per row


@bp.app_template_global("figure_links")
def figure_links(scope, id, quarter):
    """{figure: its arithmetic page} for one row of figures: one ``query_link`` per row, not per cell (the
    ``fig`` macro's links, for the pages that draw a row of figures inline)."""
    from core.web import query_link
    if scope != "team":
        url = query_link("forecast.figure", figure=_NAME, scope=scope, id=id, quarter=quarter.key)
    else:
        url = query_link("forecast.figure", figure=_NAME, scope="team", quarter=quarter.key)
    head, tail = url.split(_NAME, 1)  # the figure is the first argument: the split cannot meet another
    return {name: f"{head}{name}{tail}" for name in FIGURE_NAMES}


@bp.app_template_global("forecast_definitions")
def forecast_definitions():
    """The "How the figures are made" panel (the ``definitions`` macro): fixed text, so rendered once per
    language and process, not on every page."""
    cache = current_app.extensions.setdefault("forecast_definitions", {})
    key = str(get_locale() or "")
    if key not in cache:
        cache[key] = Markup(get_template_attribute("forecast/_macros.html", "definitions")())
    return cache[key]


@bp.app_template_global("figure_cell")
def figure_cell(name, value, figures, href, title):
    """What the ``fig`` macro of forecast/_macros.html writes, in Python (one call, not a macro's): the
    figure ``name`` (``value``) as a link to its arithmetic; the macro stays for the pages with a few figures."""
    from core.templating import money
    if name == "attainment":
        text = "—" if value is None else f"{value}%"
    elif name == "pipeline":
        text = f"{figures.pipeline_count} · {money(value)}"
    else:
        text = "—" if value is None else money(value)
    return Markup(f'\n  <a href="{escape(href)}" data-figure="{escape(name)}" title="{escape(title)}">'
                  f'{escape(text)}</a>')


def _viewer():
    return current_user._get_current_object()


def selected_quarter():
    """The quarter chosen in ``?quarter=FY2026-Q1`` (default: the current one)."""
    start_month = fiscal.start_month()
    return fiscal.parse(request.args.get("quarter") or request.form.get("quarter"), start_month) \
        or fiscal.current_quarter()


def quarter_choices(quarter):
    """The quarters offered in the picker: the previous and next fiscal year around ``quarter``."""
    first = fiscal.Quarter(quarter.fiscal_year - 1, 1, quarter.start_month)
    out, q = [], first
    for _i in range(12):
        out.append(q)
        q = q.next()
    current = fiscal.current_quarter()
    if current not in out:
        out.append(current)
    return sorted(out)


def csv_response(filename, header, rows):
    """A CSV download (``core.csvsafe``) with money in its cents."""
    return csvsafe.response(filename, header, ([_money(v) for v in row] for row in rows))


def _money(value):
    if isinstance(value, Decimal):  # money with its cents (SQLite gives back 10 for 10.00), never rounded
        return str(value.quantize(Decimal("0.01")) if value.as_tuple().exponent > -2 else value)
    return value


def figure_values(f):
    """A figures row for CSV: quota, closed, %, expected, best, pipeline count and amount, gap, lost."""
    return [f.quota, f.closed, f.attainment, f.expected, f.best, f.pipeline_count, f.pipeline_amount, f.gap,
            f.lost]


def figure_header():
    return [_("Quota"), _("Closed amount"), _("Quota attainment"), _("Expected total"), _("Best total"),
            _("Pipeline (count)"), _("Pipeline (amount)"), _("Gap to quota"), _("Closed lost (not counted)")]


@bp.route("/")
@login_required
def index():
    return redirect(url_for("forecast.my", **request.args))


# --- my forecast -----------------------------------------------------------------------------------------

class CommitForm(FlaskForm):
    """Submit a forecast (提交预测): the likely and best figures with a comment."""
    quarter = HiddenField()
    kind = SelectField(_l("Forecast for"), choices=[SelectChoice("own", _l("My own opportunities")),
                                                    SelectChoice("team", _l("My whole team (adjusted)"))])
    likely = DecimalField(_l("Likely"), places=2, validators=[
        InputRequired(_l("Enter the likely figure.")), NumberRange(min=0, message=_l("Must be 0 or more."))])
    best = DecimalField(_l("Best case"), places=2, validators=[
        InputRequired(_l("Enter the best-case figure.")), NumberRange(min=0, message=_l("Must be 0 or more."))])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])

    def validate_best(self, field):
        if self.likely.data is not None and field.data is not None and field.data < self.likely.data:
            raise ValidationError(_l("The best case cannot be below the likely figure."))

    def validate_likely(self, field):
        if field.data is not None and field.data > services.MAX_QUOTA:
            raise ValidationError(_l("This amount is too large."))


@bp.route("/my")
@login_required
def my():
    viewer = _viewer()
    quarter = selected_quarter()
    user = viewer
    if request.args.get("user"):
        user = User.get_or_none(User.id == _int_arg("user"))
        if user is None or not access.reaches_user(viewer, user):
            abort(404)
    trend = services.year_trend(viewer, [user.id], quarter)
    # the quarter's figures are its row of the year (same opportunities, same quota): not queried again
    figures = next((f for q, f in trend if q.start == quarter.start and q.end == quarter.end), None)
    if figures is None:
        figures = services.user_figures(viewer, user, quarter)
    if request.args.get("format") == "csv" and request.args.get("table") == "commits":
        return csv_response(f"forecast-commits-{user.username}-{quarter.key}.csv",
                            [_("Submitted at"), _("For"), _("Likely"), _("Best case"), _("Comment")],
                            [[c.created_at.isoformat(sep=" ", timespec="minutes"),
                              _("Own opportunities") if c.kind == "own" else _("Whole team (adjusted)"),
                              c.likely, c.best, c.comment] for c in services.history(viewer, user, quarter)])
    if request.args.get("format") == "csv":
        return csv_response(f"forecast-{user.username}-FY{quarter.fiscal_year}.csv",
                            [_("Quarter"), _("First day"), _("Last day")] + figure_header(),
                            [[quarter_label(q), q.start, q.end] + figure_values(f) for q, f in trend])
    snapshot = Snapshot.get_or_none((Snapshot.user == user.id) & (Snapshot.quarter_start == quarter.start))
    form = None
    if user.id == viewer.id:
        form = CommitForm(quarter=quarter.key, likely=figures.expected, best=figures.best)
        if not services.has_team(viewer):
            form.kind.choices = form.kind.choices[:1]
    chart = charts.bar(_("Quota, closed, expected and best per quarter"), [quarter_label(q) for q, _f in trend], [
        (_("Quota"), [f.quota for _q, f in trend]), (_("Closed amount"), [f.closed for _q, f in trend]),
        (_("Expected total"), [f.expected for _q, f in trend]), (_("Best total"), [f.best for _q, f in trend])])
    return render_template("forecast/my.html", user=user, viewer=viewer, quarter=quarter, figures=figures,
                           trend_rows=[(quarter_label(q), f, "user", user.id, q) for q, f in trend],
                           chart=chart, form=form, snapshot=snapshot,
                           commits=services.history(viewer, user, quarter),
                           quarters=quarter_choices(quarter), has_team=services.has_team(viewer),
                           scope=("user", user.id))


@bp.route("/commit", methods=["POST"])
@login_required
def commit():
    viewer = _viewer()
    form = CommitForm()
    if not services.has_team(viewer):
        form.kind.choices = form.kind.choices[:1]
    quarter = fiscal.parse(form.quarter.data, fiscal.start_month())
    if quarter is None:
        abort(400)
    back = url_for("forecast.team" if form.kind.data == "team" else "forecast.my", quarter=quarter.key)
    if not form.validate():
        for name, errors in form.errors.items():
            for error in errors:
                flash(f"{form[name].label.text}: {error}", "error")
        return redirect(back)
    services.submit(viewer, quarter, form.kind.data, form.likely.data.quantize(Decimal("0.01")),
                    form.best.data.quantize(Decimal("0.01")), form.comment.data)
    flash(_("Your forecast for %(quarter)s is submitted.", quarter=quarter_label(quarter)), "success")
    return redirect(back)


def _int_arg(name):
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        abort(404)


# --- team forecast -----------------------------------------------------------------------------------------

@bp.route("/team")
@login_required
def team():
    viewer = _viewer()
    quarter = selected_quarter()
    if not services.has_team(viewer):
        return render_template("forecast/no_team.html", quarter=quarter, quarters=quarter_choices(quarter))
    focus = None
    if request.args.get("position"):
        focus = Position.get_or_none(Position.id == _int_arg("position"))
        if focus is None or not access.reaches_position(viewer, focus):
            abort(404)
    table = services.team(viewer, quarter, focus)
    if request.args.get("format") == "csv":
        return csv_response(f"team-forecast-{quarter.key}.csv", [_("Row"), _("Kind")] + figure_header(),
                            [[r.label, _("Person") if r.kind == "person" else _("Team"),
                              *figure_values(r.figures)] for r in table.rows]
                            + [[_("Total"), "", *figure_values(table.total)]])
    commit_users = [r.id for r in table.rows if r.kind == "person"]
    commit_users += [u.id for r in table.rows for u in r.holders]
    latest = services.latest_commits(viewer, commit_users, quarter)
    labels = [r.label for r in table.rows]
    attainment_chart = charts.bar(_("Quota attainment by team member"), labels, [
        (_("Quota attainment"), [r.figures.attainment for r in table.rows])], kind="hbar")
    own_team = focus is None or focus.id == viewer.position_id
    form = None
    if own_team:
        form = CommitForm(quarter=quarter.key, kind="team", likely=table.total.expected, best=table.total.best)
    team_history = services.history(viewer, viewer, quarter, kind="team") if own_team else []
    breadcrumb = focus.ancestors() if focus is not None else []
    mine = services.position_of(viewer)
    if mine and not viewer.is_admin:
        breadcrumb = [p for p in breadcrumb if p.path.startswith(mine.path)]
    return render_template("forecast/team.html", viewer=viewer, quarter=quarter, table=table, latest=latest,
                           attainment_chart=attainment_chart, form=form, cells=_team_cells(table, quarter, own_team),
                           amount=amount_formatter(), currency=currency_symbol(),
                           team_history=team_history, quarters=quarter_choices(quarter), focus=focus,
                           own_team=own_team, breadcrumb=breadcrumb)


TABLE_FIGURES = ("quota", "closed", "attainment", "expected", "best", "pipeline", "gap")


def _team_cells(table, quarter, own_team):
    """{(kind, id): [(figure, href, text)]}: the team table's links and texts, built once per row (a large
    school has hundreds of cells; one url_for and one formatter per row keeps the page cheap). Amounts stand
    without the currency, which the table's caption names once: nine columns of millions then fit a 1366 px
    screen beside the menu."""
    money = amount_formatter()
    out = {}

    def cells(figures, base):
        f = figures
        texts = {"quota": "—" if f.quota is None else money(f.quota), "closed": money(f.closed),
                 "attainment": "—" if f.attainment is None else f"{f.attainment}%",
                 "expected": money(f.expected), "best": money(f.best),
                 "pipeline": f"{f.pipeline_count} · {money(f.pipeline_amount)}",
                 "gap": "—" if f.gap is None else money(f.gap)}
        return [(n, f"{base}&figure={n}", texts[n]) for n in TABLE_FIGURES]

    for row in table.rows:
        scope = "user" if row.kind == "person" else "position"
        out[(row.kind, row.id)] = cells(row.figures, url_for("forecast.figure", scope=scope, id=row.id,
                                                             quarter=quarter.key))
        for sub in row.children:
            out[("position", sub.id)] = cells(sub.figures, url_for("forecast.figure", scope="position", id=sub.id,
                                                      quarter=quarter.key))
    total_args = {"scope": "team"} if own_team else {"scope": "position", "id": table.focus.id}
    out["total"] = cells(table.total, url_for("forecast.figure", quarter=quarter.key, **total_args))
    return out


def amount_formatter():
    """An amount as core's ``|money`` filter writes it but without the currency (``1,308,004.00``), with the
    locale looked up once."""
    locale = get_locale()
    return lambda value: format_decimal(Decimal(value), format="#,##0.00", locale=locale)


def currency_symbol():
    """The organisation's currency symbol in the reader's language (CN¥ in English, ¥ in Chinese)."""
    return get_currency_symbol(g.org.currency if g.get("org") else "CNY", locale=get_locale())


@bp.route("/team/year")
@login_required
def team_year():
    """A team's fiscal year by quarter: quota, closed, expected and best (chart, table, CSV)."""
    viewer = _viewer()
    quarter = selected_quarter()
    if not services.has_team(viewer):
        abort(404)
    scope, scope_id = "team", None
    if request.args.get("position"):
        scope, scope_id = "position", _int_arg("position")
    found = services.scope_users(viewer, scope, scope_id)
    if found is None:
        abort(404)
    users_query, scope_label = found
    trend = services.year_trend(viewer, users_query, quarter)
    if request.args.get("format") == "csv":
        return csv_response(f"team-forecast-FY{quarter.fiscal_year}.csv",
                            [_("Quarter"), _("First day"), _("Last day")] + figure_header(),
                            [[quarter_label(q), q.start, q.end] + figure_values(f) for q, f in trend])
    chart = charts.bar(_("Quota, closed, expected and best per quarter"), [quarter_label(q) for q, _f in trend], [
        (_("Quota"), [f.quota for _q, f in trend]), (_("Closed amount"), [f.closed for _q, f in trend]),
        (_("Expected total"), [f.expected for _q, f in trend]), (_("Best total"), [f.best for _q, f in trend])])
    return render_template("forecast/team_year.html", quarter=quarter, chart=chart, scope_label=scope_label,
                           scope_id=scope_id, quarters=quarter_choices(quarter),
                           trend_rows=[(quarter_label(q), f, scope, scope_id, q) for q, f in trend])


# --- one figure's arithmetic ------------------------------------------------------------------------------

@bp.route("/figure")
@login_required
def figure():
    viewer = _viewer()
    quarter = selected_quarter()
    name = request.args.get("figure", "closed")
    scope = request.args.get("scope", "user")
    if name not in FIGURE_LABELS or scope not in ("user", "position", "team"):
        abort(404)
    scope_id = _int_arg("id") if scope != "team" else None
    found = services.scope_users(viewer, scope, scope_id)
    if found is None:
        abort(404)
    users_query, scope_label = found
    figures, quota_count = services.scope_figures(viewer, users_query, quarter)
    opportunities = services.opportunities(viewer, users_query, quarter, name)
    quotas = []
    if name in ("quota", "attainment", "gap"):
        quotas = services.quota_rows(users_query, quarter)
    if request.args.get("format") == "csv" and name == "quota":
        return csv_response(f"forecast-quota-{quarter.key}.csv", [_("Team member"), _("Quota")],
                            [[u.display_name, amount] for u, amount in quotas])
    if request.args.get("format") == "csv":
        return csv_response(f"forecast-{name}-{quarter.key}.csv",
                            [_("Opportunity"), _("Owner"), _("Stage"), _("Close date"), _("Amount"),
                             _("Probability"), _("Amount × probability")],
                            [[o.name, o.owner.display_name, o.stage.name, o.close_date, o.amount, o.probability,
                              weighted_amount(o)] for o in opportunities])
    page = paginate(opportunities, per_page=50)
    return render_template("forecast/figure.html", quarter=quarter, name=name, label=FIGURE_LABELS[name],
                           scope=scope, scope_id=scope_id, scope_label=scope_label, figures=figures,
                           quota_count=quota_count, page=page, quotas=quotas, labels=FIGURE_LABELS,
                           weighted_amount=weighted_amount)


# --- quotas --------------------------------------------------------------------------------------------------

@bp.route("/quotas", methods=["GET", "POST"])
@login_required
def quotas():
    viewer = _viewer()
    quarter = selected_quarter()
    within = None
    if request.args.get("position"):
        within = Position.get_or_none(Position.id == _int_arg("position"))
        if within is None or not access.reaches_position(viewer, within):
            abort(404)
    users = services.quota_users(viewer, within)
    ids = [u.id for u in users]
    errors = {}
    if request.method == "POST":
        errors = _save_quotas(viewer, users, quarter)
        if not errors:
            return redirect(url_for("forecast.quotas", quarter=quarter.key, position=within.id if within else None))
    current = services.quotas_for(ids, quarter) if ids else {}
    previous = services.quotas_for(ids, quarter.previous()) if ids else {}
    own = services.quotas_for([viewer.id], quarter).get(viewer.id)
    if request.args.get("format") == "csv":
        return csv_response(f"quotas-{quarter.key}.csv",
                            [_("Team member"), _("Position"), _("Quota"), _("Last quarter")],
                            [[u.display_name, u.position.name if u.position else "", current.get(u.id),
                              previous.get(u.id)] for u in users])
    return render_template("forecast/quotas.html", quarter=quarter, users=users, current=current,
                           previous=previous, own=own, errors=errors, typed=request.form,
                           quarters=quarter_choices(quarter), viewer=viewer, within=within,
                           positions=services.positions_below(viewer))


def _save_quotas(viewer, users, quarter):
    """Validate every typed quota first; save only when all are valid (one transaction)."""
    values, errors = {}, {}
    for u in users:
        key = f"quota-{u.id}"
        if key not in request.form:
            continue
        try:
            values[u.id] = services.parse_amount(request.form[key])
        except services.ForecastError:
            errors[u.id] = _("Enter an amount of 0 or more with at most two decimals.")
    if errors:
        flash(_("Nothing was saved: correct the marked quotas."), "error")
        return errors
    by_id = {u.id: u for u in users}
    changed = 0
    from core.db import db
    with db.atomic():
        for user_id, amount in values.items():
            changed += services.set_quota(viewer, by_id[user_id], quarter, amount)
    flash(_("%(count)d quotas changed for %(quarter)s.", count=changed, quarter=quarter_label(quarter)), "success")
    return {}


@bp.route("/quotas/copy", methods=["POST"])
@login_required
def copy_quotas():
    viewer = _viewer()
    quarter = selected_quarter()
    copied, kept = services.copy_last_quarter(viewer, quarter)
    flash(_("%(copied)d quotas copied from %(previous)s; %(kept)d already set were kept.", copied=copied,
            previous=quarter_label(quarter.previous()), kept=kept), "success")
    return redirect(url_for("forecast.quotas", quarter=quarter.key))
