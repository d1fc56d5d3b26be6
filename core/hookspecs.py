"""Every hook of Zhixin CRM — the plugin author's reference.

Implement a hook with ``from core import hookimpl`` and a function of the same name in your plugin module;
take only the arguments you need. Hooks are always called with keyword arguments. ``register_*``-style
hooks return lists; core gathers the lists of all enabled plugins and sorts UI items by their ``order``
field (never by plugin load order).

Phases: start-up (startup, migrations, defaults, models), records (record_types, record_fields, record_saving,
record_saved, record_deleted, permission_check, access_filter), accounts (user_credentials_changed), web (blueprints, menu_items,
dashboard_widgets, template_slot), background (jobs), tools (cli_commands, demo_data, class_rows), cooperation
between plugins (reports, calendar_items, overdue_items, timeline_items, mail_unmatched, exercises).
"""
import pluggy

hookspec = pluggy.HookspecMarker("zhixin")


# --- start-up -----------------------------------------------------------------------------------------

@hookspec
def zhixin_startup(app):
    """Called once at the end of ``create_app``, after blueprints are registered.

    Validate your configuration here and raise ``core.db.ConfigError`` with a clear message if it cannot
    work; core then reports the plugin as broken and starts without it.
    """


@hookspec
def zhixin_migrations():
    """Return a list of ``core.extension.MigrationSet``: your migrations folder and namespace.

    ``zhixin init``/``upgrade`` (and the first activation of a plugin) apply pending migrations, each folder
    with its own history table ``<namespace>_migration``. Disabling a plugin never drops its tables. Each
    migration is frozen: it declares the tables it creates and never imports models (docs/plugin-guide.md).
    """


@hookspec
def zhixin_defaults(app):
    """Create your default rows if they are missing (idempotent): called after migrations by
    ``zhixin init``/``upgrade``, and by the test fixtures after each clean-up. Runs in a transaction."""


@hookspec
def zhixin_models():
    """Return the list of your Peewee model classes (tables prefixed with your plugin name).

    Used for schema checks and test isolation; tables are created by your migrations.
    """


# --- records --------------------------------------------------------------------------------------------

@hookspec
def zhixin_record_types():
    """Return a list of ``core.records.RecordType``: models that share core's access rules and its
    list/detail/form/delete/CSV machinery. A type's ``family`` names its sharing-mode setting; its
    ``grants`` (``core.records.RelationGrant``) widen access to it by a relation, ORed with core's rule in
    SQL (``RelationGrant("campaign")``: whoever may read/write/delete the task's campaign may do so to it)."""


@hookspec
def zhixin_record_fields(record_type):
    """Return a list of ``core.extension.ExtraField`` to add to ``record_type``'s form and detail page
    (``record_type`` is the RecordType's name, e.g. ``"lead"``)."""


@hookspec
def zhixin_record_saving(record_type, record, user, created, changes):
    """Called inside the save transaction before the record is written. ``changes`` maps field name to
    ``(old, new)``. Raise ``core.records.RecordError`` to refuse the save with a message."""


@hookspec
def zhixin_record_saved(record_type, record, user, created, changes):
    """Called inside the save transaction after the record (and its audit entry) is written."""


@hookspec
def zhixin_record_deleted(record_type, record, user):
    """Called inside the delete transaction, before the row is removed."""


@hookspec
def zhixin_record_merging(record_type, survivor, other, user):
    """Called inside the merge transaction (``core.records.merge``) when ``other`` (an account, contact or
    lead: ``record_type`` is "account", "contact" or "lead") is merged into ``survivor``, after core moved its
    own rows and before ``other`` is deleted: point every row of yours that refers to ``other`` at
    ``survivor`` (where a unique key would then hold twice, drop ``other``'s row). Return ``{label: count}``
    of what you moved, for the audit entry, or None. Raise ``core.records.RecordError`` to refuse the merge:
    nothing is written then. Access was checked by core (write on the survivor, delete on the other); move
    every row, visible to ``user`` or not: the other record is about to disappear."""


