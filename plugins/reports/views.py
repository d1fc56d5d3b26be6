"""Reports pages: home, families, running a report (table, chart, CSV, SVG, print), the builder, saved
reports and the drill-down list. Views parse and render; the numbers come from standard/builder."""
import datetime as _dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from core import access, csvsafe, stamp
from core import positions as position_tree
from core.babel import gettext as _, lazy_gettext as _l
from core.models import Position, User
from core.records import display, registry
from core.records.lookups import assignable_by_id, assignable_by_name, small_owner_choices
from core.reports import FAMILIES, ReportParams
from core.web import fail, page_number, paginate
from plugins.reports import builder, dates, output, service
from plugins.reports.fields import NO_VALUE, OPERATORS, BadInput, condition, fields_of
from plugins.reports.models import SavedReport

bp = Blueprint("reports", __name__, url_prefix="/reports")

FAMILY_LABELS = {
    "customers": _l("Customer & contact reports"), "opportunities": _l("Opportunity reports"),
    "sales": _l("Sales reports"), "leads": _l("Lead reports"), "competitors": _l("Competitor reports"),
    "service": _l("Customer service reports"), "campaigns": _l("Campaign reports"),
}
# A family filled by another plugin explains itself when that plugin is off.
FAMILY_PLUGINS = {"service": "service", "campaigns": "campaigns"}
FAMILY_OFF = {
    "service": _l("Customer service reports come from the customer service plugin, which is not enabled. "
                  "An administrator can enable it on the plugins page."),
    "campaigns": _l("Campaign reports come from the campaigns plugin, which is not enabled. "
                    "An administrator can enable it on the plugins page."),
}
QUOTA_NOTE = _l("Revenue against quota appears here when the forecast plugin is enabled.")
SALES_NOTE = _l("Invoiced revenue, quote conversion, receivables ageing and top customers appear here when the sales "
                "plugin (Quote to cash) is enabled.")


def _user():
    return current_user._get_current_object()


def parse_params(args):
    """The date range and owner/team a viewer chose; a malformed value is a 400 with the reason."""
    def day(name):
        text = (args.get(name) or "").strip()
        if not text:
            return None
        try:
            return _dt.date.fromisoformat(text)
        except ValueError:
            fail(400, _("%(value)s is not a date (YYYY-MM-DD).", value=text[:20]))

    def number(name):
        text = (args.get(name) or "").strip()
        if not text:
            return None
        if not text.isdigit():
            fail(400, _("%(value)s is not a number.", value=text[:20]))
        return int(text)
    params = ReportParams(date_from=day("date_from"), date_to=day("date_to"), owner_id=number("owner"),
                          position_id=number("team"))
    owner_name = (args.get("owner_name") or "").strip()  # the type-ahead's user name, for a large team
    if owner_name and params.owner_id is None:
        owner = assignable_by_name(_user(), owner_name)
        if owner is None:
            fail(400, _("Nobody called %(name)s is in your team.", name=owner_name[:100]))
        params.owner_id = owner.id
    period = (args.get("period") or "").strip()
    if period:
        bounds = dates.period(period)
        if bounds is None:
            fail(400, _("Unknown period."))
        params.date_from, params.date_to = bounds[0], bounds[1] - _dt.timedelta(days=1)
    if params.position_id and not Position.select().where(Position.id == params.position_id).exists():
        fail(400, _("Unknown team."))
    for name in ("days", "top"):     # a report's own inputs (ReportDefinition.inputs)
        value = number(name)
        if value:
            params.extra[name] = value
    return params


