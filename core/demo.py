"""Demo data: the classroom template, a teacher, class leads and students, then every plugin's data."""
import random

from flask_babel import force_locale

from core import positions
from core.auth import ensure_admin
from core.db import db
from core.models import Organisation, Position, User
from core.plugins import call_impl

DEMO_ORG = dict(name="智欣商贸有限公司", address="上海市浦东新区世纪大道 100 号", phone="021-5888 0000",
                website="https://example.edu.cn", currency="CNY", fiscal_year_start=1, timezone="Asia/Shanghai",
                default_language="zh")


def load_demo(app, password, admin_password=None, seed=2026, classes=2, departments=2, progress=print):
    """Create the demo school once (a second run changes nothing and only lists the logins). Returns {"created":
    whether the demo users were made now (so ``password`` is theirs), "logins": [(username, position)] of
    every user but the administrator, "admin": {"username", "password"}}. The students' ``password`` is never
    the administrator's: an administrator that exists (``zhixin init`` made it) is left as it is (password
    None); else one is made as ``zhixin init`` does, with ``admin_password`` or a generated one, and changes
    its credentials at the first login."""
    rng = random.Random(seed)
    with app.app_context(), db.connection_context():
        admin, admin_password = ensure_admin(app, admin_password)
        made = {"username": admin.username, "password": admin_password}
        if User.select().where(User.username == "teacher").exists():
            progress("Demo data exists already.")
            return {"created": False, "logins": _logins(), "admin": made}
        with force_locale("zh"), db.atomic():
            Organisation.update(**DEMO_ORG).where(Organisation.id == 1).execute()
            layout = positions.classroom_template(classes=classes, departments=departments)
            method = "pbkdf2:sha256:1000" if app.config.get("TESTING") else None
            users = [_user("teacher", "王老师", layout["teacher"], password, method)]
            for i, cls in enumerate(layout["classes"], 1):
                users.append(_user(f"class{i}", f"{i}班班长", cls, password, method))
            names = ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷", "徐明", "孙丽"]
            n = 0
            for dept in layout["departments"]:
                users.append(_user(f"manager{len(users)}", f"经理{names[n % len(names)]}", dept, password, method))
                n += 1
            for sp in layout["salespeople"]:
                for _k in range(2):
                    n += 1
                    users.append(_user(f"student{n:02d}", names[n % len(names)], sp, password, method))
        progress(f"Created {len(users)} demo users in {len(layout['classes'])} classes.")
        load_for(app, users, rng, progress)
        return {"created": True, "logins": _logins(), "admin": made}


def load_for(app, users, rng, progress=None):
    """Every plugin's demo data for ``users`` (highest position first), dependencies first, in Chinese, one
    transaction per plugin (savepoints inside a caller's transaction, as in a class reset)."""
    plugins = app.extensions["zhixin_plugins"]
    for plugin, impl in plugins.implementations("zhixin_demo_data", registration_order=True):
        if progress:  # before the module's work: a slow or failing module is named while it runs
            progress(f"Demo data: {_module_name(plugin)} …")
        with force_locale("zh"), db.atomic():
            call_impl(impl, app=app, users=users, rng=rng)


def _module_name(plugin):
    """"core" for core's own implementations ("core:core.builtin"), else the plugin's name."""
    return "core" if plugin.startswith("core:") else plugin


def is_school_demo(users):
    """True for the whole school's demo (its first user holds a top position, the teacher's), False for one
    class's: only the former may write school-wide rows (the product catalogue, the assignment rule)."""
    first = users[0] if users else None
    return bool(first and first.position_id) and Position.select().where(
        (Position.id == first.position_id) & Position.parent.is_null()).exists()


def _user(username, full_name, position, password, method):
    user = User(username=username, full_name=full_name, position=position)
    user.set_password(password, method=method)
    user.save()
    return user


def _logins():
    """Every user but the administrator (printed apart, with its own password): each role, each with data."""
    return [(user.username, user.position.name if user.position else "")
            for user in User.select().where(~User.is_admin).order_by(User.id)]
