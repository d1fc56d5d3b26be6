"""Class roster import (花名册导入): a table of people → users in the right positions, every role at once.

The file is what schools have: CSV in UTF-8 (with or without BOM) or GB18030/GBK (what Excel saves on
Chinese Windows), or an Excel workbook (.xlsx, recognised by its zip signature, not its name). Columns
(English or Chinese headers): student_number/学号 (or username/用户名), name/姓名, class/班级,
department/部门, email/邮箱, role/角色 (学生/销售员, 部门经理, 班长, 教师) and position/岗位 (a path from the top
of the tree, 教师/1班/1部/销售员).

:func:`check` is the dry run and :func:`run` the import; both go through the same validation, and ``run``
repeats it inside its transaction, so a file the dry run accepts imports and anything that would fail is a
row error. Position names match ignoring case and surrounding spaces (``core.positions.name_key``); missing
positions are created only when asked. A re-import updates people by student number; it never reactivates
an account the administrator deactivated.
"""
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

import openpyxl
from peewee import IntegrityError, fn

from core import csvsafe, passwords, positions as tree
from core.auth import credentials_changed
from core.babel import gettext as _, lazy_gettext as _l
from core.classroom import audit
from core.db import db
from core.models import Position, User

HEADERS = {
    "number": ("student_number", "student number", "学号", "username", "user name", "用户名", "账号", "工号"),
    "name": ("name", "full_name", "full name", "姓名"),
    "class": ("class", "班级"),
    "department": ("department", "部门"),
    "email": ("email", "e-mail", "邮箱", "电子邮件"),
    "role": ("role", "角色", "身份"),
    "path": ("position", "position path", "岗位", "岗位路径"),
}
# role -> (depth of its position, the words a school writes for it)
ROLES = {
    "teacher": (0, ("teacher", "教师", "老师")),
    "lead": (1, ("class lead", "lead", "班长")),
    "manager": (2, ("department manager", "manager", "部门经理", "经理")),
    "salesperson": (3, ("salesperson", "student", "学生", "销售员", "销售")),
}
FORMATS = {"xlsx": _l("Excel workbook (.xlsx)"), "utf-8-sig": _l("CSV, UTF-8 with BOM"),
           "utf-8": _l("CSV, UTF-8"), "gb18030": _l("CSV, GB18030/GBK")}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NUMBER = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
MAX_ROWS, MAX_DEPTH, MAX_BYTES = 5000, 8, 256 * 1024


class RosterFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class Options:
    create_missing: bool = False      # create missing positions and classes
    deactivate_missing: bool = False  # deactivate the people of the named classes the file leaves out


@dataclass
class RosterRow:
    line: int
    number: str
    name: str
    class_name: str
    department: str
    email: str
    role: str
    path: str
    names: tuple = ()        # the position path, top first
    label: str = ""          # the same as it reads in the tree
    errors: list = field(default_factory=list)
    existing: object = None  # the User this row updates

    @property
    def status(self):
        if self.errors:
            return "error"
        if self.existing is None:
            return "new"
        return "kept_inactive" if self.existing.deactivated_by_admin else "update"


@dataclass
class RosterResult:
    format: str = ""
    rows: list = field(default_factory=list)
    header_errors: list = field(default_factory=list)
    new_positions: list = field(default_factory=list)  # " / "-joined paths, in the order they are created
    deactivate: list = field(default_factory=list)     # users the import deactivates

    @property
    def format_label(self):
        return FORMATS.get(self.format, "")

    @property
    def bad_rows(self):
        return [r for r in self.rows if r.errors]

    @property
    def ok(self):
        return not self.header_errors and not self.bad_rows and bool(self.rows)


# --- reading the file ----------------------------------------------------------------------------------

