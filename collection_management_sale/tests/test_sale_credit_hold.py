from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.collection_management.tests.common import CollectionCommon

SALESMAN = "sales_team.group_sale_salesman_all_leads"
MANAGER = "collection_management.group_collection_manager"
COLLECTOR = "collection_management.group_collection_collector"


class SaleHoldCommon(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Steel pipe", "type": "consu", "list_price": 100.0}
        )
        cls.held = cls._customer("Held Trading Co", collection_credit_hold=True)
        cls.held_contact = cls.env["res.partner"].create(
            {"name": "Buyer of Held", "parent_id": cls.held.id, "type": "contact"}
        )
        cls.good = cls._customer("Good Payer Ltd")
        cls.salesman = cls._make_user("salesman", SALESMAN)
        cls.sales_collector = cls._make_user("salescollector", f"{SALESMAN},{COLLECTOR}")
        cls.sales_manager = cls._make_user("salescmanager", f"{SALESMAN},{MANAGER}")
        cls.salesman_b = cls._make_user(
            "salesman_b", SALESMAN, company=cls.company_b, companies=cls.company_b
        )
        cls.sales_manager_b = cls._make_user(
            "salescmanager_b", f"{SALESMAN},{MANAGER}", company=cls.company_b,
            companies=cls.company_b,
        )  # fmt: skip
        cls.provider = cls.env["payment.provider"].create(
            {"name": "Test provider", "code": "none", "state": "test"}
        )

    @classmethod
    def _quotation(cls, partner, company=None, user=None):
        company = company or cls.company
        orders = cls.env["sale.order"].with_company(company)
        if user:
            orders = orders.with_user(user)
        return orders.create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.product.id, "product_uom_qty": 2, "price_unit": 100}
                    )
                ],
            }
        )

    def _in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["collection_management_sale"], ["zh_CN"], overwrite=True
        )

    def _override(self, order, user, reason):
        wizard = (
            self.env["collection.sale.hold.override"]
            .with_user(user)
            .with_company(order.company_id)
            .create({"order_id": order.id, "reason": reason})
        )
        return wizard.action_confirm()

    def _bodies(self, record):
        return record.sudo().message_ids.mapped("body")


