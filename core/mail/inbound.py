"""Inbound replies (回复邮件): :func:`fetch` reads the configured IMAP folder and files each new message on the
record it answers, or hands it to the plugins (``zhixin_mail_unmatched``: the service plugin opens an item),
else keeps it unfiled for the administrator. docs/mail.md#inbound-replies.

Matching, first that applies:

1. **token** — a recipient (To, Cc, Delivered-To) is ``<reply local>+<token>@<reply domain>``: the outgoing
   message with that ``reply_token`` (unguessable, 128 bits) and so its record;
2. **thread** — In-Reply-To, then References (newest first), names one of our Message-IDs;
3. **sender** — the From address is the e-mail of exactly one contact, or (no contact has it) of exactly one
   lead: filed there. Two contacts with the address is a guess, not a match. This lookup is the system's own
   (no user reads anything); the filed reply is then as readable as the record.

Exactly once: each message is stored under its Message-ID (unique; a message without one gets a digest of its
bytes) by an INSERT that only one fetcher wins — a second fetcher, or a re-run before the \\Seen flag was set,
finds the row and only flags the message. Processed and skipped messages are flagged \\Seen; only UNSEEN
messages are read. Messages larger than ``IMAP_MAX_BYTES`` are not downloaded; attachments are dropped (their
file names kept); the text/plain part is taken, else the HTML part reduced to text; headers decoded (RFC 2047).
A malformed message is skipped with a logged reason; it never stops the run."""
import datetime as dt
import hashlib
import html
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from peewee import IntegrityError, fn

from core import clock
from core.db import db
from core.mail import smtp
from core.mail.models import InboundMail, MailMessage
from core.models import Contact, Lead

log = logging.getLogger(__name__)
BODY_LIMIT = 100_000        # characters of text kept of one message
MESSAGE_ID = re.compile(r"<[^<>\s]{1,189}>")


@dataclass
class FetchResult:
    filed: int = 0          # matched to a record
    taken: int = 0          # taken by a plugin (a service item)
    unfiled: int = 0        # stored for the administrator
    duplicate: int = 0      # already stored (another fetcher, a re-run)
    skipped: int = 0        # too large or malformed, with a logged reason
    reasons: list = field(default_factory=list)

    def __str__(self):
        return (f"filed {self.filed}, to plugins {self.taken}, unfiled {self.unfiled}, "
                f"already stored {self.duplicate}, skipped {self.skipped}")


def configured(cfg):
    return bool(cfg.get("IMAP_HOST"))


class Skip(Exception):
    """A message that cannot be filed; the text says why."""


def fetch(app, progress=None):
    """Read the unseen messages of the configured folder and file each once; returns a FetchResult (the job
    ``core.mail_inbound``, ``zhixin mail fetch``). ``progress(done, total)`` is called after each message."""
    cfg = app.config
    result = FetchResult()
    if not configured(cfg):
        return result
    with _connect(cfg) as imap:
        typ, _data = imap.select(_quoted(cfg.get("IMAP_FOLDER") or "INBOX"))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot open the folder {cfg.get('IMAP_FOLDER')!r}")
        typ, data = imap.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if typ == "OK" and data and data[0] else []
        for done, uid in enumerate(uids, 1):
            _one(app, imap, uid, int(cfg["IMAP_MAX_BYTES"]), result)
            if progress:
                progress(done, len(uids))
    return result


def _connect(cfg):
    host, port = cfg["IMAP_HOST"], int(cfg["IMAP_PORT"])
    imap = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=30) \
        if str(cfg.get("IMAP_TLS")).lower() in ("1", "true", "yes", "on") else imaplib.IMAP4(host, port, timeout=30)
    if cfg.get("IMAP_USER"):
        imap.login(cfg["IMAP_USER"], cfg.get("IMAP_PASSWORD") or "")
    return imap


def _quoted(folder):
    return '"' + str(folder).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _one(app, imap, uid, max_bytes, result):
    try:
        typ, data = imap.uid("FETCH", uid, "(RFC822.SIZE)")
        size = re.search(rb"RFC822\.SIZE (\d+)", data[0] or b"") if typ == "OK" and data else None
        if size is None:
            raise Skip("the server gave no size")
        if int(size.group(1)) > max_bytes:
            raise Skip(f"{int(size.group(1))} bytes, more than IMAP_MAX_BYTES ({max_bytes})")
        typ, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = next((part[1] for part in data if isinstance(part, tuple)), None) if typ == "OK" else None
        if not raw:
            raise Skip("the server gave no message")
        outcome = store(app, raw)
        setattr(result, outcome, getattr(result, outcome) + 1)
    except Skip as exc:
        log.warning("inbound mail uid %s skipped: %s", uid.decode(), exc)
        result.skipped += 1
        result.reasons.append(str(exc))
    imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")


def store(app, raw):
    """Parse, match and store one message (bytes); returns the FetchResult field it counts in. Raises Skip."""
    parsed = parse(raw)
    recipients, references = parsed.pop("_recipients"), parsed.pop("_references")
    try:
        with db.atomic():           # stored and filed together: a crash leaves neither
            inbound = InboundMail.create(**parsed)
            matched = _match(app.config, inbound, recipients, references)
            if matched:
                inbound.save()
    except IntegrityError:
        return "duplicate"          # another fetcher (or an earlier run) stored it first
    if matched:
        return "filed"
    if _offer(app, inbound):
        return "taken"
    return "unfiled"