def read_table(data):
    """``(format, rows of cell strings)`` from the file's bytes; raises RosterFileError."""
    if len(data) > MAX_BYTES:
        raise RosterFileError(_("The roster file is too large (at most %(size)d KB).", size=MAX_BYTES // 1024))
    if data.startswith(b"PK\x03\x04"):
        return "xlsx", _read_xlsx(data)
    try:
        name, text = csvsafe.decode(data)
    except UnicodeDecodeError as exc:
        raise RosterFileError(_("The file is not UTF-8 or GB18030 text, nor an Excel workbook (.xlsx).")) from exc
    try:
        return name, csvsafe.read(text)
    except csv.Error as exc:
        raise RosterFileError(_("The file is not a readable CSV table: %(error)s", error=exc)) from exc


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a student number typed into Excel is a number
    return str(value)


def _read_xlsx(data):
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = [[_cell_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError, OSError) as exc:
        raise RosterFileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    return rows


def _column_map(header):
    found = {}
    for index, raw in enumerate(header):
        key = " ".join((raw or "").replace("\ufeff", "").split()).lower()
        for name, aliases in HEADERS.items():
            if key in aliases and name not in found:
                found[name] = index
    return found


def _role(text):
    key = " ".join(text.split()).lower()
    return next((role for role, (_depth, words) in ROLES.items() if key in words), None)


# --- validation (the dry run; the import repeats it) ----------------------------------------------------

class _Places:
    """Finds the positions of the rows' paths, and creates the missing ones (only in :meth:`place`). Both
    walk the same way, with ``core.positions.child``, so what the check finds is what the import uses."""

    def __init__(self):
        self.known = {}  # key path -> Position, or None while only planned

    def missing(self, names):
        """The index of the first name of ``names`` neither in the tree nor planned (None: none)."""
        parent = None
        for i, name in enumerate(names):
            keys = _keys(names[:i + 1])
            if keys not in self.known:
                found = tree.child(parent, name) if parent is not None or i == 0 else None
                if found is None:
                    return i
                self.known[keys] = found
            parent = self.known[keys]  # None: planned
        return None

    def plan(self, names):
        """Note the missing positions of ``names`` as to be created; returns their paths (" / "-joined)."""
        start = self.missing(names)
        if start is None:
            return []
        for i in range(start, len(names)):
            self.known[_keys(names[:i + 1])] = None
        return [self.label(names[:i + 1]) for i in range(start, len(names))]

    def label(self, names):
        """The path as it will read: the tree's own spelling where a position exists, the file's elsewhere."""
        return " / ".join(getattr(self.known.get(_keys(names[:i + 1])), "name", name)
                          for i, name in enumerate(names))

    def place(self, names):
        """The position of ``names``, creating what is planned."""
        parent = None
        for i, name in enumerate(names):
            keys = _keys(names[:i + 1])
            if self.known.get(keys) is None:
                self.known[keys] = (tree.child(parent, name) if keys not in self.known else None) \
                    or tree.create(name, parent)
            parent = self.known[keys]
        return parent


def _keys(names):
    return tuple(tree.name_key(n) for n in names)


def _default_root(importer):
    if not importer.is_admin:
        return Position.get_or_none(Position.id == importer.position_id)
    return Position.select().where(Position.parent.is_null()).order_by(Position.id).first()


def _position_names(row, root):
    """The row's position path, top first (or adds an error to the row)."""
    role = _role(row.role) if row.role else None
    if row.role and role is None:
        row.errors.append(_("Unknown role %(role)s (teacher, class lead, department manager or salesperson).",
                            role=row.role))
        return ()
    if row.path:
        names = tuple(part.strip() for part in row.path.strip().strip("/").split("/"))
        if not all(names):
            row.errors.append(_("The position path %(path)s has an empty part.", path=row.path))
            return ()
        if role is not None and len(names) != ROLES[role][0] + 1:
            row.errors.append(_("The role %(role)s does not fit the position path %(path)s.", role=row.role,
                                path=row.path))
        return names
    depth = ROLES[role or "salesperson"][0]
    if depth >= 1 and not row.class_name:
        row.errors.append(_("The class is missing."))
        return ()
    if depth == 2 and not row.department:
        row.errors.append(_("The department is missing."))
        return ()
    department = row.department or _("Department 1")
    names = ((root.name if root else _("Teacher")), row.class_name, department,
             _("%(department)s Salesperson", department=department))
    return names[:depth + 1]


def _check_names(row, names, importer, root):
    if len(names) > MAX_DEPTH:
        row.errors.append(_("The position path has more than %(n)d levels.", n=MAX_DEPTH))
    for name in names:
        if len(name) > 100:
            row.errors.append(_("The position name %(name)s is longer than 100 characters.", name=name[:20] + "…"))
    if not importer.is_admin and names and (root is None or tree.name_key(names[0]) != tree.name_key(root.name)):
        row.errors.append(_("The position path must start at your own position %(name)s.",
                            name=root.name if root else "—"))


def _check_position(row, places, options):
    """The positions this row adds (planned in ``places``), or a row error naming the missing part."""
    found = places.missing(row.names)
    if found is None:
        return []
    if not options.create_missing:
        row.errors.append(_("%(name)s does not exist under %(parent)s: tick “Create missing positions and "
                            "classes” to create it.", name=row.names[found],
                            parent=" / ".join(row.names[:found]) or _("the top of the tree")))
        return []
    return places.plan(row.names)


def _same(column, value):
    """``column`` equals ``value`` ignoring ASCII case, and by the database's own collation (MariaDB's
    compares more loosely than Python), so a unique index can never refuse what the check let through."""
    return (fn.LOWER(column) == value.lower()) | (column == value)


def _check_person(row, importer, root):
    by_number = list(User.select().where(_same(User.student_number, row.number)).limit(2))
    by_name = [] if by_number else list(User.select().where(_same(User.username, row.number)).limit(2))
    matches = by_number or by_name
    if len(matches) > 1 or (by_name and by_name[0].student_number):
        row.errors.append(_("The user name %(name)s is taken by another user.", name=row.number))
        return
    row.existing = matches[0] if matches else None
    if row.existing is None:
        return
    if row.existing.is_admin:
        row.errors.append(_("%(name)s is an administrator's account; the roster does not change it.",
                            name=row.number))
    elif not importer.is_admin and row.existing.position_id:
        pos = Position.get_or_none(Position.id == row.existing.position_id)
        if root is None or pos is None or not pos.path.startswith(root.path):
            row.errors.append(_("%(name)s belongs to a class you do not teach.", name=row.number))


def _check_cells(row, seen):
    if not row.number:
        row.errors.append(_("The student number is missing."))
    elif not NUMBER.match(row.number):
        row.errors.append(_("The student number may hold only letters, digits and . _ -"))
    elif row.number.lower() in seen:
        row.errors.append(_("Student number %(number)s appears again (first on line %(line)d).",
                            number=row.number, line=seen[row.number.lower()]))
    else:
        seen[row.number.lower()] = row.line
    if not row.name:
        row.errors.append(_("The name is missing."))
    elif len(row.name) > 100:
        row.errors.append(_("The name is longer than 100 characters."))
    if row.email and (len(row.email) > 254 or not EMAIL.match(row.email)):
        row.errors.append(_("%(email)s is not an e-mail address.", email=row.email))
    texts = (row.number, row.name, row.class_name, row.department, row.email, row.role, row.path)
    if any(unicodedata.category(c) == "Cc" for text in texts for c in text):
        row.errors.append(_("A cell holds a line break or another control character."))


def _rows(table):
    header = table[0] if table else None
    if not header or not any(c.strip() for c in header):
        raise RosterFileError(_("The file is empty."))
    columns = _column_map(header)
    missing = [n for n in ("number", "name") if n not in columns]
    if "class" not in columns and "path" not in columns:
        missing.append("class")
    if missing:
        names = {"number": "student_number", "name": "name", "class": "class"}
        raise RosterFileError(_("Missing columns: %(names)s.", names=", ".join(names[m] for m in missing)))
    if len(table) - 1 > MAX_ROWS:
        raise RosterFileError(_("The file has more than %(n)d rows.", n=MAX_ROWS))
    for line, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(name):
            i = columns.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""
        yield RosterRow(line, cell("number"), cell("name"), cell("class"), cell("department"), cell("email"),
                        cell("role"), cell("path"))


def _validate(data, importer, options, places):
    result = RosterResult()
    try:
        result.format, table = read_table(data)
        rows = list(_rows(table))
    except RosterFileError as exc:
        result.header_errors.append(str(exc))
        return result
    if not rows:
        result.header_errors.append(_("The file has no people in it."))
        return result
    root, seen = _default_root(importer), {}
    for row in rows:
        _check_cells(row, seen)
        row.names = _position_names(row, root) if not row.errors else ()
        if row.names:
            _check_names(row, row.names, importer, root)
        if not row.errors:
            result.new_positions += _check_position(row, places, options)
        if not row.errors:
            _check_person(row, importer, root)
        row.label = places.label(row.names)
    result.rows = rows
    if options.deactivate_missing and result.ok:
        result.deactivate = _left_out(rows, places)
    return result


def _left_out(rows, places):
    """The active people of the classes the file names (existing ones) whom the file leaves out."""
    in_file = {r.existing.id for r in rows if r.existing is not None}
    classes = {places.known.get(_keys(r.names[:2])) for r in rows if len(r.names) > 1}
    users = []
    for cls in sorted((c for c in classes if c is not None), key=lambda c: c.path):
        query = (User.select().join(Position, on=(User.position == Position.id))
                 .where(tree.below(cls.path, include_self=True) & User.active & ~User.is_admin)
                 .order_by(User.username))
        users += [u for u in query if u.id not in in_file]
    return users


def check(data, importer, options=None):
    """The dry run: read and validate the roster (bytes); nothing is written."""
    return _validate(data, importer, options or Options(), _Places())


# --- the import ----------------------------------------------------------------------------------------

def run(data, importer, options=None, password_method=None):
    """Validate again and, if the file is still good, import it in one transaction.

    Returns ``(result, [(row, user, initial password or None)])``; with errors the list is empty and
    nothing is written."""
    options = options or Options()
    try:
        with db.atomic():
            places = _Places()
            result = _validate(data, importer, options, places)
            if not result.ok:
                return result, []
            created = [_write(row, places.place(row.names), password_method) for row in result.rows]
            if result.deactivate:
                User.update(active=False).where(User.id.in_([u.id for u in result.deactivate])).execute()
            for user in result.deactivate:
                credentials_changed(user, "deactivated")
            audit.log("roster_import", importer, format=result.format, rows=len(created),
                      new_users=sum(1 for _row, _user, password in created if password),
                      new_positions=len(result.new_positions), deactivated=[u.username for u in result.deactivate])
    except (IntegrityError, tree.PositionError):  # someone else wrote the same name meanwhile
        result.header_errors.append(_("Someone changed the users or positions meanwhile; nothing was written. "
                                      "Check the file again."))
        return result, []
    return result, created


def _write(row, position, password_method):
    user, password = row.existing, None
    if user is None:
        password = passwords.generate(row.number)
        user = User(username=row.number, must_change_password=True)
        user.set_password(password, method=password_method)
    user.student_number = user.student_number or row.number
    user.full_name = row.name
    user.email = row.email or user.email
    user.position = position
    reactivated = user.id is not None and not user.active and not user.deactivated_by_admin
    user.active = user.active or not user.deactivated_by_admin
    user.save()
    if reactivated:
        credentials_changed(user, "reactivated")
    return row, user, password


def sheet_csv(created):
    """The initial-password sheet as CSV text (what the instructor prints or hands out)."""
    return csvsafe.csv_text([_("Student number"), _("Full name"), _("Position"), _("User name"), _("Initial password")],
                            ([row.number, row.name, row.label, user.username, password or _("(unchanged)")]
                             for row, user, password in created))
