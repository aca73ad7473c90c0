import base64
import unicodedata
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from ..demo.generator import DemoBook
from .common import TODAY, CollectionCommon
from .test_letterhead import pdf_pages_text

VISIT_SHEET = "collection_management.action_report_collection_visit"
SIGNED_FORM = base64.b64encode(b"%PDF-1.4 balance confirmed, signed and sealed")
# pdftotext reads some Chinese glyphs of the font as radicals (门 as U+2ED4, 见 as
# U+2EC5); NFKC takes the others (日 as U+2F47) back to the characters
RADICALS = str.maketrans({"\u2ed4": "门", "\u2ec5": "见"})
# the morning of TODAY, UTC
MORNING = datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0)

# the terms of the visit sheet as the catalogue translates them
SHEET_ZH = {
    "Visit sheet": "上门催收单",
    "Case": "催收案件",
    "Date and time": "日期时间",
    "Address": "地址",
    "Purpose": "目的",
    "Visitors": "走访人员",
    "What to bring": "携带材料",
    "Statement of account": "对账单",
    "Reference": "单号",
    "Due date": "到期日",
    "Days overdue": "逾期天数",
    "Amount": "金额",
    "Still due": "未付金额",
    "Date": "日期",
    "Total due:": "应付合计：",
    "Of which overdue:": "其中逾期：",
    "Acknowledgement of the balance": "余额确认书",
    "Signature and company seal:": "签字及公司盖章：",
    "Position:": "职务：",
    "Name:": "姓名：",
    "Date:": "日期：",
    "Debtor:": "债务人：",
    "Creditor:": "债权人：",
    "Balance owed:": "欠款余额：",
    "The debtor confirms that, on the date below, it owes the creditor the balance above, "
    "as set out in the statement of account.": "债务人确认：截至下述日期，尚欠债权人上述余额，"
    "明细见对账单。",
}
MATERIALS_ZH = {
    "visit_material_statement": "对账单原件",
    "visit_material_invoices": "未付发票复印件",
    "visit_material_contract": "合同",
    "visit_material_acknowledgement": "余额确认书表格",
}
MATERIALS_EN = ("Copies of the unpaid invoices", "Contract", "Acknowledgement form")


def _readable(text):
    return unicodedata.normalize("NFKC", text).translate(RADICALS)