def _filter_choices(user, args):
    """The owner and team filters offer only whom the viewer reaches: the owner select lists them up to
    OWNER_SELECT_LIMIT (core's cached choices), beyond that a type-ahead over core's owner search takes a user
    name; the team select lists the viewer's own position and those below (everyone's for the admin), kept in
    the settings cache (positions bump its stamp). Nobody gets a list of the whole school's names."""
    owners = small_owner_choices(user)
    owner_name = ""
    if owners is None and (args.get("owner") or "").isdigit():
        chosen = assignable_by_id(user, args["owner"])  # the type-ahead shows whom it names, if in reach
        owner_name = chosen.username if chosen is not None else ""
    teams = stamp.cached(("report_teams", user.id), lambda: _teams(user))
    chosen = args.get("team", "")
    team_options = Markup("").join(  # in Python: a teacher's tree is hundreds of options
        Markup('<option value="%d"%s>%s%s</option>') % (id_, SELECTED if str(id_) == chosen else "", "— " * depth, name)
        for id_, depth, name in teams)
    return {"owners": owners[1:] if owners else None, "owner_name": owner_name, "team_options": team_options,
            "periods": dates.period_labels()}


SELECTED = Markup(" selected")


def _teams(user):
    """(id, depth, name) of the positions whose reports ``user`` may narrow to — their own and those below
    (everyone's for the admin) — in core's tree order (siblings by name)."""
    if user.is_admin:
        reach = None
    elif user.position_id:
        position = Position.get_or_none(Position.id == user.position_id)
        reach = {p.id for p in position_tree.subtree(position).select(Position.id)} if position else set()
    else:
        reach = set()
    return tuple((p.id, p.depth, p.name) for p, _label in position_tree.flat() if reach is None or p.id in reach)


def _respond(result, title, kind, template_args):
    """The requested format of a result: the page, CSV, SVG or the print view."""
    fmt = request.args.get("format", "")
    chart = output.build_chart(result, kind, title)
    safe_name = "".join(ch for ch in str(template_args.get("slug", "report")) if ch.isalnum() or ch in "._-")
    if fmt == "csv":
        return csvsafe.response(f"{safe_name}.csv", [c.label for c in result.columns], output.csv_rows(result))
    if fmt == "svg":
        if chart is None:
            fail(404, _("This report has no chart."))
        return Response(output.standalone_svg(chart), mimetype="image/svg+xml",
                        headers={"Content-Disposition": f'attachment; filename="{safe_name}.svg"'})
    template = "reports/print.html" if fmt == "print" else "reports/report.html"
    args = {k: v for k, v in request.args.items(multi=True) if k not in ("format",)}
    return render_template(template, result=result, title=title, chart_svg=output.inline_svg(chart),
                           args=args, choices=_filter_choices(_user(), request.args), **template_args)


def _run_safely(func, *args):
    try:
        return func(*args)
    except BadInput as exc:
        fail(400, str(exc))


# --- home and families -----------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    q = (request.args.get("q") or "").strip()[:100]
    families = service.by_family(_user())
    if q:
        needle = q.lower()
        families = {f: [d for d in items if needle in str(d.title).lower() or needle in str(d.description).lower()]
                    for f, items in families.items()}
    saved = service.readable(_user())
    if q:
        saved = saved.where(SavedReport.name.contains(q) | SavedReport.description.contains(q))
    page = paginate(saved.order_by(SavedReport.name, SavedReport.id))
    return render_template("reports/index.html", families=families, labels=FAMILY_LABELS, page=page, q=q,
                           off=_families_off(), owners=_owner_names(page.items))


def _families_off():
    plugins = current_app.extensions["zhixin_plugins"]
    return {f: FAMILY_OFF[f] for f, name in FAMILY_PLUGINS.items() if not plugins.is_enabled(name)}


def _owner_names(reports):
    ids = {r.owner_id for r in reports}
    return {u.id: u.display_name for u in User.select().where(User.id.in_(list(ids) or [0]))}


@bp.route("/family/<family>")
@login_required
def family(family):
    if family not in FAMILIES:
        abort(404)
    items = service.by_family(_user())[family]
    note = _families_off().get(family, "")
    if family == "sales":
        plugins = current_app.extensions["zhixin_plugins"]
        note = " ".join(str(text) for plugin, text in (("forecast", QUOTA_NOTE), ("sales", SALES_NOTE))
                        if not plugins.is_on(plugin, _user()))
    return render_template("reports/family.html", family=family, label=FAMILY_LABELS[family], items=items,
                           note=note)


