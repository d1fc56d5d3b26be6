"""Product catalogue and sales stages admin: validation with clear messages, refusals while in use."""
import datetime as dt
from decimal import Decimal

from core.models import AuditEntry, Opportunity, Product, ProductCategory, SalesStage


def product_data(**overrides):
    data = {"p-name": "Projector", "p-code": "PRJ-100", "p-category": "", "p-unit_price": "1999.50",
            "p-unit": "piece", "p-active": "y", "p-description": ""}
    data.update(overrides)
    return data


def test_products_are_created_edited_and_audited(clients):
    admin = clients["admin"]
    assert admin.post("/admin/structure/products/new", data=product_data()).status_code == 302
    product = Product.get(Product.code == "PRJ-100")
    assert product.unit_price == Decimal("1999.50") and product.active
    r = admin.post(f"/admin/structure/products/{product.id}/edit", data=product_data(**{"p-unit_price": "10"}))
    assert r.status_code == 302 and Product.get_by_id(product.id).unit_price == Decimal("10.00")
    assert AuditEntry.select().where(AuditEntry.record_type == "product").count() == 2
    assert "PRJ-100" in admin.get("/admin/structure/products?q=prj").get_data(as_text=True)


def test_a_duplicate_code_gets_a_clear_message(clients):
    admin = clients["admin"]
    admin.post("/admin/structure/products/new", data=product_data())
    r = admin.post("/admin/structure/products/new", data=product_data(**{"p-code": "prj-100", "p-name": "Other"}))
    assert r.status_code == 400 and "already used by another product" in r.get_data(as_text=True)
    assert Product.select().count() == 1


def test_a_negative_price_is_refused(clients):
    r = clients["admin"].post("/admin/structure/products/new", data=product_data(**{"p-unit_price": "-1"}))
    assert r.status_code == 400 and "cannot be negative" in r.get_data(as_text=True)
    assert Product.select().count() == 0


def test_only_the_administrator_changes_products_but_everyone_reads_them(clients):
    clients["admin"].post("/admin/structure/products/new", data=product_data())
    product = Product.get(Product.code == "PRJ-100")
    assert clients["peer"].get("/admin/structure/products/new").status_code == 403
    assert clients["peer"].post(f"/admin/structure/products/{product.id}/delete").status_code == 403
    assert "PRJ-100" in clients["outsider"].get("/records/product/").get_data(as_text=True)
    assert clients["outsider"].get(f"/records/product/{product.id}").status_code == 200


def test_category_delete_is_refused_while_it_has_products_or_children(clients):
    admin = clients["admin"]
    admin.post("/admin/structure/categories", data={"cat-name": "Hardware", "cat-parent": ""})
    hardware = ProductCategory.get(ProductCategory.name == "Hardware")
    admin.post("/admin/structure/categories", data={"cat-name": "Displays", "cat-parent": str(hardware.id)})
    displays = ProductCategory.get(ProductCategory.name == "Displays")
    r = admin.post(f"/admin/structure/categories/{hardware.id}/delete")
    assert r.status_code == 409 and "sub-categories" in r.get_data(as_text=True)
    admin.post("/admin/structure/products/new", data=product_data(**{"p-category": str(displays.id)}))
    r = admin.post(f"/admin/structure/categories/{displays.id}/delete")
    assert r.status_code == 409 and "1 products" in r.get_data(as_text=True)
    r = admin.post(f"/admin/structure/categories/{hardware.id}", data={"cat-name": "Hardware",
                                                                       "cat-parent": str(displays.id)})
    assert r.status_code == 400 and "cannot move under itself" in r.get_data(as_text=True)
    Product.delete().execute()
    assert admin.post(f"/admin/structure/categories/{displays.id}/delete").status_code == 302
    assert admin.post(f"/admin/structure/categories/{hardware.id}/delete").status_code == 302


def test_sales_stages_validate_and_a_stage_in_use_cannot_be_deleted(school, clients):
    admin = clients["admin"]
    r = admin.post("/admin/structure/stages", data={"stage-name": "Demo", "stage-probability": "150",
                                                    "stage-order": "3"})
    assert r.status_code == 400 and "0 to 100" in r.get_data(as_text=True)
    r = admin.post("/admin/structure/stages", data={"stage-name": "Demo", "stage-probability": "50",
                                                    "stage-order": "3"})
    assert r.status_code == 302
    demo = SalesStage.get(SalesStage.name == "Demo")
    r = admin.post("/admin/structure/stages", data={"stage-name": "demo", "stage-probability": "50",
                                                    "stage-order": "3"})
    assert r.status_code == 400 and "already a stage" in r.get_data(as_text=True)
    Opportunity.create(name="Big deal", owner=school["owner"].id, close_date=dt.date(2026, 6, 1), stage=demo)
    r = admin.post(f"/admin/structure/stages/{demo.id}/delete")
    assert r.status_code == 409 and "in use" in r.get_data(as_text=True)
    Opportunity.delete().execute()
    assert admin.post(f"/admin/structure/stages/{demo.id}/delete").status_code == 302
    assert clients["peer"].get("/admin/structure/stages").status_code == 403
