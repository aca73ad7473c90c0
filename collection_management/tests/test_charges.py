from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import TODAY, CollectionCommon
from .test_letterhead import DEMAND_LETTER, STATEMENT, pdf_pages_text

INTEREST = "collection_management.product_collection_interest"
FEE = "collection_management.product_collection_fee"

# The hand example: 12 % a year, 10 days of grace, as of 2026-06-30.
# Invoice 1: 1000 due 2026-03-01, interest from 03-11; 400 paid on 04-15.
#   1000 x 35 days (03-11 -> 04-15) + 600 x 76 days (04-15 -> 06-30) = 80 600
# Invoice 2: 2000 due 2026-04-01, interest from 04-11.
#   2000 x 80 days (04-11 -> 06-30) = 160 000
# interest = 12 % x (80 600 + 160 000) / 365 = 28 872 / 365 = 79.1013... -> 79.10
HAND_INTEREST = 79.10
# a month later (06-30 -> 07-30), on 600 + 2000 still due: 12 % x 2600 x 30 / 365
HAND_NEXT_MONTH = 25.64
# a cap of 2 % of the principal (1000 + 2000) allows 60.00 at most
HAND_CAP = 60.00


@tagged("post_install", "-at_install")
class TestCharges(CollectionCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("collection_management.mail_template_followup_friendly")
        cls.interest_policy = cls._policy("Interest policy", delays=(7,), template=cls.template)
        cls.interest_policy.write(
            {"interest_rate": 12, "interest_grace_days": 10, "interest_period_days": 30}
        )
        cls.customer = cls._customer("Hand Example Ltd", lang="en_US")
        cls.customer.with_company(cls.company).collection_policy_id = cls.interest_policy
        cls.invoice_1 = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls.invoice_2 = cls._invoice(cls.customer, 2000, date(2026, 4, 1))
        cls._pay(cls.invoice_1, 400, date(2026, 4, 15))

    def _cron(self, day=TODAY):
        with freeze_time(day):
            return self.env["collection.charge"]._cron_collection_charges()

    def _summary(self, partner=None, day=TODAY, company=None):
        partner = partner or self.customer
        company = company or self.company
        summary = self.env["collection.charge"]._collection_summary(partner, company, day)
        return summary[(partner, company.currency_id)]

    def _charges(self, partner=None, **domain):
        return self.env["collection.charge"].search(
            [("partner_id", "=", (partner or self.customer).id)]
            + [(name, "=", value) for name, value in domain.items()]
        )

    # ----------------------------------------------------------------- interest
    def test_charge_products_are_made_on_first_use_once_without_taxes(self):
        charges = self.env["collection.charge"]
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.model.data"].search(
            [("module", "=", "collection_management"), ("name", "like", "product_collection_%")]
        ).unlink()
        interest = charges._collection_product("interest")
        fee = charges._collection_product("fee")
        self.assertEqual(charges._collection_product("interest"), interest, "made once")
        self.assertEqual(self.env.ref(INTEREST), interest)
        self.assertEqual(self.env.ref(FEE), fee)
        self.assertEqual((interest | fee).mapped("default_code"), ["COLL-INTEREST", "COLL-FEE"])
        self.assertEqual(interest.with_context(lang="en_US").name, "Late interest")
        self.assertEqual(set((interest | fee).mapped("type")), {"service"})
        self.assertFalse((interest | fee).taxes_id, "no tax unless the user sets one")
        # a product the user changed is kept as it is
        interest.name = "Verzugszinsen"
        self.assertEqual(charges._collection_product("interest").name, "Verzugszinsen")

    def test_interest_equals_the_hand_computation_to_the_cent(self):
        figures = self._summary()
        self.assertAlmostEqual(figures["accrued"], HAND_INTEREST, places=2)
        self.assertEqual(figures["invoices"], self.invoice_1 | self.invoice_2)
        self.assertAlmostEqual(figures["principal"], 3000.0, places=2)

    def test_payment_after_the_date_is_not_yet_counted(self):
        # as of 04-14, the 400 of 04-15 is not paid yet: 1000 x 34 days and 2000 x 3 days
        figures = self._summary(day=date(2026, 4, 14))
        self.assertAlmostEqual(figures["accrued"], round(0.12 * (34000 + 6000) / 365, 2))

    def test_cap_limits_interest_to_the_policy_percentage_of_the_principal(self):
        self.interest_policy.interest_cap_percent = 2
        figures = self._summary()
        self.assertAlmostEqual(figures["accrued"], HAND_CAP, places=2)
        self.assertAlmostEqual(figures["cap"], HAND_CAP, places=2)

    def test_interest_is_in_the_invoice_currency(self):
        euro = self.setup_other_currency("EUR")
        customer = self._customer("Euro Buyer GmbH")
        customer.with_company(self.company).collection_policy_id = self.interest_policy
        invoice = self._invoice(customer, 3650, date(2026, 5, 21), currency=euro)
        self._cron()
        charge = self._charges(customer)
        # 3650 x 12 % x 30 days (05-31 -> 06-30) / 365 = 36.00 EUR
        self.assertEqual(charge.currency_id, euro)
        self.assertAlmostEqual(charge.amount, 36.00, places=2)
        self.assertEqual(charge.invoice_ids, invoice)

    # ------------------------------------------------------------------ the job
    def test_daily_job_proposes_the_period_once(self):
        self._cron()
        self._cron()
        charge = self._charges(kind="interest")
        self.assertEqual(len(charge), 1, "the same period is never proposed twice")
        self.assertEqual(charge.state, "proposed")
        self.assertAlmostEqual(charge.amount, HAND_INTEREST, places=2)
        self.assertEqual(charge.invoice_ids, self.invoice_1 | self.invoice_2)
        self._cron(date(2026, 7, 10))
        self.assertEqual(len(self._charges(kind="interest")), 1, "the period has not passed")
        self._cron(date(2026, 7, 30))
        later = self._charges(kind="interest") - charge
        self.assertAlmostEqual(later.amount, HAND_NEXT_MONTH, places=2)
        self.assertEqual(later.date_from, TODAY)

    def test_waived_period_is_not_proposed_again(self):
        self._cron()
        charge = self._charges(kind="interest")
        charge.with_user(self.manager)._collection_waive("Goodwill after the settlement")
        self._cron(date(2026, 7, 1))
        self.assertEqual(self._charges(kind="interest"), charge)
        self.assertEqual(charge.waive_reason, "Goodwill after the settlement")

    # ---------------------------------------------------------------------- fees
    def _fee_level(self, amount=50.0, percent=2.0):
        level = self.interest_policy.level_ids
        level.write({"fee_amount": amount, "fee_percent": percent})
        return level

    def test_fee_appears_in_the_reminder_and_is_proposed_once(self):
        self._fee_level()
        result = self._run_followups()
        followup = result["followups"]
        self.assertEqual(followup.state, "done")
        fee = self._charges(kind="fee")
        # 2 % of 2600 overdue is 52.00, above the fixed 50.00
        self.assertAlmostEqual(fee.amount, 52.00, places=2)
        self.assertEqual(fee.followup_id, followup)
        body = followup.mail_id.body_html
        self.assertIn("Late interest and collection fees", body)
        self.assertIn("52.00", body)
        self.assertIn("79.10", body)
        self._cron()
        self._run_followups()
        self.assertEqual(self._charges(kind="fee"), fee, "one fee per follow-up")

    def test_fee_is_the_fixed_amount_at_least(self):
        level = self._fee_level(amount=80.0, percent=2.0)
        self.assertEqual(level._collection_fee(1000.0), 80.0)
        self.assertEqual(level._collection_fee(10000.0), 200.0)
        level.fee_percent = 0
        self.assertEqual(level._collection_fee(10000.0), 80.0)

    def test_fee_respects_the_cap_after_interest(self):
        self.interest_policy.interest_cap_percent = 2
        self._fee_level()
        self._run_followups()
        # the cap (60.00) is all taken by the accrued interest: no fee is left to propose
        self.assertFalse(self._charges(kind="fee"))

    def test_fee_and_rate_values_are_checked(self):
        with self.assertRaises(ValidationError):
            self.interest_policy.interest_rate = -1
        with self.assertRaises(ValidationError):
            self.interest_policy.write({"interest_rate": float("nan")})
        with self.assertRaises(ValidationError):
            self.interest_policy.interest_grace_days = 10**6
        with self.assertRaises(ValidationError):
            self._fee_level(amount=-5)

    # ----------------------------------------------------- invoicing and waiving
    def test_manager_invoices_the_charges_in_one_customer_invoice(self):
        self._fee_level()
        case = self._open_case(self.customer, self.collector)
        self._run_followups()
        self._cron()
        charges = self._charges()
        self.assertEqual(set(charges.mapped("kind")), {"interest", "fee"})
        self.assertEqual(charges.case_id, case)
        with freeze_time(TODAY):
            charges.with_user(self.manager).action_invoice()
        move = charges.move_id
        self.assertEqual(len(move), 1)
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.partner_id, self.customer)
        self.assertEqual(move.currency_id, self.company.currency_id)
        self.assertEqual(set(charges.mapped("state")), {"invoiced"})
        lines = move.invoice_line_ids.sorted("price_unit")
        self.assertEqual(
            lines.product_id, self.env.ref(INTEREST) | self.env.ref(FEE), "one line per charge"
        )
        self.assertAlmostEqual(move.amount_total, HAND_INTEREST + 52.00, places=2)
        self.assertIn(self.invoice_1.name, move.invoice_origin)
        self.assertIn(self.invoice_2.name, move.invoice_origin)
        self.assertIn(self.invoice_1.name, lines[0].name)
        self.assertEqual(move.ref, case.name)
        self.assertEqual(case.charge_count, 2)

    def test_charge_invoice_bears_no_interest(self):
        self._cron()
        charge = self._charges(kind="interest")
        with freeze_time(TODAY):
            charge.with_user(self.manager).action_invoice()
        figures = self._summary(day=date(2026, 12, 31))
        self.assertNotIn(charge.move_id, figures["invoices"])
        self.assertEqual(figures["interest_invoiced"], charge.amount)

    def test_waiving_needs_a_reason_and_keeps_the_charge(self):
        self._cron()
        charge = self._charges(kind="interest")
        wizard = self.env["collection.charge.waive"].with_user(self.manager)
        with self.assertRaisesText(UserError, "reason is required"):
            wizard.create({"charge_ids": [Command.set(charge.ids)], "reason": "  "}).action_waive()
        wizard.create({"charge_ids": [Command.set(charge.ids)], "reason": "Settled"}).action_waive()
        self.assertEqual(charge.state, "waived")
        self.assertEqual(charge.decided_by_id, self.manager)
        with self.assertRaisesText(UserError, "Only proposed charges"):
            charge.with_user(self.manager).action_invoice()
        with self.assertRaises(UserError):
            charge.with_user(self.manager).unlink()

    # -------------------------------------------------------------------- rights
    def test_rights_per_role(self):
        self._cron()
        self.records = {"charge": self._charges(kind="interest")}
        self.assertRights(self.collector, {"charge": "r"})
        self.assertRights(self.legal_officer, {"charge": "r"})
        self.assertRights(self.billing, {"charge": "r"})
        self.assertRights(self.manager, {"charge": "rw"})
        self.assertRights(self.manager_b, {"charge": ""})

    def test_collector_cannot_invoice_waive_or_write_a_charge(self):
        self._cron()
        charge = self._charges(kind="interest").with_user(self.collector)
        self.assertEqual(charge.amount, HAND_INTEREST)
        with self.assertRaises(UserError):
            charge.action_invoice()
        with self.assertRaises(UserError):
            charge._collection_waive("I decide")
        with self.assertRaisesText(UserError, "only by invoicing or waiving"):
            charge.write({"state": "waived", "waive_reason": "by RPC"})
        with self.assertRaisesText(UserError, "Only a collection manager"):
            charge.write({"amount": 1.0})
        with self.assertRaisesText(UserError, "not by hand"):
            self.env["collection.charge"].with_user(self.collector).create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "kind": "fee",
                    "date": TODAY,
                    "currency_id": self.company.currency_id.id,
                    "amount": 10,
                    "amount_proposed": 10,
                }
            )
        self.assertEqual(charge.sudo().state, "proposed")

    def test_manager_only_lowers_a_proposed_amount_and_never_writes_the_state(self):
        self._cron()
        charge = self._charges(kind="interest").with_user(self.manager)
        with self.assertRaisesText(UserError, "only by invoicing or waiving"):
            charge.write({"state": "invoiced"})
        with self.assertRaisesText(UserError, "only by invoicing or waiving"):
            charge.write({"move_id": self.invoice_1.id})
        with self.assertRaises(ValidationError):
            charge.write({"amount": HAND_INTEREST + 1})
        with self.assertRaises(ValidationError):
            charge.write({"amount": -3})
        charge.write({"amount": 50.0})
        self.assertEqual(charge.amount, 50.0)

    # --------------------------------------------------------------- companies
    def test_two_companies_charge_apart(self):
        policy_b = self._policy("Interest B", delays=(7,), company=self.company_b)
        policy_b.write({"interest_rate": 36.5, "interest_grace_days": 0})
        customer_b = self._customer("Debtor B")
        customer_b.with_company(self.company_b).collection_policy_id = policy_b
        # 1000 x 36.5 % x 60 days / 365 = 60.00 in company B's currency
        self._invoice(customer_b, 1000, date(2026, 5, 1), company=self.company_b)
        self._cron()
        charge_b = self._charges(customer_b)
        self.assertEqual(charge_b.company_id, self.company_b)
        self.assertEqual(charge_b.currency_id, self.company_b.currency_id)
        self.assertAlmostEqual(charge_b.amount, 60.00, places=2)
        self.assertEqual(self._charges(kind="interest").company_id, self.company)
        seen_b = self.env["collection.charge"].with_user(self.manager_b).search([])
        self.assertEqual(seen_b, charge_b)
        with self.assertRaises(AccessError):
            self._charges(kind="interest").with_user(self.manager_b).action_invoice()

    # ------------------------------------------------ statement, letter, claim
    def test_statement_and_demand_letter_show_interest_and_fees(self):
        self._cron()
        case = self._open_case(self.customer, self.collector)
        amount = "79.10"
        with freeze_time(TODAY):
            statement = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(STATEMENT, self.customer.ids)[0]
            )
            letter = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(DEMAND_LETTER, case.ids)[0]
            )
        for pdf in (statement, letter):
            text = " ".join(" ".join(pdf_pages_text(pdf)).split())
            self.assertIn("Late interest and collection fees", text)
            self.assertIn(amount, text)

    def test_legal_claim_fills_itself_within_the_cap(self):
        self.interest_policy.interest_cap_percent = 2
        case = self._open_case(self.customer, self.collector)
        with freeze_time(TODAY):
            case._collection_escalate("Escalated by the test")
        self.assertAlmostEqual(case.legal_claim_interest, HAND_CAP, places=2)
        self.assertEqual(case.legal_claim_fees, 0.0)
        self.interest_policy.interest_cap_percent = 0
        with freeze_time(TODAY):
            case.with_user(self.legal_officer).action_collection_update_claim()
        self.assertAlmostEqual(case.legal_claim_interest, HAND_INTEREST, places=2)
        with self.assertRaises(UserError):
            case.with_user(self.collector).action_collection_update_claim()

    def test_summary_queries_do_not_grow_with_customers_and_invoices(self):
        def queries(partners):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.env["collection.charge"]._collection_summary(partners, self.company, TODAY)
            return self.env.cr.sql_log_count - before

        queries(self.customer)  # the caches of the registry (rules, access rights)
        alone = queries(self.customer)
        others = self.env["res.partner"]
        for index in range(5):
            other = self._customer(f"Debtor {index}")
            other.with_company(self.company).collection_policy_id = self.interest_policy
            invoices = [
                self._invoice(other, 100 * (day + 1), date(2026, 2, day + 1)) for day in range(3)
            ]
            self._pay(invoices[0], 50, date(2026, 4, 1))
            others |= other
        self.assertEqual(queries(self.customer | others), alone)

    def test_charge_invoice_is_written_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["collection.charge"]._collection_product("interest").with_context(
            lang="zh_CN"
        ).name = "逾期利息"
        self.customer.lang = "zh_CN"
        self._cron()
        charge = self._charges(kind="interest")
        with freeze_time(TODAY):
            charge.with_user(self.manager).action_invoice()
        line = charge.move_id.invoice_line_ids
        self.assertTrue(line.name.startswith("逾期利息"), line.name)
        self.assertEqual(line.product_id, self.env.ref(INTEREST))

    def test_fee_on_foreign_currency_invoices_is_charged_in_their_currency(self):
        euro = self.setup_other_currency("EUR")
        customer = self._customer("Euro Buyer GmbH")
        customer.with_company(self.company).collection_policy_id = self.interest_policy
        self._invoice(customer, 1000, date(2026, 6, 1), currency=euro)
        self._fee_level(amount=50.0, percent=0.0)
        self._run_followups(partners=customer)
        fee = self._charges(customer, kind="fee")
        self.assertEqual(fee.currency_id, euro)
        expected = self.company.currency_id._convert(50.0, euro, self.company, TODAY)
        self.assertNotEqual(expected, 50.0, "the rates of the test differ")
        self.assertAlmostEqual(fee.amount, expected, places=2)
