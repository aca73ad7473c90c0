"""Command line of ./dev."""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from . import odoo, odoosrc, paths, pg, testrun, venv
from .log import DevError, say
from .system import ensure_system_packages

DEV_DB = "collection"
DEV_PORT = 8069


def _require_src():
    src = odoosrc.resolve(download=True)
    if src is None:
        raise DevError(
            "No Odoo 18.0 source found. Run with ODOO_SRC=<Odoo source directory or "
            "tarball> once; it is remembered afterwards."
        )
    venv.ensure(src)
    ensure_system_packages()
    return src


def _dev_cluster():
    if os.geteuid() == 0:
        # /root is private: the postgres OS user needs a directory it can reach
        datadir = Path("/var/lib/postgresql/collection_management")
    else:
        datadir = paths.STATE / "pgdata"
    port_file = paths.RUN / "pgport"
    port = port_file.read_text().strip() if port_file.exists() else None
    cluster = pg.Cluster(datadir, port=port)
    server = pg.external() or cluster.start()
    paths.RUN.mkdir(parents=True, exist_ok=True)
    port_file.write_text(str(server.port))
    return server


def _dev_config(src, server, **options):
    return odoo.write_config(
        paths.RUN / "odoo.conf",
        src,
        server,
        paths.STATE / "filestore",
        db_name=DEV_DB,
        dbfilter=f"^{DEV_DB}$",
        http_port=options.pop("http_port", DEV_PORT),
        max_cron_threads=1,
        log_level="info",
        **options,
    )


def cmd_setup(args):
    _setup(args)
    return 0


def _setup(args):
    src = _require_src()
    server = _dev_cluster()
    config = _dev_config(src, server)
    if args.reset and server.db_exists(DEV_DB):
        server.dropdb(DEV_DB)
    if not server.db_exists(DEV_DB):
        odoo.install(config, DEV_DB, demo=True, log=paths.RUN / "install.log")
    else:
        say(f"updating {paths.ADDON} in the database {DEV_DB} ...")
        result = subprocess.run(
            odoo.odoo_cmd(
                config, "-d", DEV_DB, "-u", paths.ADDON, "--stop-after-init", "--no-http"
            ),
            check=False,
        )
        if result.returncode:
            raise DevError("updating the addon failed.")
    return src, server, config


