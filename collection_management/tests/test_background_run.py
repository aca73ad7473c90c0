from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import TODAY, CollectionCommon


@tagged("post_install", "-at_install")
class TestBackgroundRun(CollectionCommon):
    """Above the company's threshold, "Run follow-ups" and "Send" go to the background
    job, which works in batches, shows its progress and tells the user when done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.collection_background_run_threshold = 2
        cls.run_model = cls.env["collection.background.run"]
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Late payer {index}", "email": f"late{index}@ex.com"} for index in range(3)]
        )
        for customer in cls.customers:
            cls._invoice(customer, 1000, TODAY - timedelta(days=10))

    def _wizard(self, user=None, **values):
        wizard_model = self.env["collection.followup.run"]
        if user:
            wizard_model = wizard_model.with_user(user)
        with freeze_time(TODAY):
            wizard = wizard_model.create({"company_id": self.company.id, "date": TODAY, **values})
            return wizard, wizard.action_run()

    def _cron(self):
        with (
            freeze_time(TODAY),
            patch.object(type(self.run_model), "BATCH_SIZE", 2),
        ):
            self.run_model._cron_collection_background()

    def _followups(self):
        return self.env["collection.followup"].search([("partner_id", "in", self.customers.ids)])

    def test_run_above_the_threshold_goes_to_the_background_in_batches(self):
        _wizard, action = self._wizard(user=self.billing)
        self.assertEqual(action["res_model"], "collection.background.run")
        job = self.run_model.browse(action["res_id"])
        self.assertEqual((job.kind, job.state, job.total), ("run", "queued", 3))
        self.assertEqual(job.user_id, self.billing)
        self.assertFalse(self._followups(), "nothing ran inside the request")
        self.assertTrue(
            self.env["ir.cron.trigger"].search_count(
                [
                    (
                        "cron_id",
                        "=",
                        self.env.ref("collection_management.ir_cron_collection_background").id,
                    )
                ]
            ),
            "the background job was woken",
        )
        self._cron()
        self.assertEqual((job.state, job.done_count), ("running", 2))
        self.assertAlmostEqual(job.progress, 200 / 3, places=2)
        self._cron()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.progress, 100)
        self.assertEqual(len(self._followups()), 3)
        self.assertEqual(job.followup_ids, self._followups())
        self.assertEqual(len(self._followups().mail_id), 3, "the automatic level emailed")
        note = job.message_ids.filtered(lambda m: self.billing.partner_id in m.partner_ids)
        self.assertEqual(len(note), 1, "the user who asked is told on the run's chatter")
        self.assertIn("3 follow-up(s) Done", note.body)
        self._cron()
        self.assertEqual(len(self._followups()), 3, "no duplicate when the job runs again")

    def test_run_at_or_below_the_threshold_runs_at_once(self):
        self.company.collection_background_run_threshold = 3
        wizard, action = self._wizard()
        self.assertEqual(action["res_model"], "collection.followup.run")
        self.assertEqual(wizard.state, "done")
        self.assertEqual(len(self._followups()), 3)
        self.assertFalse(self.run_model.search([]))

    def test_sending_many_drafts_goes_to_the_background(self):
        self.policy.level_ids.write({"auto_execute": False})
        self.company.collection_background_run_threshold = 3
        self._wizard()
        drafts = self._followups()
        self.assertEqual(set(drafts.mapped("state")), {"draft"})
        self.company.collection_background_run_threshold = 2
        with freeze_time(TODAY):
            action = drafts.with_user(self.billing).action_send()
        job = self.run_model.browse(action["res_id"])
        self.assertEqual((job.kind, job.total, job.followup_ids), ("send", 3, drafts))
        self.assertEqual(set(drafts.mapped("state")), {"draft"}, "nothing sent in the request")
        self._cron()
        self.assertEqual(sorted(drafts.mapped("state")), ["done", "done", "draft"])
        self._cron()
        self.assertEqual(set(drafts.mapped("state")), {"done"})
        self.assertEqual(len(drafts.mail_id), 3)
        self.assertEqual(job.state, "done")

    def test_threshold_is_bounded(self):
        for value in (0, -5, 2000000):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self.company.collection_background_run_threshold = value

    def test_rights_on_background_runs(self):
        _wizard, action = self._wizard()
        self.records = {"job": self.run_model.browse(action["res_id"])}
        self.assertRights(self.billing, {"job": "r"})
        self.assertRights(self.manager, {"job": "r"})
        self.assertRights(self.collector, {"job": ""})
        self.assertRights(self.manager_b, {"job": ""})
        job = self.records["job"]
        with self.assertRaises(AccessError):
            job.with_user(self.manager).write({"state": "done"})
        with self.assertRaises(AccessError):
            self.run_model.with_user(self.billing).create(
                {
                    "kind": "run",
                    "company_id": self.company.id,
                    "user_id": self.billing.id,
                    "date": TODAY,
                }
            )
