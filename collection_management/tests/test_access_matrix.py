from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import CollectionCommon

NONE = ""
READ = "r"
ALL = "rwcu"


@tagged("post_install", "-at_install")
class TestAccessMatrix(CollectionCommon):
    """Every model of the addon, every kind of user, every operation: exactly the rights
    the design gives, on a record of the first company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customer = cls.env["res.partner"].create({"name": "Matrix debtor"})
        cls.records = {
            "collection.policy": cls.policy,
            "collection.level": cls.policy.level_ids[0],
            "collection.followup": cls.env["collection.followup"]
            .sudo()
            .create(
                {
                    "partner_id": customer.id,
                    "company_id": cls.company.id,
                    "level_id": cls.policy.level_ids[0].id,
                    "date": date(2026, 1, 1),
                }
            ),
            "collection.dispute.reason": cls.env.ref(
                "collection_management.dispute_reason_quality"
            ),
        }
        cls.portal = cls.env["res.users"].create(
            {
                "name": "Portal debtor",
                "login": "matrix_portal",
                "groups_id": [Command.set(cls.env.ref("base.group_portal").ids)],
            }
        )
        # the public user belongs to the main company: read it as superuser
        cls.public = cls.env.ref("base.public_user").sudo()
        cls.employee = cls._make_user("matrix_employee", "base.group_user")

    def test_collector_and_legal_officer(self):
        expected = {
            "collection.policy": READ,
            "collection.level": READ,
            "collection.followup": "rw",
            "collection.dispute.reason": READ,
        }
        self.assertRights(self.collector, expected)
        self.assertRights(self.legal_officer, expected)

    def test_manager(self):
        self.assertRights(
            self.manager,
            {
                "collection.policy": ALL,
                "collection.level": ALL,
                "collection.followup": "rwu",
                "collection.dispute.reason": ALL,
            },
        )

    def test_billing_accountant(self):
        self.assertRights(
            self.billing,
            {
                "collection.policy": READ,
                "collection.level": READ,
                "collection.followup": "rw",
                "collection.dispute.reason": READ,
            },
        )

    def test_employee_portal_and_public_reach_nothing_but_reasons(self):
        nothing = {
            "collection.policy": NONE,
            "collection.level": NONE,
            "collection.followup": NONE,
        }
        self.assertRights(self.employee, dict(nothing, **{"collection.dispute.reason": READ}))
        self.assertRights(self.portal, dict(nothing, **{"collection.dispute.reason": NONE}))
        self.assertRights(self.public, dict(nothing, **{"collection.dispute.reason": NONE}))

    def test_manager_of_another_company(self):
        self.assertRights(
            self.manager_b,
            {
                "collection.policy": NONE,
                "collection.level": NONE,
                "collection.followup": NONE,
                "collection.dispute.reason": ALL,
            },
        )