@hookspec
def zhixin_permission_check(user, action, record_type, record):
    """A veto on one record, beyond the position/sharing rules: return False to deny ``action``, None
    (or anything else, True included) to leave the decision to core's SQL rule. Any False wins. This hook
    never grants: a grant here would open a detail page that lists, exports and reports (filtered in SQL)
    do not show. To widen access, give your record type ``grants`` (``core.records.RelationGrant``, e.g.
    whoever may read a campaign reads its tasks): core compiles them into the same SQL filter."""


@hookspec
def zhixin_access_filter(user, record_type, action):
    """Return a Peewee expression that further narrows what ``user`` may ``action`` ("read", "write",
    "delete") in ``record_type``, or None. Expressions of all plugins are ANDed onto core's rule in
    ``core.access.visible`` (used e.g. to show others' private calendar events only as busy)."""


# --- accounts -------------------------------------------------------------------------------------------

@hookspec
def zhixin_user_credentials_changed(user, reason):
    """Called inside the transaction that changes what opens ``user``'s account, so that a plugin can drop
    what the old state opened (a secret link, a token): ``reason`` is ``"password_reset"`` (by the
    administrator), ``"password_changed"`` (by the user), ``"deactivated"`` or ``"reactivated"``. Called
    whatever the user's class (per_user=False); raise to refuse the whole change."""


# --- web -----------------------------------------------------------------------------------------------

@hookspec
def zhixin_blueprints(app):
    """Return a list of Flask blueprints to register. Put templates under ``templates/<plugin>/``."""


@hookspec
def zhixin_menu_items(user):
    """Return a list of ``core.extension.MenuItem`` for ``user`` (only called for a logged-in user). The menu
    is kept per user and language until the settings change (``core.stamp``: the organisation, positions,
    users' positions, plugins and modules per class), so the items may depend on those and on the user, not
    on records: a page whose content may be empty shows its empty state instead of hiding its entry."""


@hookspec
def zhixin_dashboard_widgets(user):
    """Return a list of ``core.extension.Widget`` shown on ``user``'s home page."""


@hookspec
def zhixin_template_slot(slot, context):
    """Return HTML (Markup or str, escaped by you), or a ``core.extension.Slot(html, order=…)``, to place in
    a named slot of the theme's templates, or None. The parts are shown by ``order`` (default 100). Slots:
    ``head``, ``top_bar``, ``before_content``, ``after_content``, ``footer``, ``record_detail`` and ``record_sidebar`` (context has ``record_type`` and ``record``)."""


# --- background ------------------------------------------------------------------------------------------

@hookspec
def zhixin_jobs():
    """Return a list of ``core.extension.Job``. Jobs run only in ``zhixin scheduler`` (one process), and
    each must be exactly-once in the database however many schedulers run it: read first, then claim each
    piece of work once in its own short transaction (``core.db.transaction``; ``core.models.JobClaim.claim``, a
    notification ``key``, or ``UPDATE … WHERE`` still unclaimed) — see docs/scheduler.md."""


# --- tools ---------------------------------------------------------------------------------------------

@hookspec
def zhixin_cli_commands():
    """Return a list of click commands or groups added to ``zhixin``."""


@hookspec
def zhixin_demo_data(app, users, rng):
    """Create demo data for ``zhixin demo``, and for one class after its reset. ``users`` is the list of demo
    ``User`` rows, highest position first (the teacher for ``zhixin demo``, the class lead for a reset),
    ``rng`` a seeded ``random.Random``. Called in dependency order inside one transaction per plugin.

    Create rows for these users only and link them only to rows these users own (or to the school's
    catalogue, such as products): a class reset loads demo data for one class and must not reach the others.
    School-wide settings are written only by the whole school's demo (``core.demo.is_school_demo(users)``)."""


