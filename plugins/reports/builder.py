"""The report builder (自定义报表): a report specification over any registered record type, checked
against the whitelist of the type's fields and run in SQL as the viewer.

A specification is a small dict (stored as JSON with a saved report)::

    {"type": "opportunity", "columns": ["name", "amount"],
     "filters": [{"field": "close_date", "op": "period", "value": "this_quarter"}],
     "groups": [{"field": "close_date", "unit": "month"}, {"field": "owner"}],
     "aggregates": [{"func": "count"}, {"func": "sum", "field": "amount"}],
     "sort": "a1", "desc": true, "chart": "stacked", "date_field": "close_date"}
"""
import decimal

from peewee import SQL, fn

from core.babel import gettext as _, lazy_gettext as _l
from core.models import SalesStage, User
from core.records import display, registry
from core.reports import ReportColumn, ReportResult
from plugins.reports import dates
from plugins.reports.engine import drill_filters, drill_url, scoped, user_names, visible_names
from plugins.reports.fields import NO_VALUE, BadInput, condition, date_bucket, fields_of

AGGREGATES = {"count": _l("Count"), "sum": _l("Sum"), "avg": _l("Average"), "min": _l("Minimum"),
              "max": _l("Maximum")}
CHARTS = {"bar": _l("Bar chart"), "hbar": _l("Horizontal bar chart"), "stacked": _l("Stacked bar chart"),
          "line": _l("Line chart"), "pie": _l("Pie chart"), "funnel": _l("Bar chart in group order"), "": _l("No chart")}
MAX_FILTERS, MAX_GROUPS, MAX_AGGREGATES, MAX_COLUMNS = 8, 2, 4, 20
MAX_GROUP_ROWS = 1000
LIST_PAGE = 100


def record_type_or_400(name):
    try:
        return registry.get(str(name))
    except KeyError:
        raise BadInput(f"unknown record type {str(name)[:40]!r}") from None


def _text(value, limit=200):
    return "" if value is None else str(value)[:limit]


def clean(data):
    """A checked specification from untrusted ``data``; BadInput names the first thing refused."""
    if not isinstance(data, dict):
        raise BadInput("a specification is an object")
    rt = record_type_or_400(data.get("type"))
    fields = fields_of(rt.model)

    def known(name, what="field"):
        if not isinstance(name, str) or name not in fields:
            raise BadInput(f"unknown {what} {_text(name, 60)!r}")
        return name
    spec = {"type": rt.name}
    spec["columns"] = [known(c, "column") for c in (data.get("columns") or [])][:MAX_COLUMNS]
    spec["filters"] = []
    for f in (data.get("filters") or [])[:MAX_FILTERS]:
        name, op, value = known(f.get("field")), _text(f.get("op"), 20), _text(f.get("value"))
        condition(rt.model, name, op, value)          # raises BadInput for a bad operator or value
        spec["filters"].append({"field": name, "op": op, "value": "" if op in NO_VALUE else value})
    spec["groups"] = []
    for g in (data.get("groups") or [])[:MAX_GROUPS]:
        name = known(g.get("field"))
        unit = _text(g.get("unit"), 20) if fields[name].kind == "date" else ""
        if fields[name].kind == "date":
            unit = unit or "month"
            if unit not in dates.UNITS:
                raise BadInput(f"unknown date unit {unit[:20]!r}")
        spec["groups"].append({"field": name, "unit": unit})
    spec["aggregates"] = []
    for a in (data.get("aggregates") or [])[:MAX_AGGREGATES]:
        func = _text(a.get("func"), 10)
        if func not in AGGREGATES:
            raise BadInput(f"unknown aggregate {func!r}")
        name = "" if func == "count" else known(a.get("field"))
        if func in ("sum", "avg") and fields[name].kind != "number":
            raise BadInput(f"{func} needs a number field, not {name}")
        if func in ("min", "max") and fields[name].kind not in ("number", "date"):
            raise BadInput(f"{func} needs a number or date field, not {name}")
        spec["aggregates"].append({"func": func, "field": name})
    if spec["groups"] and not spec["aggregates"]:
        spec["aggregates"] = [{"func": "count", "field": ""}]
    sort = _text(data.get("sort"), 60)
    allowed_sorts = ({f"g{i}" for i in range(len(spec["groups"]))} | {f"a{i}" for i in range(len(spec["aggregates"]))}
                     if spec["groups"] else set(fields))
    if sort and sort not in allowed_sorts:
        raise BadInput(f"cannot sort by {sort!r}")
    spec["sort"] = sort
    spec["desc"] = bool(data.get("desc"))
    chart = _text(data.get("chart"), 20)
    if chart not in CHARTS:
        raise BadInput(f"unknown chart type {chart!r}")
    spec["chart"] = chart
    date_field = _text(data.get("date_field"), 60) or default_date_field(fields)
    if date_field and (date_field not in fields or fields[date_field].kind != "date"):
        raise BadInput(f"{date_field!r} is not a date field")
    spec["date_field"] = date_field
    return spec