@bp.route("/run/<report_id>")
@login_required
def run(report_id):
    definition = service.definitions(_user()).get(report_id)
    if definition is None:
        abort(404)
    params = parse_params(request.args)
    result = _run_safely(definition.run, _user(), params)
    kind = request.args.get("chart") if request.args.get("chart") in builder.CHARTS else None
    return _respond(result, str(definition.title), kind or definition.chart or (result.chart or {}).get("kind"),
                    {"definition": definition, "family": definition.family, "family_label":
                     FAMILY_LABELS[definition.family], "slug": report_id, "endpoint": "reports.run",
                     "endpoint_args": {"report_id": report_id}})


# --- builder and saved reports ---------------------------------------------------------------------------

def _builder_context(spec, report=None, errors=None, result=None, chart_svg=None):
    rt = registry.get(spec.get("type") or "opportunity") if spec.get("type") in registry.registry() else \
        registry.get(next(iter(registry.registry())))
    fields = fields_of(rt.model)
    return dict(spec=spec, rt=rt, fields=fields, types=sorted(registry.registry().values(), key=lambda t: str(
        t.label_plural)), operators=OPERATORS, aggregates=builder.AGGREGATES, charts=builder.CHARTS,
        units=dates.unit_labels(), periods=dates.period_labels(), report=report, errors=errors or [],
        result=result, chart_svg=chart_svg, positions=list(Position.select().order_by(Position.path)),
        schedules=service.schedule_labels(), no_value=NO_VALUE,
        shared_ids={s.position_id for s in report.shares} if report and report.id else set(),
        max_filters=builder.MAX_FILTERS, max_groups=builder.MAX_GROUPS, max_aggregates=builder.MAX_AGGREGATES)


def _type_name_or_400(name):
    try:
        return builder.record_type_or_400(name).name
    except BadInput as exc:
        fail(400, str(exc))


def _editable_or_404(report_id):
    report = service.readable(_user()).where(SavedReport.id == report_id).first()
    if report is None:
        abort(404)
    return report