def _wait_http(url, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DevError("Odoo stopped while starting; see the lines above.")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise DevError(f"Odoo did not answer on {url} within {timeout}s.")


def _worker_count(text):
    count = int(text)
    if not 0 <= count <= 64:
        raise argparse.ArgumentTypeError("between 0 and 64 workers")
    return count


def cmd_start(args):
    _src, _server, config = _setup(args)
    pidfile = paths.RUN / "odoo.pid"
    extra = ["--http-port", str(args.port)]
    if args.workers:
        # prefork: HTTP worker processes, two cron worker processes (the companies'
        # daily jobs run side by side) and the websocket server next to the HTTP port
        extra += [
            "--workers",
            str(args.workers),
            "--max-cron-threads",
            "2",
            "--gevent-port",
            str(args.port + 3),
        ]
        say(f"prefork server: {args.workers} HTTP workers and 2 cron workers")
    if args.detach:
        extra += ["--logfile", str(paths.RUN / "odoo.log")]
        say(f"server log: {paths.RUN / 'odoo.log'}")
    command = odoo.server_cmd if args.workers else odoo.odoo_cmd
    process = subprocess.Popen(command(config, *extra))
    pidfile.write_text(str(process.pid))
    url = f"http://localhost:{args.port}"
    _wait_http(url + "/web/login", process)
    say(f"Odoo is up: {url}  (database '{DEV_DB}', login admin / password admin)")
    if args.detach:
        say(f"running in the background (pid {process.pid}); ./dev stop ends it.")
        return 0
    say("Ctrl-C stops it.")
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        return process.wait()


def cmd_stop(_args):
    pidfile = paths.RUN / "odoo.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
            say("Odoo stopped.")
        except ProcessLookupError:
            pass
        pidfile.unlink()
    return 0


def cmd_test(args):
    return testrun.run(args)


def cmd_screenshots(_args):
    """Pictures of the main screens of the demo server (started when it is not running)
    in English and Chinese, desktop and phone, into docs/screenshots (README) and the
    addon's static/description (Apps page). Playwright for Python drives the system's
    Chromium; it is installed into the virtualenv on first use."""
    _require_src()
    url = f"http://localhost:{DEV_PORT}"
    try:
        urllib.request.urlopen(url + "/web/login", timeout=5).close()
    except OSError:
        cmd_start(argparse.Namespace(reset=False, detach=True, port=DEV_PORT))
    venv.ensure_playwright()
    folder = paths.REPO / "docs" / "screenshots"
    status = subprocess.run(
        [
            venv.python(),
            str(Path(__file__).with_name("shoot.py")),
            "--url",
            url,
            "--out",
            str(folder),
        ],
        check=False,
    ).returncode
    description = paths.ADDON_DIR / "static" / "description"
    for picture in sorted(folder.glob("*.png")):
        shutil.copyfile(picture, description / picture.name)
    return status


def cmd_demo(args):
    """Fill a database with generated customers and invoices."""
    src = _require_src()
    server = pg.external() or _dev_cluster()
    config = _dev_config(src, server)
    script = paths.REPO / "tools" / "generate_demo.py"
    cmd = [
        venv.python(),
        script,
        "-c",
        config,
        "-d",
        args.database,
        "--customers",
        args.customers,
        "--invoices",
        args.invoices,
        "--companies",
        args.companies,
        "--seed",
        args.seed,
    ]
    return subprocess.run([str(c) for c in cmd], check=False).returncode


def cmd_bench(args):
    """Fresh database, generated data, measured steps: see benchmarks/bench.py."""
    from . import bench

    src = _require_src()
    return bench.run(src, args)


def cmd_simulate(args):
    """Books of receivables lived day by day: see tools/devkit/simulate.py."""
    from . import simulate

    src = _require_src()
    config = None
    if args.database:
        config = _dev_config(src, _dev_cluster())
    return simulate.run(src, args, config=config)


def cmd_i18n(args):
    """Regenerate each addon's i18n/<addon>.pot from the code and merge it into zh_CN.po."""
    from . import i18n

    return i18n.run(_require_src(), modules=args.modules)


def cmd_shell(args):
    src = _require_src()
    server = _dev_cluster()
    config = _dev_config(src, server)
    return subprocess.run(
        odoo.odoo_cmd(config, "shell", "-d", args.database), check=False
    ).returncode


def _add_simulate_parser(sub):
    p = sub.add_parser(
        "simulate", help="live seeded books of receivables day by day, checking invariants"
    )
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--seed", type=int, default=1, help="the seed of the book (default 1)")
    p.add_argument("--seeds", type=int, help="run seeds 1 to N instead of one seed")
    p.add_argument(
        "-d",
        "--database",
        help="an existing database of the dev cluster with the addon installed (default: a "
        "fresh database in a throwaway cluster); nothing is kept in it",
    )
    p.add_argument("--stop", action="store_true", help="stop at the first broken day, as the test")
    p.add_argument("--quiet", action="store_true", help="no line per day")
    p.set_defaults(func=cmd_simulate)


def main(argv):
    parser = argparse.ArgumentParser(prog="./dev", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="install everything and (re)build the demo database")
    p.add_argument("--reset", action="store_true", help="drop the demo database first")
    p.set_defaults(func=cmd_setup)
    p = sub.add_parser("start", help="setup, then serve Odoo on localhost")
    p.add_argument("--reset", action="store_true", help="drop the demo database first")
    p.add_argument("--port", type=int, default=DEV_PORT)
    p.add_argument("--detach", action="store_true", help="leave the server in the background")
    p.add_argument(
        "--workers",
        type=_worker_count,
        default=0,
        help="prefork server with N HTTP worker processes and 2 cron workers "
        "(default 0: one process, one cron thread)",
    )
    p.set_defaults(func=cmd_start)
    p = sub.add_parser("stop", help="stop a server started with --detach")
    p.set_defaults(func=cmd_stop)
    p = sub.add_parser("test", help="lint, static checks and the Odoo tests")
    p.add_argument(
        "--fast",
        action="store_true",
        help="while developing: no lint, and the Odoo tests in the databases without demo only",
    )
    p.add_argument("-k", dest="keyword", help="only the tests matching this pytest expression")
    p.set_defaults(func=cmd_test)
    p = sub.add_parser("screenshots", help="pictures of the main screens for the docs")
    p.set_defaults(func=cmd_screenshots)
    p = sub.add_parser("demo", help="generate customers and invoices in a database")
    p.add_argument("-d", "--database", default=DEV_DB)
    p.add_argument("--customers", type=int, default=200)
    p.add_argument("--invoices", type=int, default=1000)
    p.add_argument("--companies", type=int, default=1, choices=(1, 2))
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("bench", help="benchmark on a fresh generated database")
    p.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help="small: 2,000 customers / 10,000 invoices; large: 20,000 / 100,000",
    )
    p.add_argument("--customers", type=int)
    p.add_argument("--invoices", type=int)
    p.add_argument("--companies", type=int, default=2, choices=(1, 2))
    p.add_argument(
        "--with-oca",
        action="store_true",
        help="also install OCA account_credit_control and time its run",
    )
    p.add_argument("--steps", help="comma-separated steps of benchmarks/bench.py")
    p.add_argument(
        "--generator",
        choices=("bulk", "orm"),
        default="bulk",
        help="bulk: templates made by the ORM, copied by SQL and checked (default); "
        "orm: the demo generator, about 28 ms per invoice",
    )
    p.add_argument(
        "--cache",
        action="store_true",
        help="keep the generated dataset (outside the repository) and reuse it next time",
    )
    p.add_argument("--json", help="write the figures to this file")
    p.set_defaults(func=cmd_bench)
    _add_simulate_parser(sub)
    p = sub.add_parser("i18n", help="regenerate the .pot and merge it into zh_CN.po")
    p.add_argument(
        "--modules",
        type=lambda text: [name for name in text.split(",") if name],
        help="comma-separated addons to export (default: the addon and its bridges)",
    )
    p.set_defaults(func=cmd_i18n)
    p = sub.add_parser("shell", help="an Odoo shell on a database")
    p.add_argument("-d", "--database", default=DEV_DB)
    p.set_defaults(func=cmd_shell)
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except DevError as error:
        print(f"[dev] ERROR: {error}", file=sys.stderr)
        return 2
