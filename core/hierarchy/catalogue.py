"""The product catalogue (产品目录: categories and products) and the sales stages (销售阶段), kept by the
administrator. Everyone reads products through the generic record pages; only these pages change them."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import JOIN, IntegrityError, fn

from core.admin import admin_link, admin_required
from core.babel import gettext as _, lazy_gettext as _l
from core.db import db
from core.hierarchy import bp
from core.hierarchy.forms import CategoryForm, ProductForm, StageForm, choices
from core.models import Opportunity, OpportunityLine, OpportunityStageHistory, Product, ProductCategory, SalesStage
from core.records import service
from core.web import fail, paginate

admin_link("hierarchy.products", _l("Products"), _l("The product catalogue: codes, prices, units."),
           order=50)
admin_link("hierarchy.categories", _l("Product categories"), _l("The tree of product categories."),
           order=60)
admin_link("hierarchy.stages", _l("Sales stages"), _l("Stages of an opportunity with their default probability."),
           order=70)


# --- categories -----------------------------------------------------------------------------------------

def category_tree():
    """[(category, depth)] in tree order (a small table: read once, nested in Python)."""
    rows = list(ProductCategory.select().order_by(ProductCategory.name))
    children = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)
    out = []

    def walk(parent_id, depth, seen):
        for c in children.get(parent_id, []):
            if c.id in seen:  # never loop on bad data
                continue
            out.append((c, depth))
            walk(c.id, depth + 1, seen | {c.id})
    walk(None, 0, frozenset())
    return out


def _category_descendants(category):
    ids, frontier = {category.id}, [category.id]
    while frontier:
        frontier = [c.id for c in ProductCategory.select(ProductCategory.id)
                    .where(ProductCategory.parent.in_(frontier)) if c.id not in ids]
        ids.update(frontier)
    return ids


def _category_choices(exclude=None):
    skip = _category_descendants(exclude) if exclude is not None else set()
    return choices([("", _("— none —"))] + [(c.id, "\u3000" * depth + c.name)
                                            for c, depth in category_tree() if c.id not in skip])


def _category_page(form, editing=None, status=200):
    counts = dict(Product.select(Product.category, fn.COUNT(Product.id)).group_by(Product.category).tuples())
    return render_template("core/hierarchy/categories.html", form=form, editing=editing, tree=category_tree(),
                           counts=counts), status


@bp.route("/categories", methods=["GET", "POST"])
@admin_required
def categories():
    form = CategoryForm(prefix="cat")
    form.parent.choices = _category_choices()
    if form.validate_on_submit():
        parent = ProductCategory.get_or_none(ProductCategory.id == form.parent.data) if form.parent.data else None
        if form.parent.data and parent is None:
            form.parent.errors.append(_("This category does not exist (any more)."))
        else:
            category = ProductCategory.create(name=form.name.data.strip(), parent=parent,
                                              description=form.description.data or "")
            service.audit("product_category", category.id, "create", current_user, {"name": [None, category.name]})
            flash(_("Category %(name)s created.", name=category.name), "success")
            return redirect(url_for("hierarchy.categories"))
    return _category_page(form, status=400 if form.errors else 200)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@admin_required
def edit_category(category_id):
    category = ProductCategory.get_or_none(ProductCategory.id == category_id) or fail(
        404, _("This category does not exist (any more)."))
    form = CategoryForm(prefix="cat", obj=category, data=None if request.method == "POST"
                        else {"parent": str(category.parent_id or "")})
    form.parent.choices = _category_choices(exclude=category)
    if form.validate_on_submit():
        parent_id = form.parent.data
        if parent_id is not None and parent_id in _category_descendants(category):
            form.parent.errors.append(_("A category cannot move under itself or one of its own sub-categories."))
        elif parent_id is not None and not ProductCategory.select().where(ProductCategory.id == parent_id).exists():
            form.parent.errors.append(_("This category does not exist (any more)."))
        else:
            before = {"name": category.name, "parent": category.parent_id}
            category.name, category.parent = form.name.data.strip(), parent_id
            category.description = form.description.data or ""
            category.save()
            service.audit("product_category", category.id, "update", current_user,
                          service.diff(before, {"name": category.name, "parent": parent_id}))
            flash(_("Category %(name)s saved.", name=category.name), "success")
            return redirect(url_for("hierarchy.categories"))
    return _category_page(form, editing=category, status=400 if form.errors else 200)


@bp.route("/categories/<int:category_id>/delete", methods=["POST"])
@admin_required
def delete_category(category_id):
    category = ProductCategory.get_or_none(ProductCategory.id == category_id) or fail(
        404, _("This category does not exist (any more)."))
    products = Product.select().where(Product.category == category.id).count()
    if products:
        fail(409, _("%(name)s still holds %(count)d products: move them to another category first.",
                    name=category.name, count=products))
    if ProductCategory.select().where(ProductCategory.parent == category.id).exists():
        fail(409, _("Move or delete the sub-categories of %(name)s first.", name=category.name))
    with db.atomic():
        service.audit("product_category", category.id, "delete", current_user, {"name": [category.name, None]})
        category.delete_instance()
    flash(_("Category %(name)s deleted.", name=category.name), "success")
    return redirect(url_for("hierarchy.categories"))


# --- products -------------------------------------------------------------------------------------------

@bp.route("/products")
@admin_required
def products():
    q = (request.args.get("q") or "").strip()
    query = Product.select(Product, ProductCategory).join(ProductCategory, join_type=JOIN.LEFT_OUTER,
                                                          on=(Product.category == ProductCategory.id))
    if q:
        query = query.where(Product.code.contains(q) | Product.name.contains(q))
    page = paginate(query.order_by(Product.code))
    return render_template("core/hierarchy/products.html", page=page, q=q)


def _product_form(product=None):
    form = ProductForm(prefix="p", obj=product if request.method == "GET" else None,
                       data=({"category": str(product.category_id or "")}
                             if product is not None and request.method == "GET" else None))
    form.category.choices = _category_choices()
    return form


def _store_product(form, product):
    """Validate what the form cannot (unique code, existing category) and save through the record service."""
    code = form.code.data.strip()
    clash = Product.select().where(fn.LOWER(Product.code) == code.lower())
    if product.id is not None:
        clash = clash.where(Product.id != product.id)
    if clash.exists():
        form.code.errors.append(_("The code %(code)s is already used by another product.", code=code))
        return False
    if form.category.data and not ProductCategory.select().where(ProductCategory.id == form.category.data).exists():
        form.category.errors.append(_("This category does not exist (any more)."))
        return False
    before = service.field_values(product) if product.id is not None else {}
    product.name, product.code, product.category = form.name.data.strip(), code, form.category.data
    product.unit_price, product.unit = form.unit_price.data, (form.unit.data or "").strip()
    product.active, product.description = bool(form.active.data), form.description.data or ""
    try:
        service.save("product", product, current_user._get_current_object(), before)
    except IntegrityError:
        form.code.errors.append(_("The code %(code)s is already used by another product.", code=code))
        return False
    return True


@bp.route("/products/new", methods=["GET", "POST"])
@admin_required
def new_product():
    form = _product_form()
    if form.validate_on_submit() and _store_product(form, Product()):
        flash(_("Product %(code)s created.", code=form.code.data.strip()), "success")
        return redirect(url_for("hierarchy.products"))
    return render_template("core/hierarchy/product_form.html", form=form, product=None), \
        400 if form.errors else 200


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_product(product_id):
    product = Product.get_or_none(Product.id == product_id) or fail(404, _("This product does not exist (any more)."))
    form = _product_form(product)
    if form.validate_on_submit() and _store_product(form, product):
        flash(_("Product %(code)s saved.", code=product.code), "success")
        return redirect(url_for("hierarchy.products"))
    return render_template("core/hierarchy/product_form.html", form=form, product=product), \
        400 if form.errors else 200


@bp.route("/products/<int:product_id>/delete", methods=["POST"])
@admin_required
def delete_product(product_id):
    product = Product.get_or_none(Product.id == product_id) or fail(404, _("This product does not exist (any more)."))
    lines = OpportunityLine.select().where(OpportunityLine.product == product.id).count()
    if lines:
        fail(409, _("%(code)s is on %(count)d opportunity lines and cannot be deleted; mark it inactive instead.",
                    code=product.code, count=lines))
    service.delete("product", product, current_user._get_current_object())
    flash(_("Product %(code)s deleted.", code=product.code), "success")
    return redirect(url_for("hierarchy.products"))


# --- sales stages ---------------------------------------------------------------------------------------

def _stage_uses(stage):
    return (Opportunity.select().where(Opportunity.stage == stage.id).count()
            + OpportunityStageHistory.select().where(OpportunityStageHistory.stage == stage.id).count())


def _stage_page(form, editing=None, status=200):
    stages = list(SalesStage.select().order_by(SalesStage.order, SalesStage.id))
    uses = dict(Opportunity.select(Opportunity.stage, fn.COUNT(Opportunity.id)).group_by(Opportunity.stage).tuples())
    return render_template("core/hierarchy/stages.html", form=form, editing=editing, stages=stages,
                           uses=uses), status


def _store_stage(form, stage):
    name = form.name.data.strip()
    clash = SalesStage.select().where(fn.LOWER(SalesStage.name) == name.lower())
    if stage.id is not None:
        clash = clash.where(SalesStage.id != stage.id)
    if clash.exists():
        form.name.errors.append(_("There is already a stage named %(name)s.", name=name))
        return False
    before = {k: getattr(stage, k) for k in ("name", "probability", "order", "is_won", "is_lost")}
    created = stage.id is None
    stage.name, stage.probability, stage.order = name, form.probability.data, form.order.data
    stage.is_won, stage.is_lost = bool(form.is_won.data), bool(form.is_lost.data)
    with db.atomic():
        stage.save()
        after = {k: getattr(stage, k) for k in before}
        service.audit("sales_stage", stage.id, "create" if created else "update", current_user,
                      service.diff({} if created else before, after))
    return True


@bp.route("/stages", methods=["GET", "POST"])
@admin_required
def stages():
    form = StageForm(prefix="stage")
    if form.validate_on_submit() and _store_stage(form, SalesStage()):
        flash(_("Sales stage %(name)s created.", name=form.name.data.strip()), "success")
        return redirect(url_for("hierarchy.stages"))
    return _stage_page(form, status=400 if form.errors else 200)


@bp.route("/stages/<int:stage_id>", methods=["GET", "POST"])
@admin_required
def edit_stage(stage_id):
    stage = SalesStage.get_or_none(SalesStage.id == stage_id) or fail(404, _("This stage does not exist (any more)."))
    form = StageForm(prefix="stage", obj=stage if request.method == "GET" else None)
    if form.validate_on_submit() and _store_stage(form, stage):
        flash(_("Sales stage %(name)s saved.", name=stage.name), "success")
        return redirect(url_for("hierarchy.stages"))
    return _stage_page(form, editing=stage, status=400 if form.errors else 200)


@bp.route("/stages/<int:stage_id>/delete", methods=["POST"])
@admin_required
def delete_stage(stage_id):
    stage = SalesStage.get_or_none(SalesStage.id == stage_id) or fail(404, _("This stage does not exist (any more)."))
    uses = _stage_uses(stage)
    if uses:
        fail(409, _("The stage %(name)s is in use by opportunities (or their stage history) and cannot be deleted.",
                    name=stage.name))
    with db.atomic():
        service.audit("sales_stage", stage.id, "delete", current_user, {"name": [stage.name, None]})
        stage.delete_instance()
    flash(_("Sales stage %(name)s deleted.", name=stage.name), "success")
    return redirect(url_for("hierarchy.stages"))