def default_date_field(fields):
    if "created_at" in fields:
        return "created_at"
    return next((n for n, f in fields.items() if f.kind == "date"), "")


def from_form(form):
    """A raw specification from the builder form (checked afterwards by :func:`clean`)."""
    data = {"type": form.get("type", ""), "columns": form.getlist("columns"), "filters": [], "groups": [],
            "aggregates": [], "sort": form.get("sort", ""), "desc": form.get("desc") == "1",
            "chart": form.get("chart", "bar"), "date_field": form.get("date_field", "")}
    for i in range(MAX_FILTERS):
        if form.get(f"filter_field_{i}"):
            data["filters"].append({"field": form.get(f"filter_field_{i}"), "op": form.get(f"filter_op_{i}", "eq"),
                                    "value": form.get(f"filter_value_{i}", "")})
    for i in range(MAX_GROUPS):
        if form.get(f"group_field_{i}"):
            data["groups"].append({"field": form.get(f"group_field_{i}"), "unit": form.get(f"group_unit_{i}", "")})
    for i in range(MAX_AGGREGATES):
        func = form.get(f"agg_func_{i}")
        if func:
            data["aggregates"].append({"func": func, "field": form.get(f"agg_field_{i}", "")})
    return data


# --- running ---------------------------------------------------------------------------------------------

def _aggregate(model, fields, agg):
    if agg["func"] == "count":
        return fn.COUNT(model.id)
    column = fields[agg["field"]].field
    return {"sum": fn.SUM, "avg": fn.AVG, "min": fn.MIN, "max": fn.MAX}[agg["func"]](column)


def _group_expr(fields, group):
    info = fields[group["field"]]
    if info.kind == "date":
        return date_bucket(info, group["unit"] or "month")
    return info.field


def _base(spec, user, params, *columns):
    rt = registry.get(spec["type"])
    model = rt.model
    query = scoped(model, user, rt, params, spec["date_field"] or None, model.select(*columns))
    for f in spec["filters"]:
        query = query.where(condition(model, f["field"], f["op"], f["value"]))
    return query


def labeller(user, info):
    """value -> label for the values of one field (names of referenced records through access, stage and
    choice labels in the reader's language)."""
    if info.choices:
        return lambda values: {v: display.choice_text(info.choices, v) for v in values}
    if info.kind == "ref":
        rel = info.field.rel_model
        if rel is SalesStage:
            return lambda values: {o.id: display.stage_label(o)
                                   for o in SalesStage.select().where(SalesStage.id.in_(list(values)))}

        def ref_labels(values):
            ids = [v for v in values if v is not None]
            if rel is User:
                return user_names(ids)
            try:
                rt = registry.get(rel)
            except KeyError:
                rt = None
            if rt is not None:
                return visible_names(user, rt, ids)
            return {o.id: str(o) for o in rel.select().where(rel.id.in_(ids))} if ids else {}
        return ref_labels
    if info.kind == "bool":
        return lambda values: {v: (_("Yes") if v else _("No")) for v in values}
    return lambda values: {v: ("" if v is None else str(v)) for v in values}


def _agg_label(fields, agg):
    if agg["func"] == "count":
        return _("Count")
    return f"{AGGREGATES[agg['func']]}: {fields[agg['field']].label}"


def _agg_kind(fields, agg):
    if agg["func"] == "count":
        return "count"
    info = fields[agg["field"]]
    if info.kind == "date":
        return "date"
    return "money" if info.is_money else "number"


def run(spec, user, params, page=1):
    """Run a checked specification as ``user``; a grouped report gives group rows with sub-totals."""
    if spec["groups"]:
        return _run_grouped(spec, user, params)
    return _run_list(spec, user, params, page)


