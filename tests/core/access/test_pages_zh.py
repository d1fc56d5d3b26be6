"""Every structure page renders for the administrator in Chinese (the language Chinese schools use first)."""
from core.models import Product, ProductCategory, SalesStage, User
from tests.core.access.helpers import make_record


def test_every_structure_page_renders_in_chinese(school, clients):
    User.update(language="zh").where(User.id == school["admin"].id).execute()
    category = ProductCategory.create(name="硬件")
    product = Product.create(name="投影仪", code="PRJ-1", category=category, unit_price=100)
    stage = SalesStage.select().first()
    record = make_record("opportunity", school["owner"], "x")
    position_id = school["owner"].position_id
    pages = {
        "/admin/structure/": "工作岗位",
        f"/admin/structure/positions/{position_id}": "重命名",
        "/admin/structure/sharing": "共享模式",
        "/admin/structure/products": "投影仪",
        f"/admin/structure/products/{product.id}/edit": "单价",
        "/admin/structure/products/new": "新建产品",
        "/admin/structure/categories": "硬件",
        f"/admin/structure/categories/{category.id}": "上级类别",
        "/admin/structure/stages": "销售阶段",
        f"/admin/structure/stages/{stage.id}": "可能性",
        f"/admin/structure/explain/opportunity/{record.id}?user={school['peer'].id}": "结论",
    }
    for url, text in pages.items():
        response = clients["admin"].get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url
