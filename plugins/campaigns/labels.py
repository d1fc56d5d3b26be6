"""Display labels of the plugin's choice values (lazy, so they follow the viewer's language)."""
from core.babel import lazy_gettext as _l, lazy_pgettext

CAMPAIGN_TYPES = {
    "email": _l("E-mail"), "telemarketing": _l("Telemarketing"), "trade_show": _l("Trade show"),
    "webinar": _l("Webinar"), "advertisement": _l("Advertisement"), "direct_mail": _l("Direct mail"),
    "other": _l("Other"),
}
CAMPAIGN_STATUSES = {"planned": _l("Planned"), "active": lazy_pgettext("campaign status", "Active"), "completed": _l("Completed"),
                     "cancelled": _l("Cancelled")}
RESPONSE_STATUSES = {"planned": _l("Planned"), "sent": _l("Sent"), "responded": _l("Responded"),
                     "converted": _l("Converted")}
TASK_STATUSES = {"open": _l("Not started"), "in_progress": _l("In progress"), "done": _l("Done"),
                 "cancelled": _l("Cancelled")}
TASK_PRIORITIES = {"high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}
MEMBER_TYPES = {"lead": _l("Lead"), "contact": _l("Contact"), "account": _l("Account")}


def task_views():
    """The four task views' names. Specific msgids on purpose: Flask-Babel merges every plugin's catalog and
    the last one wins, so a bare "History" or "Open" elsewhere would rename 历史任务 or the task status."""
    return {"mine": _l("My tasks"), "open": _l("Open tasks"), "history": _l("Task history"), "all": _l("All tasks")}


# The lead fields a web form may ask for (models.WEB_FORM_FIELDS), as the visitor and the setup page read them.
WEB_FORM_FIELDS = {"first_name": _l("First name"), "last_name": _l("Last name"), "company": _l("Company"),
                   "title": _l("Job title"), "email": _l("E-mail"), "phone": _l("Phone"),
                   "industry": _l("Industry"), "description": _l("Message")}
ASSIGN_RULES = {"user": _l("Always the same user"), "position": _l("In turn among the users of a position")}