def _run_grouped(spec, user, params):
    rt = registry.get(spec["type"])
    fields = fields_of(rt.model)
    groups = [_group_expr(fields, g) for g in spec["groups"]]
    aggs = [_aggregate(rt.model, fields, a) for a in spec["aggregates"]]
    selected = [g.alias(f"g{i}") for i, g in enumerate(groups)] + [a.alias(f"a{i}") for i, a in enumerate(aggs)]
    selected += _average_parts(rt.model, fields, spec["aggregates"])
    query = _base(spec, user, params, *selected).group_by(*[SQL(f"g{i}") for i in range(len(groups))])
    order = [SQL(spec["sort"] + (" DESC" if spec["desc"] else ""))] if spec["sort"] else []
    order += [SQL(f"g{i}") for i in range(len(groups))]
    raw = list(query.order_by(*order).limit(MAX_GROUP_ROWS + 1).dicts())
    truncated = len(raw) > MAX_GROUP_ROWS
    raw = raw[:MAX_GROUP_ROWS]
    labels = _group_labels(spec, user, fields, raw)
    columns = [ReportColumn(f"g{i}", fields[g["field"]].label) for i, g in enumerate(spec["groups"])]
    columns += [ReportColumn(f"a{i}", _agg_label(fields, a), _agg_kind(fields, a),
                             total=a["func"] in ("count", "sum")) for i, a in enumerate(spec["aggregates"])]
    kinds = [_agg_kind(fields, a) for a in spec["aggregates"]]
    rows = []
    for r in raw:
        row = {f"a{i}": _value(r[f"a{i}"], kinds[i]) for i in range(len(aggs))}
        for i in range(len(groups)):
            row[f"g{i}"], row[f"_g{i}"] = labels[i](r[f"g{i}"])
        rows.append(row)
    if len(groups) == 2:
        rows = _with_subtotals(spec, user, params, groups, aggs, rows, labels, kinds, None if truncated else raw)
    if truncated:
        total_row = _base(spec, user, params, *[a.alias(f"a{i}") for i, a in enumerate(aggs)]).dicts().first() or {}
    else:
        total_row = _combine(spec["aggregates"], raw)
    totals = {f"a{i}": _value(total_row.get(f"a{i}"), kinds[i]) for i in range(len(aggs))}
    totals["g0"] = _("Total")
    kind = spec["chart"]
    chart = None
    if kind:
        chart = {"kind": kind, "label": "g0", "values": ["a0"]}
        if len(groups) == 2:
            chart["series"] = "g1"
    base = drill_filters(params, spec["date_field"]) + [(f["field"], f["op"], f["value"]) for f in spec["filters"]]

    def drill(row):
        if row.get("_subtotal_of") is not None:
            conds = row["_subtotal_of"]
        else:
            conds = [c for i in range(len(groups)) for c in row[f"_g{i}"]]
        return drill_url(rt.name, base + conds)
    note = _("Only the first %(n)s groups are shown.", n=MAX_GROUP_ROWS) if truncated else ""
    return ReportResult(columns, rows, chart=chart, totals=totals, drilldown=drill, note=note)


def _value(v, kind="number"):
    """A database aggregate as Decimal (money to the cent; SQLite hands back ints and floats)."""
    if v is None or isinstance(v, (str, bool)) or kind not in ("money", "number"):
        return v
    value = decimal.Decimal(str(round(v, 4))) if isinstance(v, float) else decimal.Decimal(v)
    if kind == "money":
        return value.quantize(decimal.Decimal("0.01"))
    return value if value != value.to_integral_value() else value.quantize(decimal.Decimal(1))


def _group_labels(spec, user, fields, raw):
    """Per group: key -> (label, drill conditions)."""
    out = []
    for i, g in enumerate(spec["groups"]):
        info = fields[g["field"]]
        keys = {r[f"g{i}"] for r in raw}
        if info.kind == "date":
            def describe(key, name=g["field"], unit=g["unit"]):
                label, start, end = dates.describe(unit, key)
                if start is None:
                    return label, [(name, "empty", "")]
                return label, [(name, "gte", start.isoformat()), (name, "lt", end.isoformat())]
            described = {key: describe(key) for key in keys}    # once a key: a month recurs in every stage
            out.append(lambda key, described=described, describe=describe: described.get(key) or describe(key))
            continue
        names = labeller(user, info)(keys)

        def plain(key, name=g["field"], info=info, names=names):
            if key is None or key == "":
                return _("(none)"), [(name, "empty", "")]
            if info.kind == "bool":
                return names.get(key), [(name, "true" if key else "false", "")]
            return names.get(key, str(key)), [(name, "eq", key)]
        out.append(plain)
    return out


def _average_parts(model, fields, aggregates):
    """SUM and COUNT beside each average (s{i}, c{i}): what a sub-total's average is made of."""
    out = []
    for i, agg in enumerate(aggregates):
        if agg["func"] == "avg":
            column = fields[agg["field"]].field
            out += [fn.SUM(column).alias(f"s{i}"), fn.COUNT(column).alias(f"c{i}")]
    return out