@tagged("post_install", "-at_install")
class TestSaleCreditHold(SaleHoldCommon):
    def test_salesman_cannot_confirm_a_quotation_of_a_held_customer(self):
        order = self._quotation(self.held, user=self.salesman)
        with self.assertRaisesRegex(UserError, "Held Trading Co is on credit hold"):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_quotation_to_a_contact_of_a_held_company_is_held(self):
        order = self._quotation(self.held_contact, user=self.salesman)
        self.assertTrue(order.collection_partner_hold)
        with self.assertRaisesRegex(UserError, "Held Trading Co is on credit hold"):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_quotations_of_customers_not_on_hold_confirm(self):
        order = self._quotation(self.good, user=self.salesman)
        self.assertFalse(order.collection_partner_hold)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_several_held_customers_are_named_in_one_message(self):
        other = self._customer("Second Held Inc", collection_credit_hold=True)
        orders = self._quotation(self.held) | self._quotation(other) | self._quotation(self.good)
        with self.assertRaisesRegex(UserError, "Held Trading Co.*Second Held Inc"):
            orders.with_user(self.salesman).action_confirm()
        self.assertEqual(set(orders.mapped("state")), {"draft"})

    def test_released_hold_lets_the_quotation_confirm(self):
        order = self._quotation(self.held, user=self.salesman)
        self.held.with_user(self.manager).action_collection_release_hold()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_manager_confirms_despite_hold_with_reason_logged_on_order_and_customer(self):
        order = self._quotation(self.held_contact, user=self.salesman)
        self._override(order, self.sales_manager, "  Paid by bank transfer today  ")
        self.assertEqual(order.state, "sale")
        expected = (
            f"{order.name} confirmed despite the credit hold of Held Trading Co, by "
            f"{self.sales_manager.name}. Reason: Paid by bank transfer today"
        )
        self.assertTrue(any(expected in body for body in self._bodies(order)))
        # the customer's chatter is the commercial partner's, not the contact's
        self.assertTrue(any(expected in body for body in self._bodies(self.held)))
        self.assertTrue(self.held.collection_credit_hold, "the override leaves the hold")

    def test_override_reason_is_text_not_markup(self):
        order = self._quotation(self.held)
        self._override(order, self.sales_manager, "<b onclick='x()'>urgent</b>")
        body = next(b for b in self._bodies(order) if "despite the credit hold" in b)
        self.assertIn("&lt;b onclick=", body)
        self.assertNotIn("<b ", body)

    def test_override_needs_a_reason(self):
        order = self._quotation(self.held)
        for reason in ("", "   \n "):
            with self.subTest(reason=reason), self.assertRaises(ValidationError):
                self._override(order, self.sales_manager, reason)
        with self.assertRaises(ValidationError):
            self._override(order, self.sales_manager, "x" * 1001)
        # the same over a plain call with the override key but no usable reason
        for reason in ("   ", 42, ["list"]):
            with self.subTest(reason=reason), self.assertRaises(UserError):
                order.with_user(self.sales_manager).with_context(
                    collection_hold_override=reason
                ).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_salesman_and_collector_cannot_override(self):
        order = self._quotation(self.held)
        for user in (self.salesman, self.sales_collector):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._override(order, user, "my customer, trust me")
                own = order.with_user(user)
                with self.assertRaisesRegex(UserError, "Only a collection manager"):
                    own.with_context(collection_hold_override="trust me").action_confirm()
                with self.assertRaisesRegex(UserError, "Only a collection manager"):
                    own.action_collection_confirm_despite_hold()
                with self.assertRaises(AccessError):
                    self.held.with_user(user).write({"collection_credit_hold": False})
        self.assertEqual(order.state, "draft")
        self.assertTrue(self.held.collection_credit_hold)

    def test_override_button_and_banner_on_the_quotation_form(self):
        order = self._quotation(self.held)
        self.assertTrue(order.collection_partner_hold)

        def form(user):
            return order.with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]

        self.assertIn("action_collection_confirm_despite_hold", form(self.sales_manager))
        self.assertNotIn("action_collection_confirm_despite_hold", form(self.salesman))
        self.assertIn("is on credit hold", form(self.salesman))

    def test_customer_cannot_read_its_hold_on_its_orders(self):
        portal = new_test_user(self.env, login="portalbuyer", groups="base.group_portal")
        portal.partner_id.parent_id = self.held
        order = self._quotation(portal.partner_id)
        order.action_quotation_sent()  # the customer sees its quotations once sent
        order.with_user(portal).check_access("read")
        with self.assertRaises(AccessError):
            order.with_user(portal).read(["collection_partner_hold"])

    # ------------------------------------------------------------ two companies
    def test_hold_stops_supply_in_every_company(self):
        order = self._quotation(self.held, company=self.company_b, user=self.salesman_b)
        with self.assertRaisesRegex(UserError, "on credit hold"):
            order.with_user(self.salesman_b).action_confirm()
        self._override(order, self.sales_manager_b, "Cash sale in company B")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.company_id, self.company_b)

    def test_manager_of_one_company_cannot_override_in_another(self):
        order = self._quotation(self.held)
        with self.assertRaises(AccessError):
            self._override(order, self.sales_manager_b, "not my company")
        self.assertEqual(order.state, "draft")

    # ------------------------------------------------------------ online payment and signature
    def _paid_online(self, order, amount, reference):
        return self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": amount,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "reference": reference,
                "state": "done",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )

    def test_quotation_paid_in_full_online_is_not_credit(self):
        order = self._quotation(self.held)
        tx = self._paid_online(order, order.amount_total, "HOLD-PAID-1")
        self.assertEqual(tx._check_amount_and_confirm_order(), order)
        self.assertEqual(order.state, "sale")

    def test_prepayment_of_a_held_quotation_leaves_it_to_a_manager(self):
        order = self._quotation(self.held)
        order.write({"require_payment": True, "prepayment_percent": 0.5})
        tx = self._paid_online(order, order.amount_total / 2, "HOLD-PART-1")
        self.assertFalse(tx._check_amount_and_confirm_order())
        self.assertEqual(order.state, "draft")
        self.assertTrue(
            any("is not confirmed" in body for body in self._bodies(order)),
            "the quotation says why it waits",
        )
        self._override(order, self.sales_manager, "Prepaid half, the rest agreed")
        self.assertEqual(order.state, "sale")

    def test_quotation_signed_online_by_a_held_customer_waits_for_a_manager(self):
        order = self._quotation(self.held_contact, user=self.salesman)
        order.sudo()._validate_order()
        self.assertEqual(order.state, "draft")
        waiting = [b for b in self._bodies(order) if "accepted this quotation online" in b]
        self.assertEqual(len(waiting), 1)
        self.assertIn("Held Trading Co is on credit hold", waiting[0])
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.salesman)
        self.assertIn("accepted this quotation online", str(activity.note))

    def test_prepayment_of_a_customer_not_on_hold_confirms(self):
        order = self._quotation(self.good)
        order.write({"require_payment": True, "prepayment_percent": 0.5})
        tx = self._paid_online(order, order.amount_total / 2, "GOOD-PART-1")
        self.assertEqual(tx._check_amount_and_confirm_order(), order)
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------ languages
    def test_chinese_salesman_reads_the_refusal_in_chinese(self):
        self._in_chinese()
        self.salesman.lang = "zh_CN"
        order = self._quotation(self.held)
        with self.assertRaisesRegex(UserError, "Held Trading Co 处于信用冻结"):
            order.with_user(self.salesman).action_confirm()

    def test_customer_chatter_is_written_in_its_collectors_language(self):
        self._in_chinese()
        self.collector.lang = "zh_CN"
        self.held.with_company(self.company).collector_id = self.collector
        order = self._quotation(self.held)
        self._override(order, self.sales_manager, "到账已确认")
        on_customer = [b for b in self._bodies(self.held) if "到账已确认" in b]
        self.assertEqual(len(on_customer), 1)
        self.assertIn("信用冻结期间强制确认", on_customer[0])
        on_order = [b for b in self._bodies(order) if "到账已确认" in b]
        self.assertIn("confirmed despite the credit hold", on_order[0])
