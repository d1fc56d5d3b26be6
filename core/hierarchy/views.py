"""Admin pages for positions (工作岗位) and the classroom template. The sharing modes, the catalogue and
sales stages, and the access explainer register their routes on the same blueprint from their modules."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from core import positions as tree
from core.admin import admin_link, admin_required
from core.babel import gettext as _, lazy_gettext as _l
from core.hierarchy import bp
from core.hierarchy.forms import (ChildrenForm, DeleteForm, MoveForm, PositionForm, RenameForm, SubtreeMoveForm,
                                  TemplateForm, choices)
from core.models import Position
from core.records.service import audit
from core.web import fail

admin_link("hierarchy.index", _l("Positions"),
           _l("The position tree: who sees whose records."), order=30)


def _position_or_404(position_id):
    position = Position.get_or_none(Position.id == position_id)
    if position is None:
        fail(404, _("This position does not exist (any more)."))
    return position


def _parent_choices(exclude=None, top_label=None):
    return choices([("", top_label or _("— top of the tree —"))] + [(p.id, label) for p, label in tree.flat(exclude)])


def _index_page(status=200, **forms):
    """The positions page; ``forms`` replaces the blank form of the same name (after a refused post)."""
    forms.setdefault("form", PositionForm(prefix="new"))
    forms.setdefault("children_form", ChildrenForm(prefix="kids"))
    forms.setdefault("subtree_form", SubtreeMoveForm(prefix="subtree"))
    forms.setdefault("template_form", TemplateForm(prefix="tpl"))
    for f in (forms["form"], forms["children_form"], forms["subtree_form"]):
        f.parent.choices = _parent_choices()
    forms["subtree_form"].position.choices = _parent_choices(top_label=_("— choose a position —"))
    return render_template("core/hierarchy/positions.html", tree=tree.tree(with_users=True),
                           count=Position.select().count(), **forms), status


@bp.route("/")
@admin_required
def index():
    return _index_page()


def _parent_of(form):
    """The position chosen in ``form.parent`` (None: the top), or False after adding the form's error."""
    if not form.parent.data:
        return None
    parent = Position.get_or_none(Position.id == form.parent.data)
    if parent is None:
        form.parent.errors.append(_("This position does not exist (any more)."))
        return False
    return parent


@bp.route("/positions/new", methods=["POST"])
@admin_required
def create_position():
    form = PositionForm(prefix="new")
    if form.validate_on_submit() and (parent := _parent_of(form)) is not False:
        try:
            position = tree.create(form.name.data, parent, form.description.data)
        except tree.PositionError as exc:
            form.name.errors.append(str(exc))
        else:
            audit("position", position.id, "create", current_user, {"name": [None, position.name]})
            flash(_("Position %(name)s created.", name=position.name), "success")
            return redirect(url_for("hierarchy.index"))
    return _index_page(400, form=form)


@bp.route("/positions/children", methods=["POST"])
@admin_required
def create_children():
    """Several children of one position at once: all or none."""
    form = ChildrenForm(prefix="kids")
    if form.validate_on_submit() and (parent := _parent_of(form)) is not False:
        try:
            made = tree.create_children(parent, form.names.data.splitlines())
        except tree.PositionError as exc:
            form.names.errors.append(str(exc))
        else:
            for position in made:
                audit("position", position.id, "create", current_user, {"name": [None, position.name]})
            flash(_("%(count)d positions created under %(parent)s.", count=len(made),
                    parent=parent.name if parent else _("the top of the tree")), "success")
            return redirect(url_for("hierarchy.index"))
    return _index_page(400, children_form=form)


@bp.route("/positions/move", methods=["POST"])
@admin_required
def move_subtree():
    form = SubtreeMoveForm(prefix="subtree")
    if form.validate_on_submit():
        position = Position.get_or_none(Position.id == form.position.data)
        if position is None:
            form.position.errors.append(_("This position does not exist (any more)."))
        elif _moved(position, form):
            return redirect(url_for("hierarchy.index"))
    return _index_page(400, subtree_form=form)


