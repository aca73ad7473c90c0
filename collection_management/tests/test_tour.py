from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CollectionCommon, load_static_paths


class CollectionTourCommon(CollectionCommon, HttpCase):
    """One case of a collector's worklist, for the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_static_paths()
        today = fields.Date.today()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        customer = cls._customer("Tour Debtor Ltd", phone="+86 21 5555 0199")
        cls._invoice(customer, 1500, today - timedelta(days=40))
        cls.case = cls.env["collection.case"]._collection_sync(cls.company, today, customer)
        cls.case.write({"collector_id": cls.collector.id, "next_action_date": today})

    def _assert_call_with_promise_logged(self):
        promise = self.case.promise_ids
        self.assertEqual(promise.amount, 400)
        self.assertEqual(promise.state, "open")
        self.assertEqual(self.case.interaction_ids.user_id, self.collector)
        self.assertEqual(self.case.interaction_ids.note, "Transfer promised by the treasurer")
        self.assertEqual(self.case.stage_id.kind, "promised")


@tagged("post_install", "-at_install")
class TestCollectionTours(CollectionTourCommon):
    """A collector works a case in the browser; a manager sends it to legal action."""

    def test_collector_logs_a_call_with_a_promise(self):
        self.start_tour(
            "/odoo/action-collection_management.collection_case_action_worklist",
            "collection_collector_tour",
            login=self.collector.login,
        )
        self._assert_call_with_promise_logged()

    def test_chinese_collector_logs_a_call_with_a_promise(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["base", "web", "mail", "account", "collection_management"], ["zh_CN"]
        )
        self.collector.lang = "zh_CN"
        self.start_tour(
            "/odoo/action-collection_management.collection_case_action_worklist",
            "collection_collector_tour",
            login=self.collector.login,
        )
        self._assert_call_with_promise_logged()

    def test_manager_moves_a_case_to_legal(self):
        self.start_tour(
            f"/odoo/action-collection_management.collection_case_action/{self.case.id}",
            "collection_manager_legal_tour",
            login=self.manager.login,
        )
        self.assertTrue(self.case.legal_stage_id)
        self.assertEqual(self.case.stage_id.kind, "legal")

    def test_legal_officer_sends_a_demand_letter_on_letterhead(self):
        self.case._collection_escalate("Escalated for the tour")
        self.case.legal_user_id = self.legal_officer
        before = self.case.last_demand_date
        self.start_tour(
            "/odoo/action-collection_management.collection_case_action_legal",
            "collection_legal_letter_tour",
            login=self.legal_officer.login,
        )
        letter = self.env["ir.attachment"].search(
            [("res_model", "=", "collection.case"), ("res_id", "=", self.case.id)]
        )
        self.assertEqual(len(letter), 1)
        self.assertTrue(letter.name.endswith(".pdf"))
        # the letter's HTML (Odoo renders HTML while testing): the company letterhead
        html = letter.raw.decode(errors="replace")
        self.assertIn(self.company.name, html)
        self.assertIn("o_collection_letterhead", html)
        mail = self.env["mail.mail"].search(
            [("model", "=", "collection.case"), ("res_id", "=", self.case.id)]
        )
        self.assertIn(self.case.partner_id, mail.recipient_ids)
        self.assertEqual(self.case.last_demand_date, fields.Date.today())
        self.assertNotEqual(self.case.last_demand_date, before)


@tagged("post_install", "-at_install")
class TestCollectionMobileTours(CollectionTourCommon):
    """The same call on a phone (390x844, touch): the ranked worklist, the case, the
    call and the promise, without horizontal scrolling."""

    browser_size = "390x844"
    touch_enabled = True

    def test_collector_on_a_phone_logs_a_call_with_a_promise(self):
        self.start_tour(
            "/odoo/action-collection_management.collection_case_action_worklist",
            "collection_collector_mobile_tour",
            login=self.collector.login,
        )
        self._assert_call_with_promise_logged()
