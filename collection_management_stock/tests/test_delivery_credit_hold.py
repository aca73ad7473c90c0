from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.collection_management.tests.common import CollectionCommon

STOCK_USER = "stock.group_stock_user"
MANAGER = "collection_management.group_collection_manager"
COLLECTOR = "collection_management.group_collection_collector"


class DeliveryHoldCommon(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create({"name": "Steel pipe", "type": "consu"})
        cls.held = cls._customer("Held Trading Co", collection_credit_hold=True)
        cls.held_site = cls.env["res.partner"].create(
            {"name": "Held warehouse gate 3", "parent_id": cls.held.id, "type": "delivery"}
        )
        cls.good = cls._customer("Good Payer Ltd")
        cls.storekeeper = cls._make_user("storekeeper", STOCK_USER)
        cls.store_collector = cls._make_user("storecollector", f"{STOCK_USER},{COLLECTOR}")
        cls.store_manager = cls._make_user("storecmanager", f"{STOCK_USER},{MANAGER}")
        cls.storekeeper_b = cls._make_user(
            "storekeeper_b", STOCK_USER, company=cls.company_b, companies=cls.company_b
        )
        cls.store_manager_b = cls._make_user(
            "storecmanager_b", f"{STOCK_USER},{MANAGER}", company=cls.company_b,
            companies=cls.company_b,
        )  # fmt: skip

    @classmethod
    def _picking(cls, partner, code="outgoing", company=None, qty=2):
        """A ready transfer of ``qty`` pipes of type ``code`` with ``partner``."""
        company = company or cls.company
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        kind = warehouse.out_type_id if code == "outgoing" else warehouse.in_type_id
        picking = (
            cls.env["stock.picking"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "picking_type_id": kind.id,
                    "company_id": company.id,
                    "location_id": kind.default_location_src_id.id
                    or cls.env.ref("stock.stock_location_suppliers").id,
                    "location_dest_id": kind.default_location_dest_id.id
                    or cls.env.ref("stock.stock_location_customers").id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": "Steel pipe",
                                "product_id": cls.product.id,
                                "product_uom_qty": qty,
                                "product_uom": cls.product.uom_id.id,
                                "company_id": company.id,
                                "location_id": kind.default_location_src_id.id
                                or cls.env.ref("stock.stock_location_suppliers").id,
                                "location_dest_id": kind.default_location_dest_id.id
                                or cls.env.ref("stock.stock_location_customers").id,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def _in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["collection_management_stock"], ["zh_CN"], overwrite=True
        )

    def _override(self, picking, user, reason):
        wizard = (
            self.env["collection.picking.hold.override"]
            .with_user(user)
            .with_company(picking.company_id)
            .create({"picking_id": picking.id, "reason": reason})
        )
        return wizard.action_validate()

    def _bodies(self, record):
        return record.sudo().message_ids.mapped("body")

    def _overrides_logged(self, record):
        return [
            body
            for body in record.sudo().message_ids.mapped("body")
            if "validated despite the credit hold" in body
        ]


@tagged("post_install", "-at_install")
class TestDeliveryCreditHold(DeliveryHoldCommon):
    def test_storekeeper_cannot_validate_a_delivery_to_a_held_customer(self):
        picking = self._picking(self.held)
        with self.assertRaisesRegex(UserError, "Held Trading Co is on credit hold"):
            picking.with_user(self.storekeeper).button_validate()
        self.assertEqual(picking.state, "assigned")

    def test_delivery_to_an_address_of_a_held_company_is_held(self):
        picking = self._picking(self.held_site)
        self.assertTrue(picking.collection_partner_hold)
        with self.assertRaisesRegex(UserError, "Held Trading Co is on credit hold"):
            picking.with_user(self.storekeeper).button_validate()
        self.assertEqual(picking.state, "assigned")

    def test_receipts_and_deliveries_to_customers_not_on_hold_are_validated(self):
        receipt = self._picking(self.held, code="incoming")
        self.assertFalse(receipt.collection_partner_hold)
        receipt.with_user(self.storekeeper).button_validate()
        delivery = self._picking(self.good)
        delivery.with_user(self.storekeeper).button_validate()
        self.assertEqual((receipt.state, delivery.state), ("done", "done"))

    def test_several_held_customers_are_named_in_one_message(self):
        other = self._customer("Second Held Inc", collection_credit_hold=True)
        pickings = self._picking(self.held) | self._picking(other) | self._picking(self.good)
        with self.assertRaisesRegex(UserError, "Held Trading Co.*Second Held Inc"):
            pickings.with_user(self.storekeeper).button_validate()
        self.assertEqual(set(pickings.mapped("state")), {"assigned"})

    def test_manager_validates_despite_hold_with_reason_logged_on_delivery_and_customer(self):
        picking = self._picking(self.held_site)
        result = self._override(picking, self.store_manager, " Cash paid to the driver ")
        self.assertEqual(result, {"type": "ir.actions.act_window_close"})
        self.assertEqual(picking.state, "done")
        expected = (
            f"{picking.name} validated despite the credit hold of Held Trading Co, by "
            f"{self.store_manager.name}. Reason: Cash paid to the driver"
        )
        self.assertEqual(len(self._overrides_logged(picking)), 1)
        self.assertIn(expected, self._overrides_logged(picking)[0])
        self.assertEqual(len(self._overrides_logged(self.held)), 1)
        self.assertIn(expected, self._overrides_logged(self.held)[0])
        self.assertTrue(self.held.collection_credit_hold, "the override leaves the hold")

    def test_partial_delivery_overridden_is_logged_once_after_the_backorder_question(self):
        picking = self._picking(self.held)
        picking.move_ids.quantity = 1
        action = self._override(picking, self.store_manager, "Half now, paid in cash")
        self.assertEqual(action["res_model"], "stock.backorder.confirmation")
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(self._overrides_logged(picking), "nothing delivered yet")
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.store_manager)
            .with_context(**action["context"])
        ).save()
        wizard.process()
        self.assertEqual(picking.state, "done")
        self.assertEqual(len(self._overrides_logged(picking)), 1)
        backorder = picking.backorder_ids
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)
        with self.assertRaisesRegex(UserError, "on credit hold"):
            backorder.with_user(self.storekeeper).button_validate()

    def test_override_needs_a_reason_as_text(self):
        picking = self._picking(self.held)
        for reason in ("", "   \n "):
            with self.subTest(reason=reason), self.assertRaises(ValidationError):
                self._override(picking, self.store_manager, reason)
        with self.assertRaises(ValidationError):
            self._override(picking, self.store_manager, "x" * 1001)
        for reason in ("   ", 42, {"dict": 1}):
            with self.subTest(reason=reason), self.assertRaises(UserError):
                picking.with_user(self.store_manager).with_context(
                    collection_hold_override=reason
                ).button_validate()
        self.assertEqual(picking.state, "assigned")
        self._override(picking, self.store_manager, "<script>alert(1)</script>")
        body = self._overrides_logged(picking)[0]
        self.assertIn("&lt;script&gt;", body)
        self.assertNotIn("<script>", body)

    def test_storekeeper_and_collector_cannot_override(self):
        picking = self._picking(self.held)
        for user in (self.storekeeper, self.store_collector):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._override(picking, user, "the truck is waiting")
                own = picking.with_user(user)
                with self.assertRaisesRegex(UserError, "Only a collection manager"):
                    own.with_context(collection_hold_override="truck").button_validate()
                with self.assertRaisesRegex(UserError, "Only a collection manager"):
                    own.action_collection_validate_despite_hold()
                with self.assertRaises(AccessError):
                    self.held.with_user(user).write({"collection_credit_hold": False})
        self.assertEqual(picking.state, "assigned")

    def test_override_button_and_banner_on_the_delivery_form(self):
        picking = self._picking(self.held)

        def form(user):
            return picking.with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]

        self.assertIn("action_collection_validate_despite_hold", form(self.store_manager))
        self.assertNotIn("action_collection_validate_despite_hold", form(self.storekeeper))
        self.assertIn("is on credit hold", form(self.storekeeper))

    def test_released_hold_lets_the_delivery_go(self):
        picking = self._picking(self.held)
        self.held.with_user(self.manager).action_collection_release_hold()
        picking.with_user(self.storekeeper).button_validate()
        self.assertEqual(picking.state, "done")

    # ------------------------------------------------------------ two companies
    def test_hold_stops_deliveries_in_every_company(self):
        picking = self._picking(self.held, company=self.company_b)
        with self.assertRaisesRegex(UserError, "on credit hold"):
            picking.with_user(self.storekeeper_b).button_validate()
        self._override(picking, self.store_manager_b, "Cash sale in company B")
        self.assertEqual(picking.state, "done")

    def test_manager_of_one_company_cannot_override_in_another(self):
        picking = self._picking(self.held)
        with self.assertRaises(AccessError):
            self._override(picking, self.store_manager_b, "not my company")
        self.assertEqual(picking.state, "assigned")

    # ------------------------------------------------------------ languages
    def test_chinese_storekeeper_reads_the_refusal_in_chinese(self):
        self._in_chinese()
        self.storekeeper.lang = "zh_CN"
        picking = self._picking(self.held)
        with self.assertRaisesRegex(UserError, "Held Trading Co 处于信用冻结"):
            picking.with_user(self.storekeeper).button_validate()

    def test_customer_chatter_is_written_in_its_collectors_language(self):
        self._in_chinese()
        self.collector.lang = "zh_CN"
        self.held.with_company(self.company).collector_id = self.collector
        picking = self._picking(self.held)
        self._override(picking, self.store_manager, "到账已确认")
        on_customer = [b for b in self._bodies(self.held) if "到账已确认" in b]
        self.assertEqual(len(on_customer), 1)
        self.assertIn("信用冻结期间强制验证发货", on_customer[0])
        on_picking = [b for b in self._bodies(picking) if "到账已确认" in b]
        self.assertIn("validated despite the credit hold", on_picking[0])
