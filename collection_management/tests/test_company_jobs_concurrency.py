"""The follow-up jobs of two companies in two transactions at once, as two cron workers
run them: committed data, each job in its own connection, and everything removed at
the end (the test commits)."""

from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase, tagged

# a job that had to wait for the other's locks fails instead of hanging the test
LOCK_TIMEOUT = "10s"


def _purge(env, companies, partners):
    """Remove ``companies``, everything bound to them, and ``partners``."""
    env = env(context={"active_test": False, "force_delete": True})
    moves = env["account.move"].search([("company_id", "in", companies.ids)])
    moves.filtered(lambda move: move.state == "posted").button_draft()
    companies.write({"collection_policy_id": False})
    bound = [
        model
        for model in env.registry.values()
        if model._auto
        and not model._abstract
        and not model._transient
        and model._name not in ("res.company", "res.partner")
        and any(
            name in model._fields and model._fields[name].store
            for name in ("company_id", "company_ids")
        )
    ]
    for _round in range(5):
        left = False
        for model in bound:
            field = "company_id" if "company_id" in model._fields else "company_ids"
            records = env[model._name].search([(field, "in", companies.ids)])
            if not records:
                continue
            try:
                with env.cr.savepoint():
                    records.unlink()
            except Exception:  # removed in a later round, after what uses it
                left = True
        if not left:
            break
    company_partners = companies.partner_id
    # what Odoo leaves behind when a company is deleted
    left_behind = (companies.resource_calendar_id, companies.sudo().batch_payment_sequence_id)
    companies.unlink()
    (partners | company_partners).unlink()
    for records in left_behind:
        records.exists().unlink()


