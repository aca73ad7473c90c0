from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CollectionCommon, load_static_paths


@tagged("post_install", "-at_install")
class TestCollectionTours(CollectionCommon, HttpCase):
    """A collector works a case in the browser; a manager sends it to legal action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_static_paths()
        today = fields.Date.today()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        customer = cls._customer("Tour Debtor Ltd")
        cls._invoice(customer, 1500, today - timedelta(days=40))
        cls.case = cls.env["collection.case"]._collection_sync(cls.company, today, customer)
        cls.case.write({"collector_id": cls.collector.id, "next_action_date": today})

    def test_collector_logs_a_call_with_a_promise(self):
        self.start_tour(
            "/odoo/action-collection_management.collection_case_action_worklist",
            "collection_collector_tour",
            login=self.collector.login,
        )
        promise = self.case.promise_ids
        self.assertEqual(promise.amount, 400)
        self.assertEqual(promise.state, "open")
        self.assertEqual(self.case.interaction_ids.user_id, self.collector)
        self.assertEqual(self.case.stage_id.kind, "promised")

    def test_manager_moves_a_case_to_legal(self):
        self.start_tour(
            f"/odoo/action-collection_management.collection_case_action/{self.case.id}",
            "collection_manager_legal_tour",
            login=self.manager.login,
        )
        self.assertTrue(self.case.legal_stage_id)
        self.assertEqual(self.case.stage_id.kind, "legal")
