"""Class roster import (花名册导入): a CSV of students → users in the right positions.

Columns (English or Chinese headers): student_number/学号, name/姓名, class/班级, department/部门,
email/邮箱 (optional). Each student goes into the salesperson position of their department, created under
the class template when missing. A dry run reports every bad row; a commit is all-or-nothing; a re-import
updates students by student number instead of duplicating them. New students get an initial password,
shown once, and must change it at first login.
"""
import csv
import io
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _

from core.db import db
from core import positions as tree
from core.models import Position, User

HEADERS = {
    "student_number": ("student_number", "student number", "学号"),
    "name": ("name", "full_name", "姓名"),
    "class": ("class", "班级"),
    "department": ("department", "部门"),
    "email": ("email", "e-mail", "邮箱", "电子邮件"),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NUMBER = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass
class RosterRow:
    line: int
    student_number: str
    name: str
    class_name: str
    department: str
    email: str
    errors: list = field(default_factory=list)
    existing: bool = False


@dataclass
class RosterResult:
    rows: list
    header_errors: list = field(default_factory=list)

    @property
    def bad_rows(self):
        return [r for r in self.rows if r.errors]

    @property
    def ok(self):
        return not self.header_errors and not self.bad_rows and bool(self.rows)


def _column_map(header):
    found = {}
    for index, raw in enumerate(header):
        key = (raw or "").strip().lstrip("\ufeff").lower()
        for name, aliases in HEADERS.items():
            if key in aliases:
                found[name] = index
    return found


def parse(data):
    """Read and validate a roster (bytes or text). Nothing is written."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                data = data.decode("gb18030")  # spreadsheets saved on Chinese Windows
            except UnicodeDecodeError:
                return RosterResult([], [_("The file is not UTF-8 or GB18030 text.")])
    reader = csv.reader(io.StringIO(data))
    header = next(reader, None)
    if not header:
        return RosterResult([], [_("The file is empty.")])
    columns = _column_map(header)
    missing = [name for name in ("student_number", "name", "class") if name not in columns]
    if missing:
        return RosterResult([], [_("Missing columns: %(names)s.", names=", ".join(missing))])
    rows, seen = [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(name):
            i = columns.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""
        row = RosterRow(line, cell("student_number"), cell("name"), cell("class"), cell("department"),
                        cell("email"))
        if not row.student_number:
            row.errors.append(_("The student number is missing."))
        elif not NUMBER.match(row.student_number):
            row.errors.append(_("The student number may hold only letters, digits and . _ -"))
        elif row.student_number in seen:
            row.errors.append(_("Student number %(number)s appears again (first on line %(line)d).",
                                number=row.student_number, line=seen[row.student_number]))
        else:
            seen[row.student_number] = line
        if not row.name:
            row.errors.append(_("The name is missing."))
        elif len(row.name) > 100:
            row.errors.append(_("The name is longer than 100 characters."))
        if not row.class_name:
            row.errors.append(_("The class is missing."))
        if row.email and not EMAIL.match(row.email):
            row.errors.append(_("%(email)s is not an e-mail address.", email=row.email))
        if row.student_number and not row.errors:
            existing = User.get_or_none(User.student_number == row.student_number)
            clash = User.get_or_none(User.username == row.student_number)
            row.existing = existing is not None
            if clash is not None and (existing is None or clash.id != existing.id):
                row.errors.append(_("The user name %(name)s is taken by another user.", name=row.student_number))
        rows.append(row)
    if not rows:
        return RosterResult([], [_("The file has no students.")])
    return RosterResult(rows)


def _child(parent, name):
    under = (Position.parent == parent.id) if parent else Position.parent.is_null()
    return Position.get_or_none(under & (Position.name == name)) or tree.create(name, parent)


def _salesperson_position(root, row):
    cls = _child(root, row.class_name)
    dept = _child(cls, row.department or _("Department 1"))
    return _child(dept, _("%(department)s Salesperson", department=dept.name))


def commit(result, password_method=None):
    """Write the roster in one transaction. Returns [(row, user, initial password or None)]."""
    if not result.ok:
        raise ValueError("roster has errors")
    out = []
    with db.atomic():
        root = Position.select().where(Position.parent.is_null()).order_by(Position.id).first() \
            or tree.create(_("Teacher"))
        for row in result.rows:
            position = _salesperson_position(root, row)
            user = User.get_or_none(User.student_number == row.student_number)
            password = None
            if user is None:
                password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))
                user = User(username=row.student_number, student_number=row.student_number,
                            must_change_password=True)
                user.set_password(password, method=password_method)
            user.full_name = row.name
            user.email = row.email or user.email
            user.position = position
            user.active = True
            user.save()
            out.append((row, user, password))
    return out


def sheet_csv(created):
    """The initial-password sheet as CSV text (what the instructor prints or hands out)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Student number"), _("Name"), _("Position"), _("User name"), _("Initial password")])
    for row, user, password in created:
        writer.writerow([row.student_number, row.name, user.position.name, user.username,
                         password or _("(unchanged)")])
    return buffer.getvalue()
