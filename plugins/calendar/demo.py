"""Demo data: meetings, calls and tasks over the current and the next month for every demo user."""
import datetime as _dt

from core import clock
from core.fiscal import add_months
from core.models import Contact
from core.records import service as records
from plugins.calendar.models import CalendarEvent, CalendarInvitee, CalendarTask
from plugins.calendar.service import EVENT, TASK, new_uid

SUBJECTS = ["拜访客户", "电话回访", "产品演示", "合同谈判", "部门例会", "方案评审", "培训：销售技巧", "客户答疑"]
PLACES = ["会议室 A", "会议室 B", "客户现场", "线上会议", ""]
TASKS = ["整理客户资料", "准备报价单", "发送会议纪要", "跟进销售机会", "更新联系人信息", "提交周报"]


def create_demo(users, rng):
    today = clock.today()
    first = today.replace(day=1)
    last = add_months(first, 2) - _dt.timedelta(days=1)
    days = (last - first).days + 1
    contacts = [c.id for c in Contact.select(Contact.id).where(Contact.owner.in_([u.id for u in users]))
                .order_by(Contact.id).limit(50)]  # invite only these users' contacts, never another class's
    for user in users:
        # a weekly team meeting, as a series
        start = _dt.datetime.combine(first + _dt.timedelta(days=(0 - first.weekday()) % 7), _dt.time(9, 30))
        weekly = CalendarEvent(owner=user.id, subject="部门例会", start=clock.to_utc(start),
                               end=clock.to_utc(start + _dt.timedelta(hours=1)), location="会议室 A",
                               rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=9", reminder_minutes=15, uid=new_uid())
        records.save(EVENT, weekly, user)
        for _n in range(rng.randint(4, 8)):
            day = first + _dt.timedelta(days=rng.randrange(days))
            at = _dt.datetime.combine(day, _dt.time(rng.choice([9, 10, 11, 14, 15, 16]), rng.choice([0, 30])))
            event = CalendarEvent(owner=user.id, subject=rng.choice(SUBJECTS), start=clock.to_utc(at),
                                  end=clock.to_utc(at + _dt.timedelta(minutes=rng.choice([30, 60, 90]))),
                                  location=rng.choice(PLACES), private=rng.random() < 0.15,
                                  reminder_minutes=rng.choice([None, 15, 30]), uid=new_uid())
            records.save(EVENT, event, user)
            if contacts and rng.random() < 0.4:
                CalendarInvitee.create(event=event.id, contact=rng.choice(contacts),
                                       answer=rng.choice(["needs_action", "accepted", "tentative"]))
        for _n in range(rng.randint(3, 6)):
            due = first + _dt.timedelta(days=rng.randrange(days))
            done = due < today and rng.random() < 0.6
            task = CalendarTask(owner=user.id, subject=rng.choice(TASKS), due_date=due,
                                priority=rng.choice(["high", "normal", "normal", "low"]),
                                status="completed" if done else rng.choice(["not_started", "in_progress"]),
                                completed_at=clock.utcnow() if done else None, uid=new_uid())
            records.save(TASK, task, user)
