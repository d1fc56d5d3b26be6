"""iCalendar pages: the subscription feed and its token, export of a view, import of a file."""
import datetime as _dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from core import clock
from core.babel import gettext as _
from core.web import attachment
from plugins.calendar import feeds, ical, periods, service
from plugins.calendar.forms import ImportForm
from plugins.calendar.models import CalendarEvent, CalendarTask
from plugins.calendar.views import _parse_date, _user, bp

# --- iCalendar ---------------------------------------------------------------------------------------

@bp.route("/subscription")
@login_required
def subscription():
    """The user's secret link — never shown to an instructor viewing as the student."""
    viewing_as = service.viewing_as()
    feed = feeds.feed_of(_user())
    url = url_for("calendar.feed", token=feed.token, _external=True) if feed and not viewing_as else ""
    return render_template("calendar/subscription.html", feed=feed, url=url, viewing_as=viewing_as,
                           import_form=ImportForm())


@bp.route("/subscription/regenerate", methods=["POST"])
@login_required
def subscription_regenerate():
    """A new secret link; the old one stops working at once."""
    feeds.renew(_user())
    flash(_("A new subscription link was made. The old link no longer works."), "success")
    return redirect(url_for("calendar.subscription"))


@bp.route("/subscription/revoke", methods=["POST"])
@login_required
def subscription_revoke():
    feeds.revoke(_user())
    flash(_("The subscription link was switched off."), "success")
    return redirect(url_for("calendar.subscription"))


def _ics_response(data, filename):
    return Response(data, mimetype="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": attachment(filename)})


def _export_rows(user, owners, since=None):
    events = service.visible_events(user, owners).where(CalendarEvent.series.is_null())
    tasks = service.visible_tasks(user, owners)
    if since is not None:
        events = events.where((CalendarEvent.rrule != "") | (CalendarEvent.end >= since))
        tasks = tasks.where(CalendarTask.due_date >= since.date())
    return events.order_by(CalendarEvent.start), tasks.order_by(CalendarTask.due_date)


@bp.route("/feed/<token>.ics")
def feed(token):
    """The subscription feed: no login, the secret token is the key. ``?who=team`` for a leader's team."""
    row, user = feeds.owner_of(token)
    if user is None:
        abort(404)
    owners = service.owners_for(user, request.args.get("who", "me"))
    events, tasks = _export_rows(user, owners, since=clock.utcnow() - _dt.timedelta(days=180))
    feeds.mark_read(row)
    return _ics_response(ical.build(events, tasks, user, _("Zhixin CRM calendar of %(name)s",
                                                                name=user.display_name)), "zhixin.ics")


@bp.route("/export.ics")
@login_required
def export():
    """The events (whole series) and tasks of the view on screen, as an .ics file."""
    user = _user()
    view = request.args.get("view", "month")
    day = _parse_date(request.args.get("date"), clock.today())
    first, last = periods.quarter_range(request.args.get("quarter", "")) or periods.span(
        view if view in periods.VIEWS else "month", day)
    owners = service.owners_for(user, request.args.get("who", "me"))
    shown = {o.event.series_id or o.event.id for o in service.occurrences(user, first, last, owners)}
    events = service.visible_events(user, owners).where(CalendarEvent.id.in_(shown) if shown else
                                                        CalendarEvent.id == 0).order_by(CalendarEvent.start)
    tasks = service.visible_tasks(user, owners).where((CalendarTask.due_date >= first)
                                                       & (CalendarTask.due_date <= last))
    return _ics_response(ical.build(events, tasks, user, _("Zhixin CRM calendar")),
                         f"calendar-{first:%Y%m%d}-{last:%Y%m%d}.ics")


@bp.route("/import", methods=["POST"])
@login_required
def import_ics():
    form = ImportForm()
    upload = form.file.data if form.validate_on_submit() else None
    if not upload:
        flash(_("Choose an .ics file to import."), "error")
        return redirect(url_for("calendar.subscription"))
    try:
        created, skipped = ical.import_events(upload.read(), _user())
    except ical.ImportProblem as exc:
        flash(_("Nothing was imported. %(problem)s", problem=str(exc)), "error")
        return redirect(url_for("calendar.subscription"))
    flash(_("%(created)d events imported, %(skipped)d skipped (already in your calendar).", created=created,
            skipped=skipped), "success")
    return redirect(url_for("calendar.index", view="agenda"))
