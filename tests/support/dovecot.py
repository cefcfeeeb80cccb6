"""A throw-away Dovecot IMAP server for the tests (no systemd), ported from the research prototype
(/work/proto/mail/dovecot_fixture.py). No tests here.

Needs Debian 12's dovecot-imapd (Dovecot 2.3 configuration) and the openssl command; `.ci/run` installs both.

    with dovecot_server(tmp_path, extra_users=20) as server:
        mailbox = server.add_user()     # a fresh user, an empty INBOX
        ...                             # mailbox.host, .port (STARTTLS), .tls_port, .user, .password, .cafile

What was learned the hard way: Dovecot refuses to give mail processes uid 0, so when the tests run as root mail
processes run as nobody:nogroup (login and auth keep Debian's dovenull and dovecot users). nobody cannot enter
pytest's /tmp/pytest-of-root (mode 0700), and Dovecot's UNIX sockets need a short path (107 bytes), so its
base_dir, the mail store and the passwd-file live in a short /tmp/dcv-XXXX folder (0755), deleted afterwards.
Ports come from bind(0), then Dovecot binds them; on the rare race the server starts again on new ports.
Dovecot 2.3's passwd-file is re-read at most once a second, so every user is written at start-up (a pool).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

HOST = "127.0.0.1"


class _Base(NamedTuple):
    host: str
    port: int        # plain IMAP (STARTTLS offered)
    tls_port: int    # implicit TLS (IMAPS)
    user: str
    password: str
    maildir: Path    # the user's Maildir (INBOX = maildir/{cur,new,tmp}; folder X = maildir/.X)


class DovecotServer(_Base):
    """The server as one user sees it, with the attributes set after it started."""
    cafile: Path
    log_path: Path
    config_path: Path
    passwd_path: Path
    spare_users: list  # [(user, password)], shared by all views
    startup_seconds: float

    def add_user(self) -> DovecotServer:
        """A view of the server for a not-yet-used user with an empty Maildir,
        taken from the pool written at start-up (``extra_users=N``).  Lets one
        session-scoped server give each test a fresh mailbox.

        Why a pool: Dovecot 2.3's passwd-file driver re-stats the file at most
        once per second (ioloop_time), so a user appended while the server
        runs may be rejected for up to ~1 s."""
        if not self.spare_users:
            raise DovecotError("user pool exhausted: raise extra_users=")
        user, password = self.spare_users.pop()
        view = DovecotServer(self.host, self.port, self.tls_port, user, password,
                             self.maildir.parents[1] / user / "Maildir")
        view.__dict__.update(self.__dict__)
        return view


class DovecotError(RuntimeError):
    pass


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


def _free_ports(n: int) -> list[int]:
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((HOST, 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """EC P-256 self-signed cert for CN/SAN localhost + 127.0.0.1 (openssl CLI).

    The cert doubles as the client's cafile (it is its own CA: self-signed,
    and OpenSSL 3's req -x509 adds basicConstraints CA:TRUE by default).
    """
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def _ids_for_mail() -> tuple[str, str, int, int]:
    """(user name, group name, uid, gid) that mail processes will run as."""
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("nobody")
            uid, gid = pw.pw_uid, pw.pw_gid
        except KeyError:
            uid, gid = 65534, 65534
        return pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name, uid, gid
    uid, gid = os.getuid(), os.getgid()
    return pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name, uid, gid


def render_config(*, run_dir: Path, conf_dir: Path, mail_root: Path,
                  port: int, tls_port: int, cert: Path, key: Path,
                  passwd: Path, log_path: Path) -> str:
    muser, mgroup, muid, mgid = _ids_for_mail()
    as_root = os.geteuid() == 0
    # Running as non-root: every process must run as us, no chroot possible.
    unpriv = "" if as_root else f"""
default_login_user = {muser}
default_internal_user = {muser}
default_internal_group = {mgroup}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    return f"""# generated by dovecot_fixture.py -- Dovecot 2.3 syntax (Debian 12)
protocols = imap
listen = {HOST}
base_dir = {run_dir}/
# keep /var/lib/dovecot/instances untouched (and non-root safe)
state_dir = {run_dir.parent}/state
instance_name = kpixl-test-{port}
log_path = {log_path}
info_log_path = {log_path}
log_timestamp = "%Y-%m-%d %H:%M:%S "
# localhost is "secured" anyway; be explicit so plain LOGIN works without TLS
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain login
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
mail_location = maildir:~/Maildir
mail_uid = {muid}
mail_gid = {mgid}
first_valid_uid = 1
first_valid_gid = 1
mail_fsync = never
mail_max_userip_connections = 100
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={muid} gid={mgid} home={mail_root}/%u
}}
# mode 0 = documented way to switch off the auth penalty (after a failed
# login, anvil delays further logins from that IP by 2,4,8..15 s)
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {tls_port}
    ssl = yes
  }}
}}
{unpriv}"""