@hookspec
def zhixin_class_rows(user_ids):
    """Return a list of ``core.extension.ClassRows``: the rows of your tables that belong to the class whose
    users are ``user_ids`` (a list of ids), in the order they can be deleted (dependents first).

    A class's rows are those its users own or created, and every row that depends on one of them — links,
    lines, replies, timelines, members, shares — including rows of another user that point at a class row
    (a class-1 campaign's member that is a class-2 lead). Never a school-wide row (settings, catalogue) and
    never another class's own row. Records of your record types that the class's users own are removed by core
    after every plugin's rows (latest-registered type first) unless you list their model yourself, as you must
    when more than the owner decides (a campaign task on a class campaign).

    The class reset (``core.classroom.sandbox``) counts these rows for its confirmation page and deletes them
    in one transaction: plugins before core (latest registered first), each list in its order. A ``where`` may
    use a subquery on rows deleted after it, never on rows deleted before it."""


# --- cooperation ---------------------------------------------------------------------------------------

@hookspec
def zhixin_reports():
    """Return a list of ``core.reports.ReportDefinition`` to offer in the reports plugin's families. A viewer
    sees the reports of the plugins on for them (``PluginManager.is_on``: a plugin switched off for their class
    offers none); ``inputs`` names extra fields the report's page asks for (``"days"``, ``"top"``), read into
    ``ReportParams.extra``."""


@hookspec
def zhixin_calendar_items(user, start, end, owners):
    """Return ``core.extension.CalendarItem`` objects between ``start`` and ``end`` (naive UTC datetimes)
    that ``user`` may see, for the calendar and the daily work plan. ``owners``: None (everyone's the user may
    see), or the ids of the users whose calendars are shown — narrow your query to items they own (items
    owned by nobody in particular may stay); the calendar drops any other owner's item."""


@hookspec
def zhixin_overdue_items(user, before):
    """Return ``core.extension.CalendarItem`` objects for the *open* items that ``user`` may see whose due
    time passed before ``before`` (a naive UTC datetime) — however long ago: the daily work plan lists them,
    marked overdue, until they are done (a campaign task, a service item past its resolution target…)."""


@hookspec
def zhixin_timeline_items(user, scope, before, limit):
    """Return ``core.timeline.TimelineItem`` objects for the customer timeline (an account's page: the
    account, its contacts and its opportunities): at most ``limit`` of your items about the records of
    ``scope`` (``core.timeline.Scope``: ``scope.ids("contact")`` is a subquery of the contacts the viewer may
    read, ``scope.about(account=M.account, contact=M.contact)`` and ``scope.related(M.related_type,
    M.related_id)`` the matching expressions) that ``user`` may read, older than the cursor ``before`` (None:
    from the newest), newest first. Write ONE query per kind of item, through ``core.access.visible``, and let
    ``core.timeline.page(query, at_field, kind, id_field, before, limit)`` add the cursor, order and limit;
    ``kind`` must be unique to that query (prefix it with your plugin's name) and ``at`` a naive UTC datetime.
    Core merges every source's items, cuts the page and fills in ``plugin``; a plugin off for the viewer's
    class is not asked."""


@hookspec
def zhixin_mail_unmatched(message):
    """An inbound reply (``core.mail.InboundMail``, already stored) that answers no message and comes from no
    known contact or lead: return True to take it (e.g. open a service item), None to leave it. Called in
    plugin order inside a transaction until one plugin takes it; the one that does may file it on its record
    by setting ``message.record_type`` and ``message.record_id`` (core saves it and records the plugin). An
    exception rolls back that plugin's writes and is logged; the message then stays unfiled for the
    administrator (Administration → Unfiled replies). Called by the job ``core.mail_inbound`` with no user."""


@hookspec
def zhixin_exercises():
    """Return a list of exercise definitions (``core.exercises.Exercise``) for the classroom tools.

    Each has its checks (``check(user, since)``, written with the check API of ``core.exercises``: ``mine``
    gives the student's own records changed by them since the exercise opened) and an optional ``setup(user,
    by)`` that seeds a student's starting data when an instructor opens the exercise for the class (``seed``
    adds only what is missing). A class sees an exercise once it is opened for it.
    """
