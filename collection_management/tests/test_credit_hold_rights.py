from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CollectionCommon

TRACKING = {"tracking_disable": False, "mail_notrack": False}


@tagged("post_install", "-at_install")
class TestCreditHoldRights(CollectionCommon):
    """The credit hold stops supply: only a collection manager releases it, and the
    release is logged on the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Held Trading Co", collection_credit_hold=True)
        cls.contact_editor = new_test_user(
            cls.env,
            login="contacteditor",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
        )

    def test_only_a_collection_manager_releases_a_hold(self):
        for user in (self.collector, self.billing, self.legal_officer, self.contact_editor):
            with self.subTest(user=user.login):
                partner = self.customer.with_user(user)
                with self.assertRaises(AccessError):
                    partner.write({"collection_credit_hold": False})
                with self.assertRaises(AccessError):
                    partner.action_collection_release_hold()
        self.assertTrue(self.customer.collection_credit_hold)

    def test_users_who_do_not_follow_payments_cannot_put_a_customer_on_hold(self):
        other = self._customer("Good Payer Ltd")
        with self.assertRaises(AccessError):
            other.with_user(self.contact_editor).write({"collection_credit_hold": True})
        self.assertFalse(other.collection_credit_hold)
        accountant = new_test_user(
            self.env,
            login="accountanteditor",
            groups="account.group_account_invoice,base.group_partner_manager",
            company_id=self.company.id,
        )
        other.with_user(accountant).write({"collection_credit_hold": True})
        self.assertTrue(other.collection_credit_hold)

    def test_edits_of_other_fields_of_a_held_customer_are_not_hindered(self):
        self.customer.with_user(self.contact_editor).write({"phone": "+86 21 5555 0101"})
        self.assertEqual(self.customer.phone, "+86 21 5555 0101")

    def test_release_by_a_manager_is_tracked_on_the_customer(self):
        # the customer was put on hold in an earlier transaction
        self.env.flush_all()
        self.cr.precommit.run()
        self.customer.with_user(self.manager).with_context(
            **TRACKING
        ).action_collection_release_hold()
        self.env.flush_all()
        self.cr.precommit.run()  # tracking values are written before commit
        self.assertFalse(self.customer.collection_credit_hold)
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "res.partner"),
                    ("mail_message_id.res_id", "=", self.customer.id),
                    ("field_id.name", "=", "collection_credit_hold"),
                ]
            )
        )
        self.assertEqual(len(tracked), 1)
        self.assertEqual(tracked.mail_message_id.author_id, self.manager.partner_id)
        self.assertEqual((tracked.old_value_integer, tracked.new_value_integer), (1, 0))

    def test_credit_hold_banner_shows_to_every_internal_user(self):
        arch = self.customer.with_user(self.contact_editor).get_views([(False, "form")])
        form = arch["views"]["form"]["arch"]
        self.assertIn("This customer is on credit hold", form)
        self.assertNotIn("action_collection_release_hold", form)
        manager_form = self.customer.with_user(self.manager).get_views([(False, "form")])
        self.assertIn("action_collection_release_hold", manager_form["views"]["form"]["arch"])
