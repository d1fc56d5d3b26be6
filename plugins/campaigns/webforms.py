"""Web-to-lead (网页表单): each campaign's public form, who may set it up, whom its leads go to, and the
submission that makes one. Views parse and render; this module decides and writes.

- Set-up: whoever may give the campaign to someone else (core's reassign rule: its owner, a superior of the
  owner, the administrator) — the form hands out leads in the campaign's name. A peer with read/write sharing
  may change the campaign but not its form.
- Assignment rule, one of two: "user" (always the chosen user) or "position" (in turn among the active users
  holding the chosen position or one below it, a counter bumped in SQL so parallel posts rotate). The chosen
  user or position must be one the person setting up may hand records to (themselves and below; the
  administrator anyone). When the rule finds nobody (the user left, the position is empty) the lead goes to the
  campaign's owner.
- Open: the form is enabled, the campaign is active, and the campaigns plugin is on for the campaign's owner
  (modules per class). Otherwise its page is a 404.
- A submission writes in one transaction: the lead (through core's record service, as the public visitor:
  audit, events, search index), its source campaign (CampaignSource: "leads generated") and a campaign member
  row in status "responded" (the response counts and the list of leads to chase).
"""
import secrets

from flask import current_app

from core import access, publicforms
from core import positions as position_tree
from core.db import db
from core.models import Lead, Position, User
from core.records import service
from core.records.lookups import assignable_users
from plugins.campaigns import services
from plugins.campaigns.models import CampaignMember, CampaignWebForm

FORM_KEY = "campaigns:{}"   # a web form's challenges and posts in core.publicforms


def form_key(webform):
    return FORM_KEY.format(webform.campaign_id)


def may_set_up(user, campaign):
    return access.may_reassign(user, campaign, "campaign")


def web_form_of(campaign, create=False):
    """The campaign's web form (a new, disabled one with a fresh token when ``create``), or None."""
    row = CampaignWebForm.get_or_none(CampaignWebForm.campaign == campaign.id)
    if row is None and create:
        CampaignWebForm.insert(campaign=campaign.id, token=secrets.token_urlsafe(24)).on_conflict_ignore().execute()
        row = CampaignWebForm.get(CampaignWebForm.campaign == campaign.id)
    return row


def open_form(token):
    """The web form at ``/w/<token>`` if it takes submissions now, else None."""
    row = CampaignWebForm.get_or_none(CampaignWebForm.token == (token or "")[:64])
    if row is None or not row.enabled:
        return None
    campaign = row.campaign
    if campaign.status != "active":
        return None
    owner = User.get_or_none(User.id == campaign.owner_id)
    if owner is None or not current_app.extensions["zhixin_plugins"].is_on("campaigns", owner):
        return None
    return row


def assignable_positions(user):
    """The positions whose users ``user`` may hand records to: their own and those below (the admin: all)."""
    if user.is_admin:
        return Position.select().order_by(Position.path)
    if user.position_id is None:
        return Position.select().where(Position.id.is_null())
    return position_tree.subtree(user.position).order_by(Position.path)


def rule_refusal(user, webform, rule, assign_user_id, assign_position_id):
    """Why ``user`` may not set this assignment rule, or None. Keeping what is stored is always allowed."""
    if rule == "user":
        if assign_user_id is None:
            return "user"
        if assign_user_id != webform.assign_user_id and not assignable_users(user).where(
                User.id == assign_user_id).exists():
            return "user"
    else:
        if assign_position_id is None:
            return "position"
        if assign_position_id != webform.assign_position_id and not assignable_positions(user).where(
                Position.id == assign_position_id).exists():
            return "position"
    return None


def save_settings(webform, user, values):
    """Store the set-up ``values`` (field name → value) as ``user``, audited on the campaign."""
    before = {name: webform.__data__.get(name) for name in values}
    with db.atomic():
        CampaignWebForm.update(**values).where(CampaignWebForm.id == webform.id).execute()
        changes = {name: [str(before[name]), str(value)] for name, value in values.items() if before[name] != value}
        if changes:
            service.audit("campaign", webform.campaign_id, "update", user, {"web form": changes})


def pick_owner(webform):
    """The owner of the next lead by the form's rule (see the module's docstring)."""
    with db.atomic():
        # the UPDATE first: it takes the row's write lock before anything reads it, so parallel posts queue
        CampaignWebForm.update(round_robin_counter=CampaignWebForm.round_robin_counter + 1).where(
            CampaignWebForm.id == webform.id).execute()
        row = CampaignWebForm.get_by_id(webform.id)
        if row.assign_rule == "position" and row.assign_position_id:
            position = Position.get_or_none(Position.id == row.assign_position_id)
            active = User.active == True  # noqa: E712
            users = list(User.select().where(User.id.in_(position_tree.users_in(position)) & active)
                         .order_by(User.id)) if position else []
            if users:
                return users[(row.round_robin_counter - 1) % len(users)]
        if row.assign_rule == "user" and row.assign_user_id:
            chosen = User.get_or_none((User.id == row.assign_user_id) & (User.active == True))  # noqa: E712
            if chosen is not None:
                return chosen
        return User.get_by_id(row.campaign.owner_id)


def submit(webform, values):
    """A lead from the public form: ``values`` are the chosen lead fields (already checked). Returns it."""
    with db.atomic():
        owner = pick_owner(webform)
        lead = Lead(source="web", status="new", owner=owner.id,
                    **{name: (value or "").strip() for name, value in values.items()})
        service.save("lead", lead, publicforms.VISITOR)
        services.set_source("lead", lead.id, webform.campaign_id)
        CampaignMember.insert(campaign=webform.campaign_id, member_type="lead", member_id=lead.id,
                              status="responded", added_by=None).execute()
    return lead
