from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TODAY, CollectionCommon

KINDS = {"followup", "cases", "promises", "charges"}


@tagged("post_install", "-at_install")
class TestCompanyJobs(CollectionCommon):
    """Each company has its own daily follow-up, case and promise jobs, so that the
    cron workers of a server run the companies side by side."""

    def _jobs(self, company):
        return (
            self.env["ir.cron"]
            .sudo()
            .with_context(active_test=False)
            .search([("collection_company_id", "=", company.id)])
        )

    def _run_job(self, company, kind, day=TODAY):
        """Run ``company``'s job as the cron worker does: its server action, as the
        job's user, with the job in the context, until it reports nothing left."""
        cron = self._jobs(company).filtered(lambda job: job.collection_job == kind)
        self.assertEqual(len(cron), 1)
        with freeze_time(day):
            for _call in range(10):
                _cron, progress = cron._add_progress()
                cron.ir_actions_server_id.with_user(cron.user_id).with_context(
                    cron_id=cron.id, ir_cron_progress_id=progress.id
                ).run()
                self.env.flush_all()
                if not progress.remaining:
                    break
        self.env.invalidate_all()
        return cron

    def test_each_company_has_its_own_jobs_named_after_it(self):
        for company in self.all_companies:
            jobs = self._jobs(company)
            self.assertEqual(set(jobs.mapped("collection_job")), KINDS)
            for job in jobs:
                self.assertTrue(job.active)
                self.assertIn(company.name, job.name)
                self.assertIn(f"company_id={company.id})", job.code)
        # the shipped jobs are only their models: they do not run all companies at once
        for kind in KINDS:
            template = self.env.ref(f"collection_management.ir_cron_collection_{kind}")
            self.assertFalse(template.active)
            job = self._jobs(self.company).filtered(lambda j, kind=kind: j.collection_job == kind)
            self.assertEqual(job.model_id, template.model_id)
            self.assertEqual(job.user_id, template.user_id)
            self.assertEqual(
                (job.interval_number, job.interval_type),
                (template.interval_number, template.interval_type),
            )

    def test_a_company_added_later_gets_its_jobs_at_night_in_its_time_zone(self):
        with freeze_time(datetime(2026, 6, 30, 12, 0)):
            company = self.env["res.company"].create({"name": "Shanghai Trading"})
            company.partner_id.tz = "Asia/Shanghai"
            # the jobs were made before the time zone was known: made again now
            self._jobs(company).unlink()
            self.env["res.company"]._collection_ensure_jobs_all()
        jobs = self._jobs(company)
        self.assertEqual(set(jobs.mapped("collection_job")), KINDS)
        followup = jobs.filtered(lambda job: job.collection_job == "followup")
        # 02:00 in Shanghai (UTC+8) the next night is 18:00 UTC the same day
        self.assertEqual(followup.nextcall, datetime(2026, 6, 30, 18, 0))
        self.assertIn("Shanghai Trading", followup.name)
        # a company without a time zone: 02:00 UTC the next day
        with freeze_time(datetime(2026, 6, 30, 12, 0)):
            plain = self.env["res.company"].create({"name": "Plain Trading"})
        plain_followup = self._jobs(plain).filtered(lambda job: job.collection_job == "followup")
        self.assertEqual(plain_followup.nextcall, datetime(2026, 7, 1, 2, 0))

    def test_renamed_company_has_its_jobs_renamed(self):
        self.company_b.name = "Renamed Trading"
        for job in self._jobs(self.company_b):
            self.assertIn("(Renamed Trading)", job.name)
        copy = self._jobs(self.company_b)[:1].copy()
        self.assertFalse(copy.collection_company_id)

    def test_making_the_jobs_again_makes_only_the_missing_ones(self):
        jobs = self._jobs(self.company)
        self.env["res.company"]._collection_ensure_jobs_all()
        self.assertEqual(self._jobs(self.company), jobs)
        cases = jobs.filtered(lambda job: job.collection_job == "cases")
        cases.unlink()
        self.env["res.company"]._collection_ensure_jobs_all()
        again = self._jobs(self.company)
        self.assertEqual(len(again), len(KINDS))
        self.assertEqual(again & jobs, jobs - cases)

    def test_archived_company_has_its_jobs_paused_and_a_deleted_one_loses_them(self):
        company = self.env["res.company"].create({"name": "Short-lived Ltd"})
        jobs = self._jobs(company)
        actions = jobs.ir_actions_server_id
        self.assertEqual(len(jobs), len(KINDS))
        company.active = False
        self.assertFalse(any(jobs.mapped("active")))
        company.active = True
        self.assertTrue(all(jobs.mapped("active")))
        # its policy goes first (a company's default policy is kept while in use)
        policy = company.collection_policy_id
        company.collection_policy_id = False
        policy.unlink()
        company.unlink()
        self.assertFalse(jobs.exists())
        self.assertFalse(actions.exists())

    def test_job_of_a_company_gone_or_archived_does_nothing(self):
        self._overdue_customer("Gone Ltd", days=30)
        followups = self.env["collection.followup"].sudo()
        with freeze_time(TODAY):
            followups._cron_collection_followup(company_id=10**9)
            self.env["collection.case"]._cron_collection_cases(company_id=10**9)
            self.env["collection.promise"]._cron_collection_promises(company_id=10**9)
        self.assertFalse(followups.search([("company_id", "=", self.company.id)]))
        with self.assertRaises(ValueError):
            followups._cron_collection_followup(company_id="1; drop table res_partner")

    def test_company_job_works_for_its_company_only(self):
        customer_a = self._overdue_customer("Alpha Ltd", days=30)
        customer_b = self._overdue_customer("Beta Ltd", days=30, company=self.company_b)
        followups = self.env["collection.followup"].sudo()
        self._run_job(self.company, "followup")
        made = followups.search([("date", "=", TODAY)])
        self.assertEqual(made.partner_id, customer_a)
        self.assertEqual(made.company_id, self.company)
        invoice_b = self.env["account.move"].search([("partner_id", "=", customer_b.id)])
        self.assertFalse(invoice_b.collection_level_id)
        self._run_job(self.company_b, "followup")
        made_b = followups.search([("date", "=", TODAY), ("company_id", "=", self.company_b.id)])
        self.assertEqual(made_b.partner_id, customer_b)
        self.assertTrue(invoice_b.collection_level_id)
        # each customer is reminded once a day, however often the job runs
        self._run_job(self.company, "followup")
        self._run_job(self.company_b, "followup")
        self.assertEqual(followups.search_count([("date", "=", TODAY)]), 2)

    def test_company_case_and_promise_jobs_work_for_their_company_only(self):
        self.company.collection_case_min_amount = self.company_b.collection_case_min_amount = 1
        self.company.collection_case_min_days = self.company_b.collection_case_min_days = 1
        customer_a = self._overdue_customer("Alpha Ltd", days=30)
        customer_b = self._overdue_customer("Beta Ltd", days=30, company=self.company_b)
        # the database may hold other customers (demo data): only these two are looked at
        ours = (customer_a | customer_b).ids
        cases = self.env["collection.case"].sudo()
        self._run_job(self.company, "cases")
        self.assertEqual(cases.search([("partner_id", "in", ours)]).partner_id, customer_a)
        self._run_job(self.company_b, "cases")
        case_b = cases.search([("company_id", "=", self.company_b.id), ("partner_id", "in", ours)])
        self.assertEqual(case_b.partner_id, customer_b)
        case_a = cases.search([("company_id", "=", self.company.id), ("partner_id", "in", ours)])
        with freeze_time(TODAY):
            promise_a = self._promise(case_a, amount=100, days=2)
            promise_b = self._promise(case_b, amount=100, days=2)
        later = TODAY + timedelta(days=30)
        self._run_job(self.company, "promises", day=later)
        self.assertEqual(promise_a.state, "broken")
        self.assertEqual(promise_b.state, "open")
        self._run_job(self.company_b, "promises", day=later)
        self.assertEqual(promise_b.state, "broken")

    def test_company_charges_job_proposes_charges_of_its_company_only(self):
        for policy in (self.policy, self.policy_b):
            policy.write({"interest_rate": 12, "interest_grace_days": 0})
        customer_a = self._overdue_customer("Alpha Ltd", days=100)
        customer_b = self._overdue_customer("Beta Ltd", days=100, company=self.company_b)
        ours = [("partner_id", "in", (customer_a | customer_b).ids)]
        charges = self.env["collection.charge"].sudo()
        self._run_job(self.company, "charges")
        self.assertEqual(charges.search(ours).partner_id, customer_a)
        self._run_job(self.company_b, "charges")
        made_b = charges.search([("company_id", "=", self.company_b.id), *ours])
        self.assertEqual(made_b.partner_id, customer_b)
        self.assertEqual(made_b.kind, "interest")

    def test_company_job_runs_on_the_company_local_date(self):
        # at noon UTC on 30 June it is already 1 July on Kiritimati (UTC+14)
        self.company.partner_id.tz = "Pacific/Kiritimati"
        self._overdue_customer("Island Ltd", days=30)
        with freeze_time(datetime(2026, 6, 30, 12, 0)):
            self.env["collection.followup"]._cron_collection_followup(company_id=self.company.id)
        made = self.env["collection.followup"].sudo().search([("company_id", "=", self.company.id)])
        self.assertEqual(made.date, TODAY + timedelta(days=1))

    def test_customer_held_by_another_run_is_looked_at_again_a_minute_later(self):
        # a committed partner row, so that a second connection can lock it
        customer = self.env.ref("base.public_partner")
        cron = self._jobs(self.company).filtered(lambda job: job.collection_job == "followup")
        triggers = self.env["ir.cron.trigger"].sudo()
        with self.registry.cursor() as other:
            other.execute(
                "SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE", [customer.id]
            )
            self._invoice(customer, 1000, TODAY - timedelta(days=30))
            with freeze_time(datetime(2026, 6, 30, 12, 0)):
                self.env["collection.followup"].with_context(
                    cron_id=cron.id
                )._cron_collection_followup(company_id=self.company.id)
            other.rollback()
        followups = self.env["collection.followup"].sudo()
        self.assertFalse(followups.search([("partner_id", "=", customer.id)]))
        retry = triggers.search([("cron_id", "=", cron.id)])
        self.assertEqual(retry.call_at, datetime(2026, 6, 30, 12, 1))
        self._run_job(self.company, "followup")
        made = followups.search([("partner_id", "=", customer.id)])
        self.assertEqual(len(made), 1)

    def test_only_administrators_see_and_change_the_company_jobs(self):
        self.records = {"job": self._jobs(self.company)[:1]}
        for user in (self.collector, self.legal_officer, self.manager, self.billing):
            self.assertRights(user, {"job": ""})
        self.assertRights(self.env.ref("base.user_admin"), {"job": "rwcu"})
