"""Hook implementations of Lab exercises: five exercises across modules, checked automatically."""
from core import hookimpl
from core.exercises import Exercise

from zhixin_lab_exercises import checks, quote_to_cash


@hookimpl
def zhixin_exercises():
    return [
        Exercise("lab.qualify_lead",
                 {"en": "Create and qualify a lead", "zh": "新建并确认一条线索"},
                 {"en": "Call the lead Acme you were given (or a lead of your own) and set its status to Qualified.",
                  "zh": "联系分给你的线索 Acme（或你自己的线索），并把它的状态设为“合格”。"},
                 [checks.lead_qualified], points=10, order=10, setup=checks.seed_acme),
        Exercise("lab.close_above_quota",
                 {"en": "Convert the lead and win above the quota", "zh": "转化线索并超额赢单"},
                 {"en": f"Convert your qualified lead with an opportunity, add product lines and close it won with "
                        f"an amount of at least {checks.QUOTA:,.0f}.",
                  "zh": f"把合格的线索连同销售机会一起转化，添加产品明细，并以不低于 {checks.QUOTA:,.0f} 的金额赢单。"},
                 [checks.converted_and_won_above_quota], points=20, order=20, setup=checks.seed_acme),
        Exercise("lab.campaign_on_time",
                 {"en": "Run a campaign on time", "zh": "按时开展市场活动"},
                 {"en": "Create a campaign with at least two tasks and complete every task before it is due.",
                  "zh": "新建一个至少包含两个任务的市场活动，并在每个任务截止前完成它。"},
                 [checks.campaign_tasks_on_time], modules=("campaigns",), points=20, order=30),
        Exercise("lab.complaint_in_target",
                 {"en": "Resolve a complaint within its target", "zh": "在时限内解决客户投诉"},
                 {"en": "Resolve a complaint assigned to you before its resolution target passes.",
                  "zh": "在解决时限到达之前，解决一条分配给你的客户投诉。"},
                 [checks.complaint_resolved_in_target], modules=("service",), points=20, order=40),
        Exercise("lab.quote_to_invoice",
                 {"en": "Quote, order and invoice three printers at 5 % off",
                  "zh": "报价、下单、开票：3 台打印机优惠 5%"},
                 {"en": f"Quote your customer {quote_to_cash.CUSTOMER} (given to you, with its contact 林晓星) three "
                        f"“{quote_to_cash.PRINTER['name']}” at the catalogue price with a 5 % discount on the line "
                        "(Discount (%); the same amount in Discount amount counts too). Mark the quote as sent, then "
                        "as accepted, create the sales order from it, create the invoice from the order and issue it.",
                  "zh": f"给分配给你的客户“{quote_to_cash.CUSTOMER}”（联系人林晓星）报价 3 台"
                        f"“{quote_to_cash.PRINTER['name']}”，按目录价格，并在该明细行上给予 5% 的折扣（填在“折扣（%）”中；"
                        "在“折扣金额”中填写等额金额也算）。把报价单标记为已发送、再标记为已接受，由它创建销售订单，"
                        "再由订单开具发票，并开具此发票。"},
                 [quote_to_cash.quote_three_printers, quote_to_cash.order_from_the_quote,
                  quote_to_cash.invoice_issued],
                 modules=("sales",), points=30, order=50, setup=quote_to_cash.seed_customer_and_printer),
    ]
