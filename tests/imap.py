"""A real IMAP server for tests: Debian's dovecot started as the current user with a configuration written to a
temporary folder (its own base_dir, log file, 127.0.0.1 on a free port, no SSL, one user with a static
password, maildir under the folder), stopped after. Test mail is delivered by IMAP APPEND (imaplib)."""
import contextlib
import getpass
import imaplib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
USER, PASSWORD = "replies", "imap-test-password"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
instance_name = zhixin-test-{port}
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{mail}/mail/%u
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def dovecot_server(base):
    """Run dovecot with its files under ``base`` (a pathlib.Path); yields the port."""
    import grp
    port = free_port()
    for sub in ("run", "state"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    config = base / "dovecot.conf"
    me, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    # root may not run the login process: Debian's package has its own users for that
    login, internal, internal_group = ("dovenull", "dovecot", "dovecot") if os.getuid() == 0 else (me, me, group)
    uid, gid, mail = os.getuid(), os.getgid(), base
    if uid == 0:    # nor own the mail: it belongs to the dovecot user, in a folder it can reach
        import pwd
        mail = pathlib.Path(tempfile.mkdtemp(prefix="zhixin-imap-"))
        uid, gid = pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid
        os.chmod(mail, 0o755)
        os.chown(mail, uid, gid)
    config.write_text(CONFIG.format(base=base, mail=mail, port=port, login=login, internal=internal,
                                    internal_group=internal_group, uid=uid, gid=gid, password=PASSWORD))
    with open(base / "start.log", "wb") as out:    # not a pipe: the daemon keeps its descriptors open
        subprocess.run([DOVECOT, "-c", str(config)], check=True, stdout=out, stderr=out, timeout=30)
    try:
        _wait_for(port, base)
        yield port
    finally:
        if mail != base:
            shutil.rmtree(mail, ignore_errors=True)
        with open(base / "stop.log", "wb") as out:
            subprocess.run([DOVECOT, "-c", str(config), "stop"], stdout=out, stderr=out, timeout=30)
        pid_file = base / "run" / "master.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


def _wait_for(port, base):
    for _attempt in range(200):     # readiness, not timing: the first successful login ends the wait
        try:
            with imaplib.IMAP4("127.0.0.1", port, timeout=5) as imap:
                imap.login(USER, PASSWORD)
                return
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.05)
    log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
    raise RuntimeError(f"dovecot did not start on port {port}: {log[-2000:]}")


def connect(port):
    """A logged-in imaplib connection to the test server (use it as a context manager)."""
    box = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    box.login(USER, PASSWORD)
    return box


def append(port, raw, mailbox="INBOX"):
    """Deliver one message (bytes) into ``mailbox`` by IMAP APPEND."""
    with imaplib.IMAP4("127.0.0.1", port, timeout=10) as imap:
        imap.login(USER, PASSWORD)
        typ, data = imap.append(mailbox, None, None, raw)
        assert typ == "OK", data


def flags(port, mailbox="INBOX"):
    """{sequence number: flags text} of every message in ``mailbox``."""
    with imaplib.IMAP4("127.0.0.1", port, timeout=10) as imap:
        imap.login(USER, PASSWORD)
        imap.select(mailbox, readonly=True)
        typ, data = imap.fetch("1:*", "(FLAGS)")
        return [item.decode() for item in data if item]
