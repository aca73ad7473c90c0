import base64
import io
from datetime import date

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from ..demo.generator import DemoBook
from .common import CollectionCommon


@tagged("post_install", "-at_install")
class TestDemoGenerator(CollectionCommon):
    @freeze_time("2026-06-30")
    def test_generates_posted_invoices_spread_over_due_dates(self):
        generator = DemoBook(self.env, self.company)
        before = self.env["account.move"].search_count([("move_type", "=", "out_invoice")])
        result = generator.generate(customers=12, invoices=60, seed=7)
        self.assertEqual(result["partners"], 12)
        self.assertEqual(result["invoices"], 60)
        moves = self.env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("company_id", "=", self.company.id)],
            order="id desc",
            limit=60,
        )
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_invoice")]),
            before + 60,
        )
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        today = date(2026, 6, 30)
        offsets = [(due - today).days for due in moves.mapped("invoice_date_due")]
        self.assertTrue(all(-400 <= offset <= 20 for offset in offsets))
        self.assertTrue(any(offset < -90 for offset in offsets))
        self.assertTrue(any(offset > 0 for offset in offsets))
        states = set(moves.mapped("payment_state"))
        self.assertIn("not_paid", states)
        self.assertTrue(states & {"partial", "paid", "in_payment"})
        self.assertTrue(all(moves.partner_id.mapped("customer_rank")))

    def test_same_seed_same_amounts(self):
        generator = DemoBook(self.env, self.company)
        generator.generate(customers=3, invoices=5, seed=3)
        first = (
            self.env["account.move"]
            .search([("move_type", "=", "out_invoice")], order="id desc", limit=5)
            .mapped("amount_total")
        )
        generator.generate(customers=3, invoices=5, seed=3)
        second = (
            self.env["account.move"]
            .search([("move_type", "=", "out_invoice")], order="id desc", limit=5)
            .mapped("amount_total")
        )
        self.assertEqual(first, second)

    def test_two_companies(self):
        generator = DemoBook(self.env, self.company)
        result = generator.generate(customers=4, invoices=10, companies=2, seed=1)
        second = self.env["res.company"].search([("name", "=", "Collections Demo Asia Ltd.")])
        self.assertTrue(second)
        self.assertTrue(second.chart_template)
        self.assertTrue(second.collection_policy_id)
        self.assertEqual(result["invoices"], 10)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("move_type", "=", "out_invoice"), ("company_id", "=", second.id)]
            ),
            5,
        )

    def test_bad_arguments(self):
        with self.assertRaises(UserError):
            DemoBook(self.env).generate(customers=0, invoices=5)
        with self.assertRaises(UserError):
            DemoBook(self.env(user=self.collector, su=False)).generate(customers=1, invoices=1)

    def test_story_puts_customers_in_every_stage(self):
        generator = DemoBook(self.env, self.company)
        generator.generate(customers=15, invoices=90, seed=11)
        result = generator.story()
        self.assertGreaterEqual(result["cases"], 7)
        cases = self.env["collection.case"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(cases.filtered("legal_stage_id")), 1)
        self.assertEqual(
            set(cases.filtered("is_closed").mapped("close_reason")), {"settled", "returned"}
        )
        states = set(cases.promise_ids.mapped("state"))
        self.assertTrue({"open", "broken"} <= states, states)
        self.assertTrue(cases.filtered("disputed_count"))
        collectors = cases.collector_id
        self.assertEqual(set(collectors.mapped("login")), {"collector.li", "collector.tom"})
        self.assertTrue(
            self.env["collection.followup"].search_count([("company_id", "=", self.company.id)])
        )
        with self.assertRaises(UserError):
            DemoBook(self.env(user=self.collector, su=False), self.company).story()

    def test_story_gives_the_manager_a_month_of_money_targets_and_a_trend(self):
        generator = DemoBook(self.env, self.company)
        generator.generate(customers=20, invoices=120, seed=7)
        generator.story()
        today = fields.Date.context_today(self.env["collection.case"])
        snapshots = self.env["collection.snapshot"].search(
            [("company_id", "=", self.company.id), ("collector_id", "=", False)]
        )
        self.assertEqual(len(snapshots), 13, "a snapshot a week for a quarter, and today's")
        self.assertGreater(len(set(snapshots.mapped("amount_open"))), 1, "a trend, not a line")
        today_snapshot = snapshots.filtered(lambda s: s.date == today)
        self.assertGreater(today_snapshot.amount_recovered, 0, "money collected this month")
        self.assertGreater(today_snapshot.amount_target, 0, "the collectors' targets")
        legal = self.env["collection.case"].search(
            [("company_id", "=", self.company.id), ("legal_stage_id", "!=", False)]
        )
        self.assertNotEqual(legal.partner_id.collection_risk, "low", "rated from the start")
        overview = self.env["collection.overview"].create({})
        self.assertGreater(overview.recovered_month, 0)
        self.assertGreater(overview.recovery_rate, 0)
        # loading the story again keeps one target per collector and month
        generator.story()
        targets = self.env["collection.target"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(targets), len(targets.collector_id))

    def test_no_rpc_call_reaches_the_demo_book(self):
        """The demo story creates users whose password is their login: the book is plain
        Python, and the demo data's entry point is a private method."""
        self.assertNotIn("collection.demo.generator", self.env.registry)
        with self.assertRaises(AccessError):
            get_public_method(self.env["res.company"], "_collection_demo_load")

    @freeze_time("2026-06-30")
    def test_demo_story_has_reminders_sent_and_every_report_exports(self):
        """The demo database shows invoices moved to follow-up levels by a run, and
        every Excel report opens on it."""
        generator = DemoBook(self.env, self.company)
        generator.generate(customers=15, invoices=90, seed=11)
        generator.story()
        invoices = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        self.assertTrue(invoices.filtered("collection_level_id"), "reminders were sent")
        self.assertTrue(
            self.env["collection.followup"].search_count(
                [("company_id", "=", self.company.id), ("state", "=", "done")]
            )
        )
        today = date(2026, 6, 30)
        for report_type in ("aging", "collector", "cases", "overdue_list"):
            wizard = self.env["collection.report.wizard"].create(
                {"report_type": report_type, "date": today, "date_from": date(2026, 1, 1)}
            )
            wizard.action_export()
            book = load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
            sheet = book.worksheets[0]
            self.assertGreater(sheet.max_row, 3, report_type)
            if report_type == "aging":
                header = [cell.value for cell in sheet[3]]
                levels = {row[header.index("Follow-up level")].value for row in sheet.iter_rows(4)}
                self.assertTrue(levels & set(invoices.collection_level_id.mapped("name")))

    def test_story_books_a_settlement_approved_legal_costs_and_a_waiver_to_approve(self):
        generator = DemoBook(self.env, self.company)
        generator.generate(customers=15, invoices=90, seed=11)
        generator.story()
        cases = self.env["collection.case"].search([("company_id", "=", self.company.id)])
        settled = cases.filtered(lambda c: c.close_reason == "settled")
        self.assertEqual(settled.writeoff_move_id.state, "posted")
        self.assertEqual(
            settled.writeoff_move_id.journal_id, self.company.collection_writeoff_journal_id
        )
        costs = cases.legal_cost_ids
        self.assertTrue(costs)
        self.assertEqual(set(costs.mapped("state")), {"approved"})
        self.assertTrue(all(costs.mapped("bill_id")))
        waivers = self.env["collection.waiver"].search([("company_id", "=", self.company.id)])
        self.assertEqual(waivers.mapped("state"), ["to_approve"])
        self.assertEqual(waivers.user_id, waivers.case_id.collector_id)

    def test_story_charges_interest_and_fees_and_decides_two_proposals(self):
        generator = DemoBook(self.env, self.company)
        generator.generate(customers=15, invoices=90, seed=11)
        generator.story()
        policy = self.company.collection_policy_id
        self.assertEqual(policy.interest_rate, 18.25)
        self.assertTrue(policy.level_ids.filtered(lambda level: level.fee_amount == 50))
        charges = self.env["collection.charge"].search([("company_id", "=", self.company.id)])
        self.assertEqual(set(charges.mapped("kind")) & {"interest"}, {"interest"})
        self.assertEqual(charges.filtered(lambda c: c.state == "invoiced").move_id.state, "posted")
        waived = charges.filtered(lambda c: c.state == "waived")
        self.assertEqual(len(waived), 1)
        self.assertIn("Goodwill", waived.waive_reason)
        self.assertTrue(charges.filtered(lambda c: c.state == "proposed"))
        # each proposal is within the policy's cap of what its invoices owed
        for charge in charges.filtered(lambda c: c.kind == "interest"):
            principal = sum(charge.invoice_ids.mapped("amount_total"))
            self.assertLessEqual(charge.amount, principal * 0.30 + 0.01)
        # a second run the same day proposes nothing new
        again = self.env["collection.charge"]._cron_collection_charges()
        self.assertFalse(again.filtered(lambda c: c.company_id == self.company))

    @freeze_time("2026-06-30 23:30:00")
    def test_story_day_is_the_offices_not_the_installers_time_zone(self):
        # OdooBot installs the demo in Europe/Brussels, already 1 July at 23:30 UTC: the
        # collectors (UTC here) would find every next action tomorrow, their worklist empty
        self.env.user.tz = "Europe/Brussels"
        self.company.partner_id.tz = False
        self.assertEqual(DemoBook(self.env, self.company)._today(None), date(2026, 6, 30))
        self.company.partner_id.tz = "Asia/Shanghai"
        self.assertEqual(DemoBook(self.env, self.company)._today(None), date(2026, 7, 1))