@bp.route("/builder/", methods=["GET", "POST"])
@bp.route("/saved/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def build(report_id=None):
    report = _editable_or_404(report_id) if report_id else SavedReport()
    if report.id and not service.may_change(_user(), report):
        fail(403, _("Only the owner of a saved report may change it; make a copy instead."))
    if request.method == "GET":
        spec = report.spec_data if report.id else {"type": request.args.get("type", "opportunity"),
                                                   "aggregates": [{"func": "count"}], "chart": "bar"}
        if request.args.get("type") and request.args.get("type") != spec.get("type"):
            spec = {"type": request.args["type"], "aggregates": [{"func": "count"}], "chart": "bar"}
        if spec.get("type") not in registry.registry():
            fail(400, _("Unknown record type."))
        return render_template("reports/builder.html", **_builder_context(spec, report))
    action = request.form.get("action", "preview")
    if action == "change_type":
        type_name = _type_name_or_400(request.form.get("type"))
        return render_template("reports/builder.html", **_builder_context(
            {"type": type_name, "aggregates": [{"func": "count"}], "chart": "bar"}, report))
    try:
        spec = builder.clean(builder.from_form(request.form))
    except BadInput as exc:
        fail(400, str(exc))
    if action == "save":
        name = (request.form.get("name") or "").strip()
        schedule = request.form.get("schedule", "")
        errors = []
        if not name:
            errors.append(_("Give the report a name."))
        if schedule not in service.schedule_labels():
            fail(400, _("Unknown schedule."))
        if not errors:
            service.save(report, spec, _user(), name, request.form.get("description", ""),
                         shared=request.form.get("shared") == "1",
                         positions=[p for p in request.form.getlist("positions") if p.isdigit()], schedule=schedule)
            flash(_("Report saved."), "success")
            return redirect(url_for("reports.saved", report_id=report.id))
        return render_template("reports/builder.html", **_builder_context(spec, report, errors)), 400
    result = builder.run(spec, _user(), ReportParams())
    chart = output.build_chart(result, spec["chart"] or None)
    return render_template("reports/builder.html", **_builder_context(
        spec, report, result=result, chart_svg=output.inline_svg(chart)))


@bp.route("/saved/<int:report_id>")
@login_required
def saved(report_id):
    report = _editable_or_404(report_id)
    try:
        spec = builder.clean(report.spec_data)
    except BadInput as exc:
        fail(409, _("This saved report no longer fits its record type: %(reason)s", reason=exc))
    params = parse_params(request.args)
    result = _run_safely(builder.run, spec, _user(), params, page_number())
    kind = request.args.get("chart") if request.args.get("chart") in builder.CHARTS else None
    return _respond(result, report.name, kind or spec["chart"] or None,
                    {"report": report, "slug": f"report-{report.id}", "endpoint": "reports.saved",
                     "endpoint_args": {"report_id": report.id}, "may_change": service.may_change(_user(), report),
                     "spec": spec})


@bp.route("/saved/<int:report_id>/copy", methods=["POST"])
@login_required
def copy(report_id):
    report = _editable_or_404(report_id)
    copied = service.copy(report, _user())
    flash(_("Report copied."), "success")
    return redirect(url_for("reports.build", report_id=copied.id))


@bp.route("/saved/<int:report_id>/delete", methods=["POST"])
@login_required
def delete(report_id):
    report = _editable_or_404(report_id)
    if not service.may_change(_user(), report):
        fail(403, _("Only the owner of a saved report may delete it."))
    service.delete(report, _user())
    flash(_("Report deleted."), "success")
    return redirect(url_for("reports.index"))


# --- drill-down ------------------------------------------------------------------------------------------

def parse_drill_filters(args):
    out = []
    for text in args.getlist("f")[:20]:
        parts = text.split(":", 2)
        if len(parts) != 3:
            fail(400, _("A filter reads field:operator:value."))
        out.append(tuple(parts))
    return out


def _filter_value(info, op, value):
    """A drill filter's value as the reader says it: choice codes as their labels ("in" lists each)."""
    if info is None or not info.choices:
        return value
    codes = value.split(",") if op == "in" else [value]
    return ", ".join(display.choice_text(info.choices, code) for code in codes)


@bp.route("/drill/<type_name>/")
@login_required
def drill(type_name):
    """The records behind a row or bar: the filters of the report, through the viewer's access."""
    try:
        rt = registry.get(type_name)
    except KeyError:
        abort(404)
    filters = parse_drill_filters(request.args)
    query = access.visible(rt.model.select(), _user(), rt)
    try:
        for name, op, value in filters:
            query = query.where(condition(rt.model, name, op, value))
    except BadInput as exc:
        fail(400, str(exc))
    fields = fields_of(rt.model)
    columns = [fields[c] for c in (rt.list_columns or ()) if c in fields] or \
        [f for n, f in fields.items() if n != "id"][:6]
    page = paginate(query.order_by(rt.model.id.desc()))
    labels = {}
    for info in columns:
        if info.labelled:
            labels[info.name] = builder.labeller(_user(), info)({r.__data__.get(info.name) for r in page.items})
    described = [(fields[n].label if n in fields else n, OPERATORS.get(op, op), _filter_value(fields.get(n), op, v))
                 for n, op, v in filters]
    return render_template("reports/drill.html", rt=rt, page=page, columns=columns, labels=labels,
                           filters=described, args={"type_name": type_name, "f": request.args.getlist("f")},
                           detail_endpoint="records.detail" if "records.detail" in current_app.view_functions
                           else None)


@bp.app_template_filter("report_value")
def report_value(value, kind="text"):
    return output.display(value, kind)