@tagged("post_install", "-at_install")
class TestCompanyJobsConcurrency(TransactionCase):
    def _book(self, env):
        """Two companies, three customers of their own each and one customer of both,
        every one with an invoice 30 days overdue."""
        today = fields.Date.context_today(env["res.partner"])
        companies = env["res.company"]
        for name in ("Concurrent East Ltd", "Concurrent West Ltd"):
            company = env["res.company"].create({"name": name})
            env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
            companies |= company
        shared = env["res.partner"].create(
            {"name": "Both Sides Ltd", "email": "ar@both.example.com"}
        )
        partners = shared
        for company in companies:
            own = env["res.partner"].create(
                [
                    {
                        "name": f"{company.name} customer {index}",
                        "email": f"ar{index}.{company.id}@example.com",
                        "company_id": company.id,
                    }
                    for index in range(3)
                ]
            )
            partners |= own
            self._invoices(env, company, own | shared, today - timedelta(days=30))
        return companies, shared, partners

    def _invoices(self, env, company, partners, due):
        env = env(context={"allowed_company_ids": company.ids})
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create({"name": "Goods", "quantity": 1, "price_unit": 1000})
                    ],
                }
                for partner in partners
            ]
        )
        moves.action_post()

    def _job(self, env, company):
        return env["ir.cron"].search(
            [("collection_company_id", "=", company.id), ("collection_job", "=", "followup")]
        )

    def _run_job(self, cr, company_id):
        """One call of a company's follow-up job in transaction ``cr``, the way the
        cron worker makes it: the job's server action as the job's user."""
        cr.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        env = api.Environment(cr, SUPERUSER_ID, {})
        cron = self._job(env, env["res.company"].browse(company_id))
        action = cron.ir_actions_server_id.with_user(cron.user_id)
        action.with_context(cron_id=cron.id).run()
        env.flush_all()
        return cron

    def _followups(self, cr, company_ids):
        cr.execute(
            """SELECT company_id, partner_id, count(*) FROM collection_followup
                WHERE company_id = ANY(%s) GROUP BY company_id, partner_id""",
            [company_ids],
        )
        return {(company, partner): count for company, partner, count in cr.fetchall()}

    def _with_book(self, check):
        """Make the book (committed), call ``check(east_id, west_id, shared_id)``, then
        remove the book and what the jobs left in Odoo's queues."""
        with self.registry.cursor() as cr:
            cr.execute("SELECT coalesce(max(id), 0) FROM ir_cron_trigger")
            last_trigger = cr.fetchone()[0]
            companies, shared, partners = self._book(api.Environment(cr, SUPERUSER_ID, {}))
            ids, partner_ids = companies.ids, partners.ids
        try:
            check(*ids, shared.id)
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                _purge(env, env["res.company"].browse(ids), env["res.partner"].browse(partner_ids))
                cr.execute("DELETE FROM ir_cron_trigger WHERE id > %s", [last_trigger])

    def _assert_each_reminded_once(self, east_id, west_id, shared_id):
        with self.registry.cursor() as cr:
            counts = self._followups(cr, [east_id, west_id])
            env = api.Environment(cr, SUPERUSER_ID, {})
            own = env["res.partner"].search([("company_id", "in", [east_id, west_id])])
            expected = {(partner.company_id.id, partner.id): 1 for partner in own}
            expected.update({(east_id, shared_id): 1, (west_id, shared_id): 1})
            # every customer of each company reminded once, by its company's job
            self.assertEqual(counts, expected)

    def _retries(self, cr, cron):
        cr.execute("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s", [cron.id])
        return cr.fetchone()[0]

    def test_two_companies_jobs_run_at_once_without_waiting_or_duplicates(self):
        def check(east_id, west_id, shared_id):
            self._concurrent_runs(east_id, west_id, shared_id)
            self._assert_each_reminded_once(east_id, west_id, shared_id)

        self._with_book(check)

    def test_customer_changed_by_the_other_company_meanwhile_is_left_for_later(self):
        def check(east_id, west_id, shared_id):
            with self.registry.cursor() as west:
                # West's batch has begun (its snapshot of the book is taken) ...
                west.execute("SELECT count(*) FROM res_partner")
                with self.registry.cursor() as east:
                    # ... when East's run puts the customer of both on credit hold
                    env = api.Environment(east, SUPERUSER_ID, {})
                    env["res.partner"].browse(shared_id).collection_credit_hold = True
                cron = self._run_job(west, west_id)
                made = self._followups(west, [west_id])
                self.assertEqual(len(made), 3)
                self.assertEqual(self._retries(west, cron), 1)
                # left for later, not reported as a failure of the job
                west.execute(
                    "SELECT count(*) FROM mail_message WHERE body::text LIKE %s",
                    ["%could not process%"],
                )
                self.assertEqual(west.fetchone()[0], 0)
            with self.registry.cursor() as west:
                self._run_job(west, west_id)
            with self.registry.cursor() as east:
                self._run_job(east, east_id)
            self._assert_each_reminded_once(east_id, west_id, shared_id)

        self._with_book(check)

    def _concurrent_runs(self, east_id, west_id, shared_id):
        with self.registry.cursor() as east:
            # East's job is in the middle of its batch: its customers are locked
            self._run_job(east, east_id)
            self.assertEqual(len(self._followups(east, [east_id])), 4)
            with self.registry.cursor() as west:
                # West's job runs to its end meanwhile, without waiting for East (a
                # wait would exceed the lock timeout and fail); the customer of both
                # companies, held by East, is left for a minute later
                cron = self._run_job(west, west_id)
                made = self._followups(west, [west_id])
                self.assertEqual(len(made), 3)
                self.assertNotIn((west_id, shared_id), made)
                self.assertEqual(self._retries(west, cron), 1)
            with self.registry.cursor() as manual:
                # an accountant's "Run follow-ups" in East meanwhile sends nothing twice
                manual.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                env = api.Environment(manual, SUPERUSER_ID, {})
                summary = env["collection.followup"]._collection_run(
                    env["res.company"].browse(east_id)
                )
                self.assertFalse(summary["followups"])
                self.assertEqual(summary["skipped"].get("locked"), 4)
        # East committed: West's second look reminds the customer of both companies
        with self.registry.cursor() as west:
            self._run_job(west, west_id)
        with self.registry.cursor() as east:
            self._run_job(east, east_id)