def _greets(port: int, use_tls: bool, cafile: Path) -> bool:
    import ssl
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as s:
            if use_tls:
                ctx = ssl.create_default_context(cafile=str(cafile))
                with ctx.wrap_socket(s, server_hostname="localhost") as t:
                    return t.recv(64).startswith(b"* OK")
            return s.recv(64).startswith(b"* OK")
    except OSError:
        return False


@contextlib.contextmanager
def dovecot_server(tmp_path: Path | str, *, user: str = "lead",
                   password: str | None = None, timeout: float = 20.0,
                   attempts: int = 3, stop: str = "term",
                   extra_users: int = 0) -> Iterator[DovecotServer]:
    binary = find_dovecot()
    if binary is None:
        raise DovecotError("dovecot not installed (apt-get install dovecot-imapd)")
    conf_dir = Path(tmp_path) / "dovecot"
    conf_dir.mkdir(parents=True, exist_ok=True)
    password = password or secrets.token_urlsafe(12)
    cert, key = make_self_signed_cert(conf_dir)
    # short, world-traversable dir for sockets + mail store + passwd-file
    # (the auth process runs as user "dovecot" and must reach the passwd-file)
    run_root = Path(tempfile.mkdtemp(prefix="dcv-", dir="/tmp"))
    os.chmod(run_root, 0o755)
    passwd = run_root / "passwd"
    spare = [(f"{user}-{i}", secrets.token_urlsafe(12))
             for i in range(extra_users, 0, -1)]
    passwd.write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n"
                              for u, p in [(user, password), *spare]))
    os.chmod(passwd, 0o644)   # throw-away test password
    run_dir, mail_root = run_root / "run", run_root / "mail"
    mail_root.mkdir()
    (run_root / "state").mkdir()
    _, _, muid, mgid = _ids_for_mail()
    os.chown(mail_root, muid, mgid)
    log_path = conf_dir / "dovecot.log"
    conf_path = conf_dir / "dovecot.conf"

    proc = None
    try:
        for attempt in range(attempts):
            port, tls_port = _free_ports(2)
            conf_path.write_text(render_config(
                run_dir=run_dir, conf_dir=conf_dir, mail_root=mail_root,
                port=port, tls_port=tls_port, cert=cert, key=key,
                passwd=passwd, log_path=log_path))
            t0 = time.monotonic()
            with open(conf_dir / "dovecot.stderr", "ab") as stderr:
                proc = subprocess.Popen(
                    [binary, "-F", "-c", str(conf_path)],
                    stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr, start_new_session=True)
            deadline = t0 + timeout
            delay = 0.005
            ready = False
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    break
                if _greets(port, False, cert) and _greets(tls_port, True, cert):
                    ready = True
                    break
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
            if ready:
                break
            _stop(proc)
            proc = None
            logs = _read(log_path) + _read(conf_dir / "dovecot.stderr")
            if "Address already in use" in logs and attempt + 1 < attempts:
                continue
            raise DovecotError(f"dovecot did not start:\n{logs[-4000:]}")

        srv = DovecotServer(HOST, port, tls_port, user, password,
                            mail_root / user / "Maildir")
        srv.cafile = cert
        srv.log_path = log_path
        srv.config_path = conf_path
        srv.passwd_path = passwd
        srv.spare_users = spare
        srv.startup_seconds = time.monotonic() - t0
        yield srv
    finally:
        if proc is not None:
            _stop(proc, stop)
        shutil.rmtree(run_root, ignore_errors=True)


def _read(p: Path) -> str:
    try:
        return p.read_text(errors="replace")
    except OSError:
        return ""


def _live_group_members(pgid: int) -> list[int]:
    """Non-zombie processes in process group pgid (Linux /proc).  Zombies are
    ignored: once the master is gone its dead children are re-parented to
    PID 1, which may reap them late (seen: ~2 s in this sandbox)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rindex(b")") + 2:].split()
        state, pgrp = rest[0], int(rest[2])
        if pgrp == pgid and state not in (b"Z", b"X"):
            pids.append(int(d))
    return pids


def _stop(proc: subprocess.Popen, mode: str = "term") -> None:
    """mode="term": SIGTERM to the master only -- Dovecot's own clean
    shutdown (it signals its children and waits for them): ~1.1 s, steady.
    (SIGTERM to the whole group at once races with the master's bookkeeping
    and took 0.01-6 s.)  mode="kill": SIGKILL the group, ~instant; fine for a
    throw-away Maildir that is deleted right after.
    Either way: reap the master, then SIGKILL any live leftover."""
    pgid = proc.pid  # start_new_session=True => pgid == pid
    if proc.poll() is None:
        if mode == "kill":
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        else:
            proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 3
    while _live_group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.01)
    for pid in _live_group_members(pgid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