@bp.route("/template", methods=["POST"])
@admin_required
def classroom_template():
    form = TemplateForm(prefix="tpl")
    if form.validate_on_submit():
        try:
            layout = tree.classroom_template(form.classes.data, form.departments.data)
        except tree.PositionError as exc:
            form.classes.errors.append(str(exc))
        else:
            audit("position", layout["teacher"].id, "create", current_user,
                  {"template": [None, f"classroom {form.classes.data}x{form.departments.data}"]})
            flash(_("Class template created: %(classes)d classes with %(departments)d departments each.",
                    classes=form.classes.data, departments=form.departments.data), "success")
            return redirect(url_for("hierarchy.index"))
    return _index_page(400, template_form=form)


def _edit_page(position, rename_form=None, move_form=None, delete_form=None, status=200):
    rename_form = rename_form or RenameForm(prefix="rename", obj=position)
    move_form = move_form or MoveForm(prefix="move", parent=str(position.parent_id or ""))
    move_form.parent.choices = _parent_choices(exclude=position)
    delete_form = delete_form or DeleteForm(prefix="delete")
    delete_form.reassign_to.choices = choices([("", _("— choose a position —"))] + [
        (p.id, label) for p, label in tree.flat() if p.id != position.id])
    return render_template(
        "core/hierarchy/position.html", position=position, ancestors=position.ancestors(),
        holders=list(tree.holders(position)), children=list(position.children.order_by(Position.name)),
        below_count=tree.subtree(position, include_self=False).count(),
        rename_form=rename_form, move_form=move_form, delete_form=delete_form), status


@bp.route("/positions/<int:position_id>")
@admin_required
def position(position_id):
    return _edit_page(_position_or_404(position_id))


@bp.route("/positions/<int:position_id>/rename", methods=["POST"])
@admin_required
def rename_position(position_id):
    position = _position_or_404(position_id)
    form = RenameForm(prefix="rename")
    if form.validate_on_submit():
        old = position.name
        try:
            tree.rename(position, form.name.data, form.description.data or "")
        except tree.PositionError as exc:
            form.name.errors.append(str(exc))
        else:
            audit("position", position.id, "update", current_user, {"name": [old, position.name]})
            flash(_("Position renamed to %(name)s.", name=position.name), "success")
            return redirect(url_for("hierarchy.position", position_id=position.id))
    return _edit_page(position, rename_form=form, status=400)


def _moved(position, form):
    """Move ``position`` under ``form.parent`` (refused under itself); True when done, else the form's error."""
    parent = _parent_of(form)
    if parent is False:
        return False
    old_parent = position.parent_id
    try:
        moved = tree.move(position, parent)
    except tree.PositionError as exc:
        form.parent.errors.append(str(exc))
        return False
    audit("position", position.id, "move", current_user, {"parent": [old_parent, parent.id if parent else None]})
    flash(_("%(name)s and everything below it moved under %(parent)s.", name=moved.name,
            parent=parent.name if parent else _("the top of the tree")), "success")
    return True


@bp.route("/positions/<int:position_id>/move", methods=["POST"])
@admin_required
def move_position(position_id):
    position = _position_or_404(position_id)
    form = MoveForm(prefix="move")
    form.parent.choices = _parent_choices(exclude=position)
    if form.validate_on_submit() and _moved(position, form):
        return redirect(url_for("hierarchy.position", position_id=position.id))
    return _edit_page(position, move_form=form, status=400)


@bp.route("/positions/<int:position_id>/delete", methods=["POST"])
@admin_required
def delete_position(position_id):
    position = _position_or_404(position_id)
    form = DeleteForm(prefix="delete")
    form.reassign_to.choices = []
    if form.validate_on_submit():
        target = Position.get_or_none(Position.id == form.reassign_to.data) if form.reassign_to.data else None
        try:
            moved = tree.delete(position, target)
        except tree.PositionError as exc:
            form.reassign_to.errors.append(str(exc))
        else:
            audit("position", position.id, "delete", current_user,
                  {"name": [position.name, None], "users_moved_to": [None, target.id if target else None]})
            if moved:
                flash(_("Position %(name)s deleted; its %(count)d users now hold %(target)s.",
                        name=position.name, count=moved, target=target.name), "success")
            else:
                flash(_("Position %(name)s deleted.", name=position.name), "success")
            return redirect(url_for("hierarchy.index"))
    return _edit_page(position, delete_form=form, status=409)