class VisitCommon(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._overdue_customer(
            "Debtor Ltd", amount=1000, days=40, street="12 Harbour Road", city="Ningbo"
        )
        cls.case = cls._open_case(cls.customer, cls.collector)

    def _plan(self, case=None, user=None, cost=300.0, when=MORNING, **values):
        visits = self.env["collection.visit"].with_user(user or self.collector)
        with freeze_time(TODAY):
            return visits.create(
                {
                    "case_id": (case or self.case).id,
                    "date_planned": when,
                    "purpose": "Obtain a payment plan",
                    "cost_estimate": cost,
                    **values,
                }
            )

    def _approved(self, **values):
        visit = self._plan(**values)
        visit.action_submit()
        visit.with_user(self.manager).action_approve()
        return visit


@tagged("post_install", "-at_install")
class TestVisit(VisitCommon):
    def test_visit_follows_its_case_and_proposes_the_customer_address(self):
        visit = self._plan()
        self.assertEqual(visit.partner_id, self.customer)
        self.assertEqual(visit.company_id, self.company)
        self.assertEqual(visit.user_id, self.collector)
        self.assertEqual(visit.state, "draft")
        self.assertIn("12 Harbour Road", visit.address)
        self.assertIn("Ningbo", visit.address)
        visit.address = "Warehouse 3, East Gate"
        self.assertEqual(visit.address, "Warehouse 3, East Gate", "the address stays editable")
        materials = self.env.ref("collection_management.visit_material_statement") | self.env.ref(
            "collection_management.visit_material_acknowledgement"
        )
        self.assertLessEqual(materials, visit.checklist_ids, "what to bring is ticked")

    def test_outcomes_are_those_of_the_contact_log(self):
        outcome = self.env["collection.visit"]._fields["outcome"]
        logged = self.env["collection.interaction"]._fields["outcome"]
        self.assertEqual(outcome.get_values(self.env), logged.get_values(self.env))

    def test_manager_approves_a_submitted_visit(self):
        visit = self._plan(cost=2500)
        visit.action_submit()
        self.assertEqual(visit.state, "to_approve")
        with self.assertRaisesText(UserError, "Only a collection manager approves"):
            visit.action_approve()
        self.assertEqual(visit.state, "to_approve")
        asked = visit.activity_ids.user_id
        self.assertIn(self.manager, asked, "the managers are asked to approve")
        self.assertNotIn(self.manager_b, asked, "not those of another company")
        self.assertNotIn(self.collector, asked)
        visit.with_user(self.manager).action_approve()
        self.assertEqual(visit.state, "approved")
        self.assertEqual(visit.approver_id, self.manager)
        self.assertFalse(visit.pre_approved)
        self.assertFalse(visit.activity_ids, "approved, it asks nobody any more")

    def test_visit_within_the_company_amount_is_pre_approved(self):
        self.company.collection_visit_preapproved_amount = 500
        cheap = self._plan(cost=500)
        dear = self._plan(cost=500.01)
        (cheap | dear).action_submit()
        self.assertEqual(cheap.state, "approved")
        self.assertTrue(cheap.pre_approved)
        self.assertFalse(cheap.approver_id)
        self.assertEqual(dear.state, "to_approve")
        self.company.collection_visit_preapproved_amount = 0
        free = self._plan(cost=0)
        free.action_submit()
        self.assertEqual(free.state, "to_approve", "zero: every visit waits for a manager")

    def test_pre_approved_amount_is_a_company_setting(self):
        settings = self.env["res.config.settings"].create(
            {"collection_visit_preapproved_amount": 800}
        )
        settings.execute()
        self.assertEqual(self.company.collection_visit_preapproved_amount, 800)
        for wrong in (-1, float("nan"), "lots"):
            with self.subTest(amount=wrong), self.assertRaises(ValidationError):
                self.company.collection_visit_preapproved_amount = wrong

    def test_collector_cannot_approve_or_complete_by_a_plain_write(self):
        visit = self._plan(cost=2500)
        visit.action_submit()
        for vals in (
            {"state": "approved"},
            {"approver_id": self.collector.id},
            {"pre_approved": True},
            {"state": "done"},
            {"interaction_id": False},
        ):
            with self.subTest(vals=vals), self.assertRaisesText(UserError, "with its buttons"):
                visit.write(vals)
        self.assertEqual(visit.state, "to_approve")
        with self.assertRaisesText(UserError, "A new visit is a draft"):
            self._plan(state="approved")
        with self.assertRaisesText(UserError, "A new visit is a draft"):
            self._plan(outcome="promise", promise_amount=100)

    def test_approved_cost_and_customer_do_not_change(self):
        visit = self._approved()
        with self.assertRaisesText(UserError, "approved visit cannot change"):
            visit.cost_estimate = 9000
        other = self._open_case(self._overdue_customer("Other Ltd"), self.collector)
        with self.assertRaisesText(UserError, "approved visit cannot change"):
            visit.case_id = other
        visit.date_planned = MORNING + timedelta(hours=3)
        self.assertEqual(visit.state, "approved", "rescheduling keeps the approval")
        visit.action_draft()
        visit.cost_estimate = 9000
        self.assertEqual(visit.state, "draft")
        self.assertFalse(visit.approver_id)

    def test_collector_cannot_approve_through_the_case_either(self):
        visit = self._plan(cost=2500)
        visit.action_submit()
        case = self.case.with_user(self.collector)
        with self.assertRaisesText(UserError, "with its buttons"):
            case.write({"visit_ids": [Command.update(visit.id, {"state": "approved"})]})
        with self.assertRaisesText(UserError, "A new visit is a draft"):
            case.write(
                {
                    "visit_ids": [
                        Command.create(
                            {
                                "date_planned": MORNING,
                                "purpose": "Approved by myself",
                                "state": "approved",
                            }
                        )
                    ]
                }
            )
        self.assertEqual(visit.state, "to_approve")
        self.assertEqual(self.case.visit_ids, visit)

    def test_collector_plans_a_visit_from_the_case_form(self):
        action = self.case.with_user(self.collector).action_plan_visit()
        visits = self.env["collection.visit"].with_user(self.collector)
        with freeze_time(TODAY):
            form = Form(visits.with_context(**action["context"]))
            form.date_planned = MORNING
            form.purpose = "Collect the cheque"
            form.cost_estimate = 120
            visit = form.save()
        self.assertEqual((visit.case_id, visit.user_id), (self.case, self.collector))
        self.assertEqual(visit.display_name, "Visit to Debtor Ltd")
        self.assertIn("12 Harbour Road", visit.address)
        self.assertEqual(len(visit.checklist_ids), 4)

    def test_report_is_written_on_an_approved_visit_only(self):
        visit = self._plan()
        with self.assertRaisesText(UserError, "once the visit is approved"):
            visit.write({"outcome": "reached", "report": "Met the owner"})

    def test_manager_refuses_a_visit(self):
        visit = self._plan(cost=2500)
        visit.action_submit()
        with self.assertRaisesText(UserError, "Only a collection manager"):
            visit.action_refuse()
        visit.with_user(self.manager).action_refuse()
        self.assertEqual(visit.state, "cancel")
        self.assertEqual(visit.approver_id, self.manager)
        self.assertIn(self.collector.partner_id, visit.message_ids[0].partner_ids)
        visit.action_draft()
        self.assertEqual(visit.state, "draft")
        self.assertFalse(visit.approver_id, "planned again, it waits for a new approval")

    def test_rights_per_role(self):
        other_case = self._open_case(self._overdue_customer("Other Ltd"), self.collector_2)
        legal_case = self._open_case(self._overdue_customer("Court Ltd"), self.collector_2)
        legal_case._collection_escalate("test")
        legal_case.legal_user_id = self.legal_officer
        self.records = {
            "own": self._plan(),
            "other": self._plan(case=other_case, user=self.collector_2),
            "legal": self._plan(case=legal_case, user=self.manager),
        }
        materials = self.env["collection.visit.material"]
        self.records["material"] = materials.create({"name": "Price list"})
        self.records["material_b"] = materials.create(
            {"name": "Bank guarantee", "company_id": self.company_b.id}
        )
        self.assertRights(self.collector, {"material": "r", "material_b": ""})
        self.assertRights(self.manager, {"material": "rwcu", "material_b": ""})
        self.assertRights(self.manager_b, {"material": "rwcu", "material_b": "rwcu"})
        self.assertRights(self.collector, {"own": "rwc", "other": "", "legal": ""})
        self.assertRights(self.collector_2, {"own": "", "other": "rwc", "legal": "rwc"})
        self.assertRights(self.legal_officer, {"own": "", "other": "", "legal": "r"})
        self.assertRights(self.manager, {"own": "rwcu", "other": "rwcu", "legal": "rwcu"})
        self.assertRights(self.billing, {"own": "", "other": "", "legal": ""})
        self.assertRights(self.manager_b, {"own": "", "other": "", "legal": ""})
        with self.assertRaises(AccessError):
            self._plan(case=other_case)
        with self.assertRaises(AccessError):
            self._plan(case=legal_case, user=self.legal_officer)
        with self.assertRaises(AccessError):
            self.records["legal"].with_user(self.legal_officer).action_cancel()

    def test_done_logs_the_visit_and_records_the_promise(self):
        visit = self._approved()
        visit.write(
            {
                "outcome": "promise",
                "met_person": "Mr Zhou, finance director",
                "report": "Agreed to pay 400 next week; the rest after the audit.",
                "promise_amount": 400,
                "promise_date": TODAY + timedelta(days=7),
            }
        )
        with freeze_time(TODAY):
            visit.action_done()
        self.assertEqual(visit.state, "done")
        contact = visit.interaction_id
        self.assertEqual(contact.case_id, self.case)
        self.assertEqual(contact.channel, "visit")
        self.assertEqual(contact.outcome, "promise")
        self.assertEqual(contact.user_id, self.collector)
        self.assertIn("Mr Zhou, finance director", contact.note)
        self.assertIn("Agreed to pay 400 next week", contact.note)
        promise = visit.promise_id
        self.assertEqual(promise, self.case.promise_ids)
        self.assertEqual((promise.amount, promise.state), (400, "open"))
        self.assertEqual(promise.date_promised, TODAY + timedelta(days=7))
        self.assertEqual(promise.interaction_id, contact)
        self.assertEqual(self.case.stage_id.kind, "promised")
        with self.assertRaisesText(UserError, "can no longer be changed"):
            visit.report = "rewritten afterwards"
        with self.assertRaisesText(UserError, "cannot be deleted"):
            visit.with_user(self.manager).unlink()

    def test_promise_of_a_visit_follows_the_promise_rules(self):
        visit = self._approved()
        visit.write(
            {
                "outcome": "promise",
                "report": "Promised everything and more",
                "promise_amount": 5000,
                "promise_date": TODAY + timedelta(days=7),
            }
        )
        with freeze_time(TODAY), self.assertRaisesText(ValidationError, "would exceed"):
            visit.action_done()
        self.assertEqual(visit.state, "approved")
        self.assertFalse(
            self.env["collection.interaction"].search([("case_id", "=", self.case.id)])
        )

    def test_done_needs_an_approved_visit_that_took_place_with_its_report(self):
        visit = self._plan()
        with freeze_time(TODAY), self.assertRaisesText(UserError, "Only an approved visit"):
            visit.action_done()
        visit.action_submit()
        visit.with_user(self.manager).action_approve()
        with freeze_time(TODAY), self.assertRaisesText(UserError, "Choose the outcome"):
            visit.action_done()
        visit.outcome = "reached"
        with freeze_time(TODAY), self.assertRaisesText(UserError, "Write the report"):
            visit.action_done()
        visit.write({"report": "Met the owner", "promise_amount": 100})
        with freeze_time(TODAY), self.assertRaisesText(UserError, "'Promise to pay'"):
            visit.action_done()
        visit.promise_amount = 0
        with freeze_time(TODAY - timedelta(days=1)), self.assertRaisesText(UserError, "planned"):
            visit.action_done()
        with freeze_time(TODAY):
            visit.action_done()
        self.assertEqual(visit.interaction_id.outcome, "reached")
        self.assertFalse(visit.promise_id)

    def test_signed_acknowledgement_restarts_the_limitation_period(self):
        years = self.company.collection_limitation_years
        self.assertEqual(
            self.case.limitation_date, TODAY - timedelta(days=40) + relativedelta(years=years)
        )
        visit = self._approved()
        with self.assertRaisesText(ValidationError, "Attach the acknowledgement"):
            visit.write({"acknowledged": True})
        visit.write(
            {
                "outcome": "acknowledged",
                "report": "The director signed the balance confirmation.",
                "acknowledged": True,
                "acknowledgement_file": SIGNED_FORM,
                "acknowledgement_filename": "confirmation.pdf",
            }
        )
        with freeze_time(TODAY):
            visit.action_done()
        self.assertEqual(self.case.last_acknowledgement_date, TODAY)
        self.assertEqual(self.case.limitation_date, TODAY + relativedelta(years=years))
        bodies = " ".join(self.case.message_ids.mapped("body"))
        self.assertIn("confirmation.pdf", bodies)
        self.assertIn(str(TODAY + relativedelta(years=years)), bodies)

    def test_visit_without_acknowledgement_leaves_the_limitation_period(self):
        before = self.case.limitation_date
        visit = self._approved()
        visit.write({"outcome": "refused", "report": "Refuses to pay."})
        with freeze_time(TODAY):
            visit.action_done()
        self.assertFalse(self.case.last_acknowledgement_date)
        self.assertEqual(self.case.limitation_date, before)

    def test_cancel(self):
        visit = self._approved()
        visit.action_cancel()
        self.assertEqual(visit.state, "cancel")
        with self.assertRaisesText(UserError, "can no longer be changed"):
            visit.purpose = "Go anyway"
        with freeze_time(TODAY), self.assertRaisesText(UserError, "Only an approved visit"):
            visit.action_done()
        done = self._approved()
        done.write({"outcome": "reached", "report": "Met the owner"})
        with freeze_time(TODAY):
            done.action_done()
        with self.assertRaisesText(UserError, "is not cancelled"):
            done.action_cancel()
        self.assertEqual(done.state, "done")

    def test_visit_is_planned_on_an_open_case_only(self):
        self.case.sudo()._collection_close("settled", "closed")
        with self.assertRaisesText(UserError, "is closed"):
            self._plan(user=self.manager)

    def test_hostile_values_are_refused(self):
        for vals in (
            {"cost_estimate": -1},
            {"cost_estimate": float("nan")},
            {"cost_estimate": "a lot"},
            {"duration": 0},
            {"duration": 25},
            {"duration": float("inf")},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self._plan(**vals)

    def test_two_companies_keep_their_visits_and_rules(self):
        customer_b = self._overdue_customer("Debtor B", company=self.company_b)
        case_b = self._open_case(customer_b, self.manager_b, company=self.company_b)
        self.company.collection_visit_preapproved_amount = 1000
        visit_b = self._plan(case=case_b, user=self.manager_b, cost=300)
        self.assertEqual(visit_b.company_id, self.company_b)
        visit_b.action_submit()
        self.assertEqual(
            visit_b.state, "to_approve", "company A's rule does not approve B's visits"
        )
        visits = self.env["collection.visit"]
        self.assertFalse(visits.with_user(self.manager).search([("id", "=", visit_b.id)]))
        self.assertEqual(visits.with_user(self.manager_b).search([]), visit_b)
        with self.assertRaises(AccessError):
            visit_b.with_user(self.manager).action_approve()
        visit_b.action_approve()
        self.assertEqual(visit_b.approver_id, self.manager_b)

    def test_case_plans_and_counts_its_visits(self):
        case = self.case.with_user(self.collector)
        action = case.action_plan_visit()
        self.assertEqual(action["res_model"], "collection.visit")
        self.assertEqual(action["context"]["default_case_id"], self.case.id)
        self.assertEqual(case.visit_count, 0)
        self._plan()
        self._plan().action_cancel()
        case.invalidate_recordset(["visit_count"])
        self.assertEqual(case.visit_count, 2)
        listed = case.action_view_visits()
        self.assertEqual(self.env["collection.visit"].search(listed["domain"]), case.visit_ids)

    def test_demo_story_has_an_approved_visit_to_come_and_a_done_one(self):
        book = DemoBook(self.env, self.company)
        book.generate(customers=12, invoices=60, seed=5, today=TODAY)
        with freeze_time(TODAY):
            book.story(TODAY)
        visits = self.env["collection.visit"].search([("company_id", "=", self.company.id)])
        upcoming = visits.filtered(lambda v: v.state == "approved")
        done = visits.filtered(lambda v: v.state == "done")
        self.assertEqual(len(upcoming), 1)
        self.assertGreater(upcoming.date_planned.date(), TODAY)
        self.assertTrue(upcoming.approver_id, "approved by the manager: it costs more than allowed")
        self.assertEqual(len(done), 1)
        self.assertTrue(done.pre_approved)
        self.assertEqual(done.interaction_id.channel, "visit")
        self.assertTrue(done.report and done.met_person and done.outcome)
        # in office hours of the company's time zone (UTC when it has none)
        self.assertEqual([v.date_planned.hour for v in visits], [10, 10])


@tagged("post_install", "-at_install")
class TestVisitSheet(VisitCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.customer_zh = cls._overdue_customer(
            "Zhongyuan Trading", amount=2345, days=60, lang="zh_CN", city="Hangzhou"
        )
        cls.case_zh = cls._open_case(cls.customer_zh, cls.collector)

    def _pdf(self, visit):
        with freeze_time(TODAY):
            pdf, kind = (
                self.env["ir.actions.report"]
                .with_user(self.collector)
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(VISIT_SHEET, visit.ids)
            )
        self.assertEqual(kind, "pdf")
        return _readable("".join(pdf_pages_text(pdf)))

    def test_sheet_lists_the_visit_what_to_bring_the_statement_and_the_form(self):
        self.collector.tz = "Asia/Shanghai"
        visit = self._plan(checklist_note="Company seal ink pad")
        text = self._pdf(visit)
        for expected in (
            "Visit sheet",
            self.case.name,
            "2026-06-30 17:00",  # 09:00 UTC in Shanghai
            "12 Harbour Road",
            "Obtain a payment plan",
            "Statement of account",
            "Company seal ink pad",
            self.customer.invoice_ids.name,
            "Acknowledgement of the balance",
            "Signature and company seal",
        ):
            self.assertIn(expected, text)
        self.assertRegex(text, r"Debtor:\s+Debtor Ltd")
        self.assertRegex(text, r"Balance owed:\s+\$\s*1,000\.00")

    def test_sheet_of_a_chinese_customer_is_in_chinese(self):
        self.env["ir.module.module"]._load_module_terms(
            ["collection_management"], ["zh_CN"], overwrite=True
        )
        # the terms of the sheet as the catalogue translates them
        sheet = self.env.ref("collection_management.report_collection_visit_document")
        sheet.update_field_translations("arch_db", {"zh_CN": SHEET_ZH})
        for xmlid, name in MATERIALS_ZH.items():
            material = self.env.ref(f"collection_management.{xmlid}")
            material.update_field_translations("name", {"zh_CN": name})
        text = self._pdf(self._plan(case=self.case_zh))
        for expected in (*SHEET_ZH.values(), *MATERIALS_ZH.values()):
            self.assertIn(_readable(expected), text)
        self.assertIn(self.customer_zh.invoice_ids.name, text)
        self.assertIn("2,345.00", text)
        for english in (*SHEET_ZH, *MATERIALS_EN):
            self.assertNotIn(english, text)
