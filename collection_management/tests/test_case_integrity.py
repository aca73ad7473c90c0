import json
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CollectionCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestCaseWritesGoThroughActions(CollectionCommon):
    """A collector's plain write (form, kanban drag, RPC) cannot do what only the
    collection process or a manager's action may do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.customer = cls._customer("Owing Ltd")
        cls.other_customer = cls._customer("Bystander Ltd")
        cls.invoice = cls._invoice(cls.customer, 1000, TODAY - timedelta(days=40))
        with freeze_time(TODAY):
            cls.case = cls.env["collection.case"]._collection_sync(cls.company, TODAY)
        cls.case.collector_id = cls.collector
        cls.stages = cls.env["collection.stage"]
        cls.closed = cls.stages._collection_stage("closed")
        cls.progress = cls.stages._collection_stage("progress")
        cls.legal = cls.stages._collection_stage("legal")

    def _as_collector(self):
        return self.case.with_user(self.collector)

    def test_collector_cannot_close_or_escalate_by_moving_the_stage(self):
        case = self._as_collector()
        for stage in (self.closed, self.stages._collection_stage("returned"), self.legal):
            with self.subTest(stage=stage.name), self.assertRaises(UserError):
                case.write({"stage_id": stage.id})
        self.assertFalse(self.case.is_closed)
        self.assertGreater(self.case.amount_due, 0)
        case.write({"stage_id": self.progress.id})
        self.assertEqual(self.case.stage_id, self.progress, "open stages stay free to move")

    def test_manager_cannot_close_by_dragging_either(self):
        with self.assertRaisesText(UserError, "Close"):
            self.case.with_user(self.manager).write({"stage_id": self.closed.id})

    def test_closed_case_is_reopened_only_by_the_action(self):
        with freeze_time(TODAY):
            self.case._collection_close("settled", "agreement")
        with self.assertRaisesText(UserError, "Reopen"):
            self._as_collector().write({"stage_id": self.progress.id})
        with self.assertRaises(UserError):
            self._as_collector().action_reopen()
        self.case.with_user(self.manager).action_reopen()
        self.assertFalse(self.case.is_closed)
        self.assertFalse(self.case.close_reason)

    def test_process_fields_refuse_plain_writes(self):
        case = self._as_collector()
        attempts = {
            "close_reason": "written_off",
            "date_closed": TODAY,
            "close_note": "gone",
            "amount_due": 0.0,
            "amount_recovered": 1000.0,
            "recovery_rate": 100.0,
            "partner_id": self.other_customer.id,
            "company_id": self.company_b.id,
            "legal_request_user_id": self.manager.id,
            "date_open": TODAY - timedelta(days=400),
            "priority_score": 0.0,
        }
        for name, value in attempts.items():
            with self.subTest(field=name), self.assertRaisesText(UserError, "collection process"):
                case.write({name: value})
        self.case.invalidate_recordset()
        self.assertAlmostEqual(self.case.amount_due, 1000)
        self.assertEqual(self.case.partner_id, self.customer)
        self.assertEqual(self.invoice.collection_case_id, self.case)
        self.assertFalse(self.case.close_reason)

    def test_stored_amounts_are_never_written_by_a_manager_either(self):
        with self.assertRaises(UserError):
            self.case.with_user(self.manager).write({"amount_due": 1.0})

    def test_collector_takes_unassigned_cases_only_for_themself(self):
        self.case.collector_id = False
        with self.assertRaisesText(UserError, "Only a collection manager assigns"):
            self.case.with_user(self.collector).write({"collector_id": self.collector_2.id})
        self.case.with_user(self.collector).write({"collector_id": self.collector.id})
        self.assertEqual(self.case.collector_id, self.collector)
        with self.assertRaises(UserError):
            self.case.with_user(self.collector).write({"collector_id": False})

    def test_collector_cannot_make_a_closed_case_by_hand(self):
        cases = self.env["collection.case"].with_user(self.collector)
        with self.assertRaises(UserError):
            cases.create(
                {
                    "partner_id": self.other_customer.id,
                    "stage_id": self.closed.id,
                    "close_reason": "paid",
                }
            )

    def test_the_process_still_moves_the_case(self):
        """Contacts and promises logged by the collector move the case as before."""
        self.env["collection.interaction"].with_user(self.collector).create(
            {"case_id": self.case.id, "channel": "call", "outcome": "reached"}
        )
        self.assertEqual(self.case.stage_id.kind, "progress")


@tagged("post_install", "-at_install")
class TestCaseWritesOverJsonRpc(HttpCase):
    """The same protections hold for a collector calling the server over JSON-RPC."""

    def _call(self, model, method, args, kwargs=None):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_collector_cannot_close_a_case_over_rpc(self):
        collector = new_test_user(
            self.env,
            login="rpc_collector",
            password="rpc_collector_pw",
            groups="base.group_user,collection_management.group_collection_collector",
        )
        partner = self.env["res.partner"].create({"name": "RPC Debtor"})
        case = self.env["collection.case"].create(
            {"partner_id": partner.id, "collector_id": collector.id}
        )
        closed = self.env["collection.stage"]._collection_stage("closed")
        self.authenticate("rpc_collector", "rpc_collector_pw")
        for values in (
            {"stage_id": closed.id},
            {"close_reason": "paid"},
            {"amount_recovered": 5000},
        ):
            with self.subTest(values=values):
                answer = self._call("collection.case", "write", [case.ids, values])
                self.assertIn("error", answer)
                self.assertEqual(
                    answer["error"]["data"]["name"], "odoo.exceptions.UserError", answer
                )
        case.invalidate_recordset()
        self.assertFalse(case.is_closed)
        self.assertFalse(case.close_reason)
        self.assertEqual(case.amount_recovered, 0)
        # what a collector may do still works over RPC
        progress = self.env["collection.stage"]._collection_stage("progress")
        answer = self._call("collection.case", "write", [case.ids, {"stage_id": progress.id}])
        self.assertIs(answer.get("result"), True, answer)


@tagged("post_install", "-at_install")
class TestLegalAmountsAreNumbers(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partner = cls._customer("Sued Ltd")
        cls.case = cls.env["collection.case"].create({"partner_id": partner.id})

    def test_nan_infinite_and_negative_claims_are_refused(self):
        for value in (float("nan"), float("inf"), -5.0):
            for name in ("legal_claim_principal", "legal_judgment_amount"):
                with self.subTest(field=name, value=value), self.assertRaises(ValidationError):
                    self.case.with_user(self.legal_officer).write({name: value})

    def test_legal_cost_needs_a_real_amount_and_a_description(self):
        costs = self.env["collection.legal.cost"].with_user(self.manager)
        for values in (
            {"description": "Court fee", "amount": float("nan")},
            {"description": "Court fee", "amount": float("inf")},
            {"description": "   ", "amount": 50},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                costs.create({"case_id": self.case.id, **values})


@tagged("post_install", "-at_install")
class TestStagesShareTheirRules(CollectionCommon):
    def test_stages_holding_cases_cannot_be_deleted_and_need_a_name(self):
        partner = self._customer("Staged Ltd")
        case = self.env["collection.case"].create({"partner_id": partner.id})
        legal_stage = self.env["collection.legal.stage"].search([], limit=1)
        case.sudo().legal_stage_id = legal_stage
        for stage in (case.stage_id, legal_stage):
            with self.subTest(model=stage._name):
                with self.assertRaisesText(UserError, "still holds cases"):
                    stage.unlink()
                with self.assertRaises(ValidationError):
                    stage.copy({"name": "   "})
                empty = stage.copy({"name": f"Empty {stage._name}"})
                empty.unlink()
                self.assertFalse(empty.exists())


@tagged("post_install", "-at_install")
class TestPaidCaseOwingAgain(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.customer = cls._customer("Bouncing Ltd")
        cls.invoice = cls._invoice(cls.customer, 600, TODAY - timedelta(days=40))
        with freeze_time(TODAY):
            cls.case = cls.env["collection.case"]._collection_sync(cls.company, TODAY)

    def test_case_closed_as_paid_reopens_when_the_payment_is_taken_off(self):
        payment = self._pay(self.invoice, 600, TODAY)
        with freeze_time(TODAY):
            self.env["collection.case"]._cron_collection_cases()
        self.assertEqual((self.case.is_closed, self.case.close_reason), (True, "paid"))
        # the payment bounced: the accountant takes it off the invoice
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertFalse(self.case.is_closed)
        self.assertFalse(self.case.close_reason)
        self.assertAlmostEqual(self.case.amount_due, 600)
        self.assertIn("open again", self.case.message_ids[0].body)

    def test_case_closed_by_hand_stays_closed(self):
        with freeze_time(TODAY):
            self.case._collection_close("written_off", "bankrupt")
        payment = self._pay(self.invoice, 100, TODAY)
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertTrue(self.case.is_closed)
        self.assertEqual(self.case.close_reason, "written_off")

    def test_payment_made_before_joining_and_reversed_later_is_assigned_to_the_case(self):
        late = self._invoice(self.customer, 500, TODAY - timedelta(days=35))
        payment = self._pay(late, 200, TODAY - timedelta(days=1))
        with freeze_time(TODAY):
            self.env["collection.case"]._cron_collection_cases()
        self.assertEqual(late.collection_case_id, self.case)
        self.assertAlmostEqual(late.collection_case_assigned, 300)
        payment.move_id.line_ids.remove_move_reconcile()
        case = self.case
        self.assertAlmostEqual(case.amount_due, 1100)
        self.assertAlmostEqual(case.amount_assigned, 1100)
        self.assertAlmostEqual(
            case.amount_recovered + case.amount_credited + case.amount_due, case.amount_assigned
        )
