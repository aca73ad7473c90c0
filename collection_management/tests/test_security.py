from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CollectionCommon


@tagged("post_install", "-at_install")
class TestSecurity(CollectionCommon):
    def test_groups_and_implications(self):
        manager_group = self.env.ref("collection_management.group_collection_manager")
        implied = manager_group.trans_implied_ids
        self.assertIn(self.env.ref("collection_management.group_collection_collector"), implied)
        self.assertIn(self.env.ref("collection_management.group_collection_legal"), implied)
        self.assertTrue(self.manager.has_group("collection_management.group_collection_legal"))
        self.assertFalse(self.collector.has_group("collection_management.group_collection_legal"))
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "collection_management.group_collection_manager"
            )
        )

    def test_collector_reads_but_cannot_change_configuration(self):
        policy = self.policy.with_user(self.collector)
        self.assertTrue(policy.level_ids.mapped("name"))
        with self.assertRaises(AccessError):
            policy.name = "Hacked"
        with self.assertRaises(AccessError):
            self.env["collection.policy"].with_user(self.collector).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            policy.level_ids[0].delay_days = 99

    def test_billing_accountant_reads_policies(self):
        policy = self.policy.with_user(self.billing)
        self.assertEqual(policy.name, self.policy.name)
        with self.assertRaises(AccessError):
            policy.level_ids[0].unlink()

    def test_manager_configures(self):
        policy = (
            self.env["collection.policy"]
            .with_user(self.manager)
            .create(
                {
                    "name": "Manager policy",
                    "level_ids": [
                        Command.create({"name": "Call", "delay_days": 3, "send_email": False})
                    ],
                }
            )
        )
        self.assertEqual(policy.company_id, self.company)
        policy.level_ids.delay_days = 5
        policy.unlink()

    def test_user_without_collection_group_sees_nothing(self):
        user = self._make_user("plain", "base.group_user")
        with self.assertRaises(AccessError):
            self.policy.with_user(user).read(["name"])

    def test_portal_user_sees_nothing(self):
        portal = self.env["res.users"].create(
            {
                "name": "Portal debtor",
                "login": "portal_debtor",
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        for model in ("collection.policy", "collection.level", "collection.followup"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(portal).search([])

    def test_multi_company_isolation(self):
        # a manager of company B only never sees company A's policies or levels
        policies = self.env["collection.policy"].with_user(self.manager_b).search([])
        self.assertIn(self.policy_b, policies)
        self.assertNotIn(self.policy, policies)
        levels = self.env["collection.level"].with_user(self.manager_b).search([])
        self.assertFalse(levels.filtered(lambda lvl: lvl.company_id == self.company))
        with self.assertRaises(AccessError):
            self.policy.with_user(self.manager_b).read(["name"])
        # a user of both companies sees only the active companies' records
        both = self.manager.with_context(allowed_company_ids=self.company.ids)
        visible = (
            self.env["collection.policy"]
            .with_user(both)
            .with_context(allowed_company_ids=self.company.ids)
            .search([])
        )
        self.assertNotIn(self.policy_b, visible)
