"""Writes of the campaigns plugin: members, conversion of responded members to leads, task completion and
the source-campaign links. Each runs in one transaction; records go through core's record service."""

from peewee import fn

from core import access, clock, csvsafe
from core.babel import gettext as _
from core.db import db
from core.models import Account, Contact, Lead
from core.records import RecordError, service
from plugins.campaigns.models import CampaignMember, CampaignSource, CampaignTask, CampaignWebForm

MEMBER_MODELS = {"lead": Lead, "contact": Contact, "account": Account}


class CampaignError(Exception):
    """A refused action, with a message for the user."""


def add_members(campaign, member_type, ids, user):
    """Add the records of ``ids`` the user may read; returns (added, skipped). Already-present ones are skipped."""
    model = MEMBER_MODELS[member_type]
    wanted = {int(i) for i in ids}
    readable = [r.id for r in access.visible(model.select(model.id), user, member_type).where(model.id.in_(wanted))]
    added = 0
    with db.atomic():
        for record_id in readable:
            added += (CampaignMember.insert(campaign=campaign.id, member_type=member_type, member_id=record_id,
                                            status="planned", added_by=user.id, added_at=clock.utcnow())
                      .on_conflict_ignore().as_rowcount().execute())
    return added, len(wanted) - added


MAX_CSV_BYTES = 2 * 1024 * 1024   # a list of addresses: 2 MB is some 50,000 of them
MAX_CSV_ADDRESSES = 20_000
EMAIL_HEADERS = ("email", "e-mail", "e_mail", "mail", "邮箱", "电子邮件", "电子邮箱")


def addresses_in_csv(text):
    """The distinct e-mail addresses (lower case) of a CSV file: its column headed e-mail (邮箱 …), else every
    cell that looks like an address. RecordError for a file that is too big or names none."""
    if len(text.encode("utf-8")) > MAX_CSV_BYTES:
        raise RecordError(_("The file is larger than %(mb)d MB.", mb=MAX_CSV_BYTES // (1024 * 1024)))
    rows = list(csvsafe.read(text))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    column = next((i for i, name in enumerate(header) if name in EMAIL_HEADERS), None)
    cells = [row[column] for row in rows[1:] if column < len(row)] if column is not None else \
        [cell for row in rows for cell in row]
    found = {c.strip().lower() for c in cells if "@" in c and " " not in c.strip() and len(c.strip()) <= 254}
    if not found:
        raise RecordError(_("The file names no e-mail address (a column headed “E-mail”, or addresses in any cell)."))
    if len(found) > MAX_CSV_ADDRESSES:
        raise RecordError(_("The file names more than %(n)d addresses.", n=MAX_CSV_ADDRESSES))
    return sorted(found)


def add_by_addresses(campaign, member_type, addresses, user):
    """Add the readable records of ``member_type`` whose e-mail (case aside) is one of ``addresses``; returns
    (added, already members, addresses that matched no readable record)."""
    model = MEMBER_MODELS[member_type]
    ids, matched = [], set()
    for start in range(0, len(addresses), 500):  # bounded IN lists
        chunk = addresses[start:start + 500]
        for r in access.visible(model.select(model.id, model.email), user, member_type).where(
                fn.LOWER(model.email).in_(chunk)):
            ids.append(r.id)
            matched.add(r.email.strip().lower())
    added, present = add_members(campaign, member_type, ids, user) if ids else (0, 0)
    return added, present, len(set(addresses) - matched)


def set_member_status(member, status):
    CampaignMember.update(status=status).where(CampaignMember.id == member.id).execute()


def member_records(members):
    """{(type, id): record} for the given member rows (one query per type), unfiltered — callers filter."""
    out = {}
    for member_type, model in MEMBER_MODELS.items():
        ids = [m.member_id for m in members if m.member_type == member_type]
        if ids:
            out.update({(member_type, r.id): r for r in model.select().where(model.id.in_(ids))})
    return out


def readable_member_keys(members, user):
    """The (type, id) keys of members whose record the user may read (SQL, one query per type)."""
    keys = set()
    for member_type, model in MEMBER_MODELS.items():
        ids = [m.member_id for m in members if m.member_type == member_type]
        if ids:
            query = access.visible(model.select(model.id).where(model.id.in_(ids)), user, member_type)
            keys.update((member_type, r.id) for r in query)
    return keys


def set_source(record_type, record_id, campaign_id):
    """Link a lead/opportunity to its source campaign (None removes the link)."""
    CampaignSource.delete().where((CampaignSource.record_type == record_type)
                                  & (CampaignSource.record_id == record_id)).execute()
    if campaign_id:
        CampaignSource.insert(record_type=record_type, record_id=record_id, campaign=campaign_id).execute()


def source_of(record_type, record_id):
    row = CampaignSource.get_or_none((CampaignSource.record_type == record_type)
                                     & (CampaignSource.record_id == record_id))
    return row.campaign if row else None


def convert_member(campaign, member, user):
    """Turn a responded member into a lead (线索) whose source campaign is this one; returns the lead.

    A contact or account becomes a new lead owned by ``user``; a lead member is linked to the campaign."""
    if member.status != "responded":
        raise CampaignError(_("Only members who responded can be converted."))
    model = MEMBER_MODELS[member.member_type]
    record = access.visible(model.select(), user, member.member_type).where(model.id == member.member_id).first()
    if record is None:
        raise CampaignError(_("You cannot see this member's record."))
    with db.atomic():
        if member.member_type == "lead":
            lead = record
        else:
            lead = _lead_from(member.member_type, record)
            service.save("lead", lead, user)
        if source_of("lead", lead.id) is None:
            set_source("lead", lead.id, campaign.id)
        claimed = CampaignMember.update(status="converted", lead_id=lead.id).where(
            (CampaignMember.id == member.id) & (CampaignMember.status == "responded")).execute()
        if claimed != 1:  # someone converted it meanwhile: keep one lead only
            raise CampaignError(_("This member was converted already."))
    return lead


def _lead_from(member_type, record):
    if member_type == "contact":
        account = record.account
        return Lead(first_name=record.first_name, last_name=record.last_name, email=record.email,
                    phone=record.phone or record.mobile, title=record.title,
                    company=account.name if account else "", source="campaign", status="new")
    return Lead(last_name=record.name, company=record.name, email=record.email, phone=record.phone,
                industry=record.industry, source="campaign", status="new")


def complete_task(task, user, note):
    before = service.field_values(task)
    task.status = "done"
    task.completion_note = note or ""
    task.completed_at = clock.utcnow()
    service.save("campaign_task", task, user, before=before)


def delete_campaign_rows(campaign):
    """What belongs to a campaign goes with it (explicit, so every backend behaves the same)."""
    CampaignTask.delete().where(CampaignTask.campaign == campaign.id).execute()
    CampaignMember.delete().where(CampaignMember.campaign == campaign.id).execute()
    CampaignSource.delete().where(CampaignSource.campaign == campaign.id).execute()
    CampaignWebForm.delete().where(CampaignWebForm.campaign == campaign.id).execute()
