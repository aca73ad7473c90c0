"""The daily follow-up jobs of the companies run by 1, then 2 cron workers.

Each measurement runs on its own copy of the benchmark database (the same book, the
same day), in worker processes that run Odoo's own cron loop
(``ir.cron._process_jobs``): each worker takes a ready job with ``SKIP LOCKED``, runs its
batches, each in its own committed transaction, and takes the next, until none is
ready. Only the companies' follow-up jobs are made ready; every other job is paused in
the copies.
"""

import multiprocessing
import shutil
import time
from contextlib import closing

COPIES = ("collection_bench_w1", "collection_bench_w2")


def _worker(config, database, ready, go, results):
    """A cron worker process: load the registry, wait for the start, run the ready
    jobs until none is left that another worker does not hold."""
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", config, "-d", database])
    registry = Registry(database)
    ready.put(True)
    go.wait()
    started = time.perf_counter()
    runs = 0
    while True:
        free, held = _ready_jobs(registry)
        if free:
            registry["ir.cron"]._process_jobs(database)
            runs += 1
        elif held:
            # held by the other worker (or being looked at by its check): wait for it
            time.sleep(0.2)
        else:
            break
    results.put((time.perf_counter() - started, runs))


READY = """SELECT id FROM ir_cron
            WHERE active AND (nextcall <= (now() AT TIME ZONE 'UTC')
                  OR id IN (SELECT cron_id FROM ir_cron_trigger
                             WHERE call_at <= (now() AT TIME ZONE 'UTC')))"""


def _ready_jobs(registry):
    """How many ready jobs no worker holds, and how many are held."""
    with registry.cursor() as cr:
        cr.execute(READY)
        ready = len(cr.fetchall())
        cr.execute(READY + " FOR NO KEY UPDATE SKIP LOCKED")
        free = len(cr.fetchall())
        cr.rollback()
    return free, ready - free


def _drop(name):
    """Drop the copy ``name`` and its filestore, if any."""
    import odoo
    from odoo.modules.registry import Registry
    from odoo.service import db as db_service
    from odoo.tools import SQL

    Registry.delete(name)
    odoo.sql_db.close_db(name)
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        db_service._drop_conn(cr, name)
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(name)))
    shutil.rmtree(odoo.tools.config.filestore(name), ignore_errors=True)


def _prepare(registry, send):
    """Pause every job but the companies' follow-up jobs, and make those ready now;
    with ``send``, every level acts at once (emails with their statements) instead of
    waiting for review where the policy says so."""
    with registry.cursor() as cr:
        if send:
            cr.execute("UPDATE collection_level SET auto_execute = true")
        cr.execute("DELETE FROM ir_cron_trigger")
        cr.execute(
            """UPDATE ir_cron SET active = coalesce(collection_job = 'followup', false),
                      nextcall = now() AT TIME ZONE 'UTC' - interval '1 minute'
                WHERE active OR collection_job = 'followup'"""
        )
        cr.execute("SELECT count(*) FROM ir_cron WHERE active")
        return cr.fetchone()[0]


def _made(registry):
    with registry.cursor() as cr:
        cr.execute(
            """SELECT count(*), count(DISTINCT (company_id, partner_id, date)),
                      (SELECT count(*) FROM mail_mail mail
                         JOIN mail_message message ON message.id = mail.mail_message_id
                        WHERE message.model = 'collection.followup')
                 FROM collection_followup"""
        )
        return cr.fetchone()


def _measure(args, database, workers):
    """Run the jobs with ``workers`` processes; returns the wall time from the start
    signal to the last worker's end, and what each worker did."""
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(target=_worker, args=(args.config, database, ready, go, results))
        for _index in range(workers)
    ]
    for process in processes:
        process.start()
    for _process in processes:
        ready.get()
    started = time.perf_counter()
    go.set()
    per_worker = [results.get() for _process in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    return wall, per_worker


def step_workers(registry, probe, args):
    """The companies' follow-up jobs with 1, then 2 cron workers, each on a copy of the
    book as it is now (the copies are dropped afterwards), levels as the policies set
    them."""
    _compare_workers(registry, probe, args, send=False)


def step_workers_send(registry, probe, args):
    """The same, with every level acting at once: every follow-up emailed, with its
    statement where the level attaches one."""
    _compare_workers(registry, probe, args, send=True)


def _compare_workers(registry, probe, args, send):
    from odoo.modules.registry import Registry
    from odoo.service import db as db_service

    rows = {}
    for workers, copy in zip((1, 2), COPIES, strict=True):
        _drop(copy)
        db_service.exp_duplicate_database(args.database, copy)
        try:
            copy_registry = Registry(copy)
            jobs = _prepare(copy_registry, send)
            wall, per_worker = _measure(args, copy, workers)
            made, distinct, mails = _made(copy_registry)
        finally:
            _drop(copy)
        what = "every level sent" if send else "levels as set"
        row = {
            "name": f"daily follow-up jobs ({what}), {workers} cron worker(s)",
            "seconds": round(wall, 3),
            "queries": None,
            "peak_mb": None,
            "unit": "job",
            "units": jobs,
            "followups": made,
            "duplicates": made - distinct,
            "emails_queued": mails,
            "worker_seconds": [round(seconds, 3) for seconds, _runs in per_worker],
        }
        rows[workers] = row
        probe.rows.append(row)
        print(
            f"{row['name']:<52} {wall:>9.2f} s  | {jobs} jobs, {made} follow-ups "
            f"({row['duplicates']} duplicates), {mails} emails queued; workers ended after "
            f"{', '.join(f'{s:.1f} s' for s in row['worker_seconds'])}",
            flush=True,
        )
    one, two = rows[1]["seconds"], rows[2]["seconds"]
    if two:
        print(f"daily follow-up jobs ({what}), 1 worker / 2 workers: {one / two:.2f}x", flush=True)