def _exact(v):
    return v if v is None or isinstance(v, decimal.Decimal) else decimal.Decimal(str(v))


def _combine(aggregates, lines):
    """The aggregates over all of ``lines`` (grouped rows, raw from the database) as one row: counts and
    sums add up exactly (Decimal), minimum and maximum of theirs, an average from its parts' totals."""
    out = {}
    for i, agg in enumerate(aggregates):
        name, func = f"a{i}", agg["func"]
        values = [r[name] for r in lines if r[name] is not None]
        if func == "count":
            out[name] = sum(int(v) for v in values)
        elif func == "sum":
            out[name] = sum((_exact(v) for v in values), decimal.Decimal(0)) if values else None
        elif func in ("min", "max"):
            out[name] = (min if func == "min" else max)(values) if values else None
        else:
            total = sum((_exact(r[f"s{i}"]) for r in lines if r[f"s{i}"] is not None), decimal.Decimal(0))
            count = sum(int(r[f"c{i}"] or 0) for r in lines)
            out[name] = round(float(total / count), 4) if count else None     # as SQLite's AVG comes
    return out


def _with_subtotals(spec, user, params, groups, aggs, rows, labels, kinds, raw=None):
    """Insert a sub-total row after each first-level group: from the group's own lines (``raw``, all of
    them), or — when the lines were cut at MAX_GROUP_ROWS — from a second query."""
    if raw is not None:
        lines = {}
        for r in raw:
            lines.setdefault(r["g0"], []).append(r)
        subtotals = {key: dict(_combine(spec["aggregates"], group), g0=key) for key, group in lines.items()}
    else:
        query = _base(spec, user, params, groups[0].alias("g0"),
                      *[a.alias(f"a{i}") for i, a in enumerate(aggs)]).group_by(SQL("g0"))
        subtotals = {r["g0"]: r for r in query.dicts()}
    keyed = {}
    for r in subtotals.values():
        label, conds = labels[0](r["g0"])
        keyed[label] = (r, conds)
    out, current = [], None
    for row in rows + [None]:
        if current is not None and (row is None or row["g0"] != current):
            r, conds = keyed.get(current, ({}, []))
            sub = {f"a{i}": _value(r.get(f"a{i}"), kinds[i]) for i in range(len(aggs))}
            sub.update({"g0": current, "g1": _("Sub-total"), "_subtotal": True, "_subtotal_of": conds})
            out.append(sub)
        if row is not None:
            current = row["g0"]
            out.append(row)
    return out


def _run_list(spec, user, params, page):
    """No grouping: the matching records themselves, a page at a time, with SQL totals of number columns."""
    rt = registry.get(spec["type"])
    fields = fields_of(rt.model)
    names = spec["columns"] or [c for c in (rt.list_columns or ()) if c in fields] or \
        [n for n in fields if n != "id"][:6]
    infos = [fields[n] for n in names]
    query = _base(spec, user, params, rt.model.id, *[i.field for i in infos])
    sort = spec["sort"] or ""
    if sort:
        col = fields[sort].field
        query = query.order_by(col.desc() if spec["desc"] else col, rt.model.id)
    else:
        query = query.order_by(rt.model.id.desc())
    total_count = query.order_by().count()
    records = list(query.paginate(page, LIST_PAGE))
    value_labels = {}
    for info in infos:
        if info.labelled:
            values = {r.__data__.get(info.name) for r in records}
            value_labels[info.name] = labeller(user, info)(values)
    rows = []
    for r in records:
        row = {"_id": r.id}
        for info in infos:
            v = r.__data__.get(info.name)
            row[info.name] = value_labels[info.name].get(v, "") if info.name in value_labels else v
        rows.append(row)
    number_cols = [i for i in infos if i.kind == "number" and i.name != "id"]
    totals = {}
    if number_cols:
        sums = _base(spec, user, params, *[fn.SUM(i.field).alias(i.name) for i in number_cols]).dicts().first()
        totals = {i.name: _value((sums or {}).get(i.name), "money" if i.is_money else "number")
                  for i in number_cols}
    totals[names[0]] = _("Total: %(n)s", n=total_count)
    columns = [ReportColumn(i.name, i.label, "money" if i.is_money else
                            ("datetime" if i.is_datetime else ("date" if i.kind == "date" else
                                                              ("number" if i.kind == "number" else "text"))),
                            total=i in number_cols) for i in infos]
    result = ReportResult(columns, rows, chart=None, totals=totals,
                          drilldown=lambda row: drill_url(rt.name, [("id", "eq", row["_id"])]))
    result.page = page
    result.total_count = total_count
    result.per_page = LIST_PAGE
    return result