def parse(raw):
    """The stored fields of one message (bytes), or Skip with the reason."""
    try:
        msg = message_from_bytes(raw, policy=policy.default)
        from_name, from_address = parseaddr(str(msg.get("From", "")))
        subject = smtp.header_value(str(msg.get("Subject", "")), 300)
        message_id = _ids(msg.get("Message-ID", ""))
        body, dropped = _text(msg)
        sent_at = _date(msg.get("Date"))
        recipients = [a for _n, a in getaddresses([str(v) for k in ("To", "Cc", "Delivered-To")
                                                   for v in msg.get_all(k, [])])]
        references = _ids(msg.get("In-Reply-To", "")) + list(reversed(_ids(msg.get("References", ""))))
    except Skip:
        raise
    except Exception as exc:        # the e-mail library's many ways of refusing a broken message
        raise Skip(f"malformed: {type(exc).__name__}: {exc}") from exc
    if not smtp.valid_address(from_address) and not message_id:
        raise Skip("malformed: no sender address and no Message-ID")
    return {"message_id": message_id[0] if message_id else "<sha256-" + hashlib.sha256(raw).hexdigest()[:40] + ">",
            "from_address": from_address.lower()[:254] if smtp.valid_address(from_address) else "",
            "from_name": smtp.header_value(from_name), "subject": subject, "body": body[:BODY_LIMIT],
            "dropped": ", ".join(dropped)[:500], "sent_at": sent_at, "received_at": clock.real_utcnow(),
            "_recipients": recipients, "_references": references}


def _ids(value):
    return MESSAGE_ID.findall(str(value or ""))


def _date(value):
    try:
        at = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError):
        return None
    if at is None or at.tzinfo is None:
        return at
    return at.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _text(msg):
    """The text of the message and the names of what was dropped (attachments, other parts)."""
    plain = html_part = None
    dropped = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            dropped.append(smtp.header_value(filename or part.get_content_type(), 100))
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _content(part)
        elif kind == "text/html" and html_part is None:
            html_part = _content(part)
    if plain is not None:
        return plain, dropped
    if html_part is not None:
        return html_to_text(html_part), dropped
    return "", dropped


def _content(part):
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError):        # an unknown or lying charset
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.I)
DROP = re.compile(r"<\s*(script|style|head)\b.*?<\s*/\s*\1\s*>", re.I | re.S)
TAG = re.compile(r"<[^>]*>", re.S)


def html_to_text(text):
    """Plain text of an HTML body: scripts, styles and the head removed, line breaks kept, tags dropped,
    entities decoded. The result is stored and shown as text (escaped by the templates), never as HTML."""
    text = DROP.sub("", text)
    text = BLOCK.sub("\n", text)
    text = html.unescape(TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _match(cfg, inbound, recipients, references):
    """File ``inbound`` on the record it answers (token, thread, sender); True when it matched."""
    sent = _by_token(cfg, recipients)
    how = "token"
    if sent is None:
        how = "thread"
        for ref in references:
            sent = MailMessage.get_or_none(MailMessage.message_id == ref)
            if sent is not None:
                break
    if sent is not None:
        inbound.record_type, inbound.record_id, inbound.reply_to, inbound.matched_by = \
            sent.record_type, sent.record_id, sent.id, how
        return True
    found = by_sender(inbound.from_address)
    if found is not None:
        inbound.record_type, inbound.record_id, inbound.matched_by = found[0], found[1], "sender"
        return True
    return False


def _by_token(cfg, recipients):
    base = smtp.header_value(cfg.get("MAIL_REPLY_ADDRESS"), 254).lower()
    if not smtp.valid_address(base):
        return None
    local, domain = base.rsplit("@", 1)
    local = local.split("+")[0]
    for address in recipients:
        name, _at, their_domain = address.lower().rpartition("@")
        base_part, plus, token = name.partition("+")
        if plus and base_part == local and their_domain == domain and re.fullmatch(r"[0-9a-f]{32}", token):
            sent = MailMessage.get_or_none(MailMessage.reply_token == token)
            if sent is not None:
                return sent
    return None


def by_sender(address):
    """("contact" or "lead", id) of the one contact — else the one lead — whose e-mail is ``address``."""
    if not address:
        return None
    for name, model in (("contact", Contact), ("lead", Lead)):
        found = list(model.select(model.id).where(fn.LOWER(model.email) == address.lower()).limit(2))
        if len(found) == 1:
            return name, found[0].id
        if found:
            return None         # several: a guess, not a match
    return None


def _offer(app, inbound):
    """Ask the plugins (``zhixin_mail_unmatched``), in their order, until one takes the message; the one that
    does may file it (set ``record_type``/``record_id``); core records which plugin took it."""
    from core.plugins import call_impl
    manager = app.extensions["zhixin_plugins"]
    for name, impl in manager.implementations("zhixin_mail_unmatched", registration_order=True):
        try:
            with db.atomic():
                if call_impl(impl, message=inbound):
                    inbound.taken_by = name[:64]
                    inbound.save()
                    return True
        except Exception:           # one broken plugin leaves the message unfiled, not the run stopped
            log.exception("plugin %s failed taking inbound mail %s", name, inbound.id)
    return False


def unfiled():
    """The stored messages nobody filed or took, newest first (the administrator's page)."""
    return InboundMail.select().where((InboundMail.record_type == "") & (InboundMail.taken_by == "")) \
        .order_by(InboundMail.id.desc())


def inbound_for(record_type, record_id):
    return InboundMail.select().where((InboundMail.record_type == record_type)
                                      & (InboundMail.record_id == record_id)).order_by(InboundMail.id.desc())
