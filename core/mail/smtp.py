"""The SMTP side shared by notification e-mails (core.notify) and e-mail to customers (core.mail.outbox):
header values that cannot add a header, and one connection to the configured server per message."""
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr

HEADER_LIMIT = 200          # characters of one header value (a subject, an address)
SEND_ERRORS = (OSError, ValueError, smtplib.SMTPException)   # ValueError: a header the library refuses


def configured(cfg):
    """Whether an SMTP server is configured (``SMTP_HOST``); without one, mail waits in its queue."""
    return bool(cfg.get("SMTP_HOST"))


def header_value(value, limit=HEADER_LIMIT):
    """A value fit for one e-mail header line: line breaks and other control characters become spaces,
    runs of white space one space, and at most ``limit`` characters (a title can never add a header)."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value or ""))
    return " ".join(text.split())[:limit]


def address(addr, name=""):
    """An ``Address`` header value: ``name`` (any language, encoded by the SMTP policy) and ``addr``, both
    made single-line; ValueError when ``addr`` is no address."""
    addr = header_value(addr, 254)
    if not valid_address(addr):
        raise ValueError(f"not an e-mail address: {addr!r}")
    local, domain = addr.rsplit("@", 1)
    return Address(display_name=header_value(name), username=local, domain=domain)


def valid_address(addr):
    """A plain ``local@domain`` address (no name, no second address, no white space)."""
    addr = str(addr or "")
    if not addr or len(addr) > 254 or any(not ch.isprintable() or ch.isspace() for ch in addr):
        return False
    if parseaddr(addr)[1] != addr or addr.count("@") != 1 or any(c in addr for c in ',;<>"()[]\\'):
        return False
    local, domain = addr.split("@")
    return bool(local) and "." in domain and not domain.startswith(".") and not domain.endswith(".")


def plain_message(cfg, to, subject, body, headers=()):
    """A plain-text message from ``SMTP_FROM`` to the address ``to``; ``headers``: further (name, value)."""
    msg = EmailMessage()
    for name, value in headers:
        msg[name] = value
    msg["From"] = header_value(cfg["SMTP_FROM"])
    msg["To"] = header_value(to)
    msg["Subject"] = header_value(subject)
    msg.set_content(body)
    return msg


def deliver(cfg, msg):
    """Send ``msg`` through the configured server (STARTTLS and login when configured)."""
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=10) as smtp:
        if str(cfg.get("SMTP_TLS")).lower() in ("1", "true", "yes"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)
