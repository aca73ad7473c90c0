from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CollectionCommon
from .test_access_matrix import ALL, NONE, READ

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestCaseAccess(CollectionCommon):
    """Cases, contacts, promises, rules, stages and legal costs: rights per user kind,
    per case ownership and per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cases = cls.env["collection.case"]

        def case(name, collector, company=None):
            company = company or cls.company
            partner = cls._customer(name)
            cls._invoice(partner, 1000, TODAY - timedelta(days=40), company=company)
            record = cases.create(
                {"partner_id": partner.id, "company_id": company.id, "collector_id": collector.id}
            )
            with freeze_time(TODAY):
                record._collection_join_invoices(TODAY)
            return record

        cls.own = case("Own debtor", cls.collector)
        cls.other = case("Other debtor", cls.collector_2)
        cls.legal = case("Legal debtor", cls.collector_2)
        with freeze_time(TODAY):
            cls.legal.action_escalate_legal()
            cls.promise = cls.env["collection.promise"].create(
                {"case_id": cls.own.id, "amount": 100, "date_promised": TODAY}
            )
        cls.foreign = case("Foreign debtor", cls.manager_b, company=cls.company_b)
        cls.records = {
            "own case": cls.own,
            "other case": cls.other,
            "legal case": cls.legal,
            "foreign case": cls.foreign,
            "contact": cls.env["collection.interaction"].create(
                {"case_id": cls.own.id, "channel": "call", "outcome": "no_answer"}
            ),
            "promise": cls.promise,
            "rule": cls.env["collection.assignment.rule"].create(
                {"name": "All", "user_ids": [Command.set(cls.collector.ids)]}
            ),
            "stage": cls.own.stage_id,
            "legal stage": cls.legal.legal_stage_id,
            "legal cost": cls.env["collection.legal.cost"].create(
                {"case_id": cls.legal.id, "description": "Court fee", "amount": 50}
            ),
        }
        cls.portal = cls.env["res.users"].create(
            {
                "name": "Portal debtor",
                "login": "case_portal",
                "groups_id": [Command.set(cls.env.ref("base.group_portal").ids)],
            }
        )

    def test_collector_sees_own_and_nothing_else(self):
        self.assertRights(
            self.collector,
            {
                "own case": "rwc",
                "other case": NONE,
                "legal case": NONE,
                "foreign case": NONE,
                "contact": "rwc",
                "promise": "rwc",
                "rule": READ,
                "stage": READ,
                "legal stage": READ,
                "legal cost": NONE,
            },
        )
        with self.assertRaises(AccessError):
            self.other.with_user(self.collector).read(["amount_due"])
        with self.assertRaises(AccessError):
            self.foreign.with_user(self.collector).read(["amount_due"])
        visible = self.env["collection.case"].with_user(self.collector).search([])
        self.assertEqual(visible, self.own)

    def test_legal_officer_works_cases_in_legal(self):
        self.assertRights(
            self.legal_officer,
            {
                "own case": NONE,
                "legal case": "rwc",
                "foreign case": NONE,
                "legal cost": ALL,
                "stage": READ,
            },
        )

    def test_manager_sees_all_of_the_company(self):
        self.assertRights(
            self.manager,
            {
                "own case": ALL,
                "other case": ALL,
                "legal case": ALL,
                "foreign case": NONE,
                "contact": ALL,
                "promise": ALL,
                "rule": ALL,
                "stage": ALL,
                "legal cost": ALL,
            },
        )
        self.assertRights(self.manager_b, {"own case": NONE, "foreign case": ALL, "rule": NONE})

    def test_billing_portal_and_public_reach_no_case(self):
        public = self.env.ref("base.public_user").sudo()
        nothing = dict.fromkeys(
            ("own case", "legal case", "contact", "promise", "rule", "legal cost", "stage"),
            NONE,
        )
        for user in (self.billing, self.portal, public):
            self.assertRights(user, nothing)
        # accountants keep reading invoices, without the case field
        invoice = self.own.invoice_ids.with_user(self.billing)
        self.assertTrue(invoice.read(["name", "collection_level_id"]))
        self.assertNotIn("collection_case_id", invoice.fields_get())
