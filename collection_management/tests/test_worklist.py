from datetime import timedelta

from freezegun import freeze_time
from lxml import etree

from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import TODAY, CollectionCommon


@tagged("post_install", "-at_install")
class TestWorklist(CollectionCommon):
    """What a collector sees: the worklist, the customer's timeline, the customer and
    invoice lists, and the legal officer's kanban."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "collection_case_min_amount": 0,
                "collection_case_min_days": 1,
                "collection_promise_grace_days": 2,
            }
        )
        cls.case_model = cls.env["collection.case"]

    def _case(self, name, amount, days, **values):
        partner = self._customer(name, phone="+86 21 5555 0101")
        self._invoice(partner, amount, TODAY - timedelta(days=days))
        with freeze_time(TODAY):
            case = self.case_model._collection_sync(self.company, TODAY, partner)
            case.write({"collector_id": self.collector.id, **values})
            self.env.add_to_compute(case._fields["days_overdue"], case)
            case.flush_recordset()
        return case

    def _worklist(self, day=TODAY):
        """The worklist of the collector as the action shows it on ``day``."""
        action = self.env.ref("collection_management.collection_case_action_worklist")
        domain = safe_eval(action.domain)
        with freeze_time(day):
            return self.case_model.with_user(self.collector).search(
                [*domain, ("collector_id", "=", self.collector.id)]
            )

    # ------------------------------------------------------------------ worklist
    def test_worklist_lists_open_cases_due_for_action_highest_score_first(self):
        small = self._case("Small recent", 500, 10)
        large = self._case("Large old", 80000, 200)
        later = self._case("Call next week", 9000, 90, next_action_date=TODAY + timedelta(7))
        listed = self._worklist()
        self.assertEqual(listed, large | small, "a case waiting for its next action is not listed")
        self.assertEqual(listed[0], large, "highest score first")
        self.assertIn(later, self._worklist(TODAY + timedelta(days=7)))
        action = self.env.ref("collection_management.collection_case_action_worklist")
        self.assertIn("search_default_my_cases", action.context)

    def test_case_with_open_promise_leaves_worklist_until_promised_date_plus_grace(self):
        case = self._case("Promiser", 5000, 40)
        with freeze_time(TODAY):
            self.env["collection.interaction"].with_user(self.collector).create(
                {
                    "case_id": case.id,
                    "channel": "call",
                    "outcome": "promise",
                    "promise_amount": 1000,
                    "promise_date": TODAY + timedelta(days=5),
                }
            )
        self.assertNotIn(case, self._worklist())
        self.assertNotIn(case, self._worklist(TODAY + timedelta(days=5)), "promised date")
        self.assertNotIn(case, self._worklist(TODAY + timedelta(days=7)), "within the grace")
        self.assertIn(case, self._worklist(TODAY + timedelta(days=8)), "grace over")
        # a cancelled promise no longer keeps the case away
        case.promise_ids.action_cancel()
        self.assertIn(case, self._worklist())

    def test_cases_in_legal_action_are_not_on_the_worklist(self):
        case = self._case("In court", 20000, 300)
        self.assertIn(case, self._worklist())
        with freeze_time(TODAY):
            case.with_user(self.manager).action_escalate_legal()
        self.assertTrue(case.legal_stage_id)
        self.assertNotIn(case, self._worklist())
        self.assertFalse(case.in_worklist)

    def test_a_case_with_a_broken_promise_is_not_called_never_contacted(self):
        case = self._case("Breaker", 3000, 40)
        with freeze_time(TODAY):
            promise = self.env["collection.promise"].create(
                {"case_id": case.id, "amount": 100, "date_promised": TODAY}
            )
        with freeze_time(TODAY + timedelta(days=10)):
            promise._collection_evaluate()
        self.assertEqual(promise.state, "broken")
        self.assertEqual(case.last_contact_date, TODAY)
        self.assertIn("broken promise", case.priority_reasons)
        self.assertNotIn("never contacted", case.priority_reasons)

    def test_customer_phone_and_email_on_case_worklist_and_log_contact(self):
        case = self._case("Callable", 3000, 40)
        self.assertEqual(case.partner_phone, "+86 21 5555 0101")
        self.assertEqual(case.partner_email, "callable@example.com")
        for view_type in ("form", "list", "kanban"):
            arch = self.case_model.get_view(view_type=view_type)["arch"]
            phone = etree.fromstring(arch).xpath("//field[@name='partner_phone']")
            self.assertTrue(phone, view_type)
            self.assertEqual(phone[0].get("widget"), "phone", view_type)
        worklist = self.env.ref("collection_management.collection_case_action_worklist")
        kanban = worklist.view_ids.filtered(lambda v: v.view_mode == "kanban").view_id
        self.assertIn("partner_phone", kanban.arch)
        self.assertFalse(
            etree.fromstring(kanban.arch).get("default_group_by"),
            "a phone opens the worklist on its ranked cases, not on the first stage",
        )
        with Form(
            self.env["collection.interaction"].with_context(default_case_id=case.id)
        ) as contact:
            self.assertEqual(contact.contact_phone, "+86 21 5555 0101")
            self.assertEqual(contact.contact_email, "callable@example.com")
        arch = self.env["collection.interaction"].get_view(view_type="form")["arch"]
        self.assertTrue(
            etree.fromstring(arch).xpath("//field[@name='contact_phone'][@widget='phone']")
        )

    def test_log_contact_and_statement_are_visible_buttons_on_the_case(self):
        arch = etree.fromstring(self.case_model.get_view(view_type="form")["arch"])
        # header buttons fold into a menu on a phone: one in the sheet stays visible
        self.assertTrue(arch.xpath("//sheet//button[@name='action_log_contact']"))
        self.assertTrue(arch.xpath("//button[@name='action_print_statement']"))
        case = self._case("Statement", 3000, 40)
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = case.action_print_statement()
        self.assertEqual(action["report_name"], "collection_management.report_collection_statement")
        self.assertEqual(action["context"]["active_ids"], case.partner_id.ids)
        partner_arch = etree.fromstring(self.env["res.partner"].get_view(view_type="form")["arch"])
        report = self.env.ref("collection_management.action_report_collection_statement")
        self.assertTrue(partner_arch.xpath(f"//button[@name='{report.id}']"))

    # ------------------------------------------------------------------ timeline
    def test_timeline_shows_the_customer_history_in_date_order(self):
        case = self._case("Historian", 5000, 40)
        invoice = case.invoice_ids
        followups = self._run_followups(TODAY - timedelta(days=4), case.partner_id)
        with freeze_time(TODAY - timedelta(days=4)):
            followups = self.env["collection.followup"].search(
                [("partner_id", "=", case.partner_id.id)]
            )
            drafts = followups.filtered(lambda f: f.state == "draft")
            if drafts:
                drafts.action_send()
        with freeze_time(TODAY - timedelta(days=3)):
            self.env["collection.interaction"].create(
                {"case_id": case.id, "channel": "call", "outcome": "no_answer", "note": "voicemail"}
            )
        with freeze_time(TODAY - timedelta(days=2)):
            self.env["collection.promise"].create(
                {"case_id": case.id, "amount": 500, "date_promised": TODAY + timedelta(days=5)}
            )
        with freeze_time(TODAY - timedelta(days=1)):
            case.with_context(tracking_disable=False, mail_notrack=False).message_post(
                body="Please pay",
                subject="Reminder",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            invoice.with_context(tracking_disable=False, mail_notrack=False).write(
                {
                    "collection_dispute_reason_id": self.env["collection.dispute.reason"]
                    .search([], limit=1)
                    .id
                }
            )
            invoice.flush_recordset()
        with freeze_time(TODAY):
            self._pay(invoice, 700, TODAY)
        self.assertTrue(followups.filtered(lambda f: f.state == "done"))
        entries = (
            self.env["collection.timeline"]
            .with_user(self.collector)
            ._collection_entries(case.partner_id, self.company)
        )
        kinds = [entry["kind"] for entry in entries]
        for kind in ("contact", "promise", "email", "dispute", "payment", "followup"):
            self.assertIn(kind, kinds)
        dates = [entry["date"] for entry in entries]
        self.assertEqual(dates, sorted(dates, reverse=True), "newest first")
        self.assertEqual(kinds[-1], "followup", "the reminder four days ago is the oldest")
        self.assertEqual(kinds[-2], "contact")
        self.assertEqual(kinds[-3], "promise")
        html = str(case.with_user(self.collector).timeline_html)
        self.assertIn("voicemail", html)
        self.assertIn(str(case.with_user(self.collector).partner_id.collection_timeline_html), html)

    # ------------------------------------------------------------------ lists
    def test_customer_list_shows_overdue_risk_and_credit_hold_with_filters(self):
        partners = self.env["res.partner"]
        list_arch = etree.fromstring(partners.get_view(view_type="list")["arch"])
        for name in ("collection_amount_overdue", "collection_risk", "collection_credit_hold"):
            self.assertTrue(list_arch.xpath(f"//field[@name='{name}']"), name)
        search = partners.get_view(view_type="search")
        search_arch = etree.fromstring(search["arch"])
        for name in ("collection_overdue", "collection_risk_high", "collection_credit_hold"):
            self.assertTrue(search_arch.xpath(f"//filter[@name='{name}']"), name)
        late = self._customer("Late customer")
        self._invoice(late, 900, TODAY - timedelta(days=20))
        on_time = self._customer("On time customer")
        self._invoice(on_time, 900, TODAY + timedelta(days=20))
        overdue_filter = search_arch.xpath("//filter[@name='collection_overdue']")[0]
        with freeze_time(TODAY):
            domain = safe_eval(  # the filter's domain, as the web client evaluates it
                overdue_filter.get("domain"),
                {"context_today": lambda: TODAY},
            )
            found = partners.search([*domain, ("id", "in", (late | on_time).ids)])
        self.assertEqual(found, late)

    def test_invoice_lists_have_one_overdue_filter_and_a_dispute_badge(self):
        moves = self.env["account.move"]
        search_arch = etree.fromstring(moves.get_view(view_type="search")["arch"])
        labels = [f.get("string") for f in search_arch.xpath("//filter")]
        self.assertEqual(labels.count("Overdue"), 1)
        list_view = self.env.ref("account.view_out_invoice_tree")
        list_arch = etree.fromstring(moves.get_view(list_view.id, "list")["arch"])
        dispute = list_arch.xpath("//field[@name='collection_dispute_reason_id']")[0]
        self.assertEqual(dispute.get("widget"), "badge")
        self.assertEqual(dispute.get("optional"), "show")

    def test_case_list_columns_are_wide_enough_and_say_what_they_hold(self):
        arch = etree.fromstring(self.case_model.get_view(view_type="list")["arch"])
        for name in ("name", "days_overdue", "next_action_date", "amount_due"):
            field = arch.xpath(f"//field[@name='{name}']")[0]
            self.assertTrue(field.get("width"), name)
        self.assertEqual(self.case_model._fields["invoice_count"].string, "Number of invoices")
        form = etree.fromstring(self.case_model.get_view(view_type="form")["arch"])
        number = form.xpath("//field[@name='invoice_ids']//field[@name='name']")[0]
        self.assertEqual(number.get("string"), "Invoice number", "not 'Number' (a quantity)")

    # ------------------------------------------------------------------ legal
    def test_legal_kanban_shows_days_left_with_colours_at_90_30_7_days(self):
        case = self._case("Near limit", 5000, 40)
        with freeze_time(TODAY):
            expected = {
                91: "later",
                90: "90",
                31: "90",
                30: "30",
                8: "30",
                7: "7",
                0: "7",
                -1: "expired",
            }
            for days, urgency in expected.items():
                self.assertEqual(self.case_model._collection_limitation_urgency(days), urgency)
            left = (case.limitation_date - TODAY).days
            case.invalidate_recordset(["limitation_days_left"])
            self.assertEqual(case.limitation_days_left, left)
        kanban = self.env.ref("collection_management.collection_case_view_kanban_legal")
        self.assertIn("limitation_days_left", kanban.arch)
        self.assertIn("limitation_urgency", kanban.arch)

    def test_claimed_costs_follow_recorded_costs_unless_edited(self):
        case = self._case("Sued", 5000, 40)
        with freeze_time(TODAY):
            case.with_user(self.manager).action_escalate_legal()
        costs = self.env["collection.legal.cost"]
        costs.create({"case_id": case.id, "description": "Court fee", "amount": 300})
        self.assertEqual(case.legal_claim_costs, 300)
        costs.create({"case_id": case.id, "description": "Lawyer", "amount": 200})
        self.assertEqual(case.legal_claim_costs, 500)
        # with the interest and fees the claim filled in (a policy may charge them)
        self.assertEqual(
            case.legal_claim_amount,
            case.legal_claim_principal + case.legal_claim_interest + case.legal_claim_fees + 500,
        )
        case.legal_claim_costs = 450
        self.assertTrue(case.legal_claim_costs_edited)
        costs.create({"case_id": case.id, "description": "Bailiff", "amount": 100})
        self.assertEqual(case.legal_claim_costs, 450, "an edited claim stays as edited")
        case.legal_claim_costs_edited = False
        self.assertEqual(case.legal_claim_costs, 600)

    def test_legal_case_form_opens_on_the_legal_tab_with_legal_stages_in_header(self):
        arch = etree.fromstring(self.case_model.get_view(view_type="form")["arch"])
        self.assertTrue(arch.xpath("//header/field[@name='legal_stage_id'][@widget='statusbar']"))
        legal_page = arch.xpath("//page[@name='legal']")[0]
        self.assertEqual(legal_page.get("autofocus"), "autofocus")
