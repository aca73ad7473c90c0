"""PostgreSQL for Odoo: an existing server (PGHOST/PGPORT/PGUSER) or a cluster of our own.

Our own cluster listens on loopback only, with trust authentication, and its superuser
is the role ``odoo`` (Odoo refuses to connect as ``postgres``). PostgreSQL refuses to
run as root, so under root the server runs as the ``postgres`` OS user.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .log import DevError, say

ROLE = "odoo"


def _bindir():
    for name in ("initdb", "pg_ctl"):
        found = shutil.which(name)
        if found and Path(found).resolve().parent.joinpath("initdb").exists():
            return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    raise DevError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL "
        "(Debian: apt-get install postgresql) or set PGHOST/PGPORT/PGUSER."
    )


def _runuser():
    """runuser lives in /usr/sbin, which a minimal PATH (cron, CI) may not hold."""
    return shutil.which("runuser") or next(
        (path for path in ("/usr/sbin/runuser", "/sbin/runuser") if os.path.exists(path)),
        "runuser",
    )


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """Connection parameters for Odoo and the PostgreSQL client tools."""

    def __init__(self, host, port, user, password=None):
        self.host, self.port, self.user, self.password = host, str(port), user, password

    def odoo_options(self):
        opts = {"db_host": self.host, "db_port": self.port, "db_user": self.user}
        opts["db_password"] = self.password or "False"
        return opts

    def env(self):
        env = dict(os.environ, PGHOST=self.host, PGPORT=self.port, PGUSER=self.user)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def psql(self, sql, db="postgres"):
        return subprocess.run(
            ["psql", "-XqAt", "-d", db, "-c", sql],
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def dropdb(self, name):
        subprocess.run(["dropdb", "--if-exists", "--force", name], env=self.env(), check=True)

    def db_exists(self, name):
        out = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        return out == "1"


def external():
    """The server named by PGHOST/PGPORT/PGUSER, if any."""
    if not os.environ.get("PGHOST"):
        return None
    user = os.environ.get("PGUSER") or pwd.getpwuid(os.getuid()).pw_name
    if user == "postgres":
        raise DevError("Odoo refuses the role 'postgres': set PGUSER to another role.")
    return Server(
        os.environ["PGHOST"],
        os.environ.get("PGPORT", "5432"),
        user,
        os.environ.get("PGPASSWORD"),
    )


class Cluster:
    """A PostgreSQL cluster in ``datadir``, owned by us (or by ``postgres`` under root)."""

    def __init__(self, datadir, port=None):
        self.datadir = Path(datadir)
        self.bindir = _bindir()
        self.as_postgres = os.geteuid() == 0
        self.port = port

    def _run(self, args, **kwargs):
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = [_runuser(), "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, **kwargs)

    def _own(self, path):
        if self.as_postgres:
            shutil.chown(path, "postgres", "postgres")

    def init(self):
        if (self.datadir / "PG_VERSION").exists():
            return
        self.datadir.mkdir(parents=True, exist_ok=True)
        self._own(self.datadir)
        os.chmod(self.datadir, 0o700)
        self._run(
            [
                "initdb",
                "-D",
                str(self.datadir),
                "-U",
                ROLE,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ],
            stdout=subprocess.DEVNULL,
        )

    def running_port(self):
        pidfile = self.datadir / "postmaster.pid"
        if not pidfile.exists():
            return None
        lines = pidfile.read_text().splitlines()
        status = (
            subprocess.run(
                [str(self.bindir / "pg_ctl"), "status", "-D", str(self.datadir)],
                capture_output=True,
                check=False,
            )
            if not self.as_postgres
            else subprocess.run(
                [
                    _runuser(),
                    "-u",
                    "postgres",
                    "--",
                    str(self.bindir / "pg_ctl"),
                    "status",
                    "-D",
                    str(self.datadir),
                ],
                capture_output=True,
                check=False,
            )
        )
        return lines[3] if status.returncode == 0 and len(lines) > 3 else None

    def start(self, fast=False):
        self.init()
        port = self.running_port()
        if port:
            self.port = port
            return self.server()
        self.port = self.port or _free_port()
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.datadir}",
            "-c max_connections=200",
        ]
        if fast:
            # a throwaway test cluster: durability is not needed
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            [
                "pg_ctl",
                "-D",
                str(self.datadir),
                "-l",
                str(self.datadir / "server.log"),
                "-o",
                " ".join(options),
                "-w",
                "-t",
                "60",
                "start",
            ],
            stdout=subprocess.DEVNULL,
        )
        return self.server()

    def server(self):
        return Server("127.0.0.1", self.port, ROLE)

    def stop(self):
        if (self.datadir / "postmaster.pid").exists():
            self._run(
                ["pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop"],
                stdout=subprocess.DEVNULL,
            )


class ThrowawayCluster(Cluster):
    """A cluster in a temporary directory, removed when the context ends."""

    def __init__(self):
        base = tempfile.mkdtemp(prefix="collection-pg-")
        os.chmod(base, 0o755)
        super().__init__(Path(base) / "data")
        self.base = base

    def __enter__(self):
        say("starting a throwaway PostgreSQL cluster on loopback ...")
        started = time.monotonic()
        server = self.start(fast=True)
        say(f"PostgreSQL ready on 127.0.0.1:{self.port} in {time.monotonic() - started:.1f}s")
        return server

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def scratch_server():
    """The server named by PGHOST/PGPORT/PGUSER, or else a throwaway cluster."""
    server = external()
    if server is not None:
        yield server
        return
    with ThrowawayCluster() as server:
        yield server
