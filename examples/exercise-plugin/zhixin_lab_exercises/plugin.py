"""Hook implementations of Lab exercises: four exercises across modules, checked automatically."""
from core import hookimpl
from core.exercises import Exercise

from zhixin_lab_exercises import checks


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
    ]
