from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CollectionCommon


@tagged("post_install", "-at_install")
class TestPolicy(CollectionCommon):
    def test_every_company_has_its_own_default_policy(self):
        self.assertTrue(self.policy)
        self.assertTrue(self.policy_b)
        self.assertNotEqual(self.policy, self.policy_b)
        self.assertEqual(self.policy.company_id, self.company)
        self.assertEqual(self.policy_b.company_id, self.company_b)
        self.assertEqual(self.policy_b.level_ids.mapped("delay_days"), [-7, 7, 21, 45, 75])

    def test_new_company_gets_a_copy_of_the_default_policy(self):
        company = self.env["res.company"].create({"name": "New Co"})
        self.assertTrue(company.collection_policy_id)
        self.assertEqual(company.collection_policy_id.company_id, company)
        self.assertEqual(len(company.collection_policy_id.level_ids), 5)
        self.assertTrue(
            all(level.company_id == company for level in company.collection_policy_id.level_ids)
        )

    def test_shipped_policy_levels(self):
        # the shipped record belongs to the main company, outside the test companies
        policy = self.env.ref("collection_management.collection_policy_default").sudo()
        levels = policy.level_ids
        self.assertEqual(levels.mapped("delay_days"), [-7, 7, 21, 45, 75])
        self.assertEqual(levels.mapped("sequence"), [1, 2, 3, 4, 5])
        self.assertTrue(levels[2].create_activity)
        self.assertTrue(levels[3].credit_hold)
        self.assertFalse(levels[3].auto_execute)
        self.assertTrue(levels[4].escalate_legal)
        self.assertTrue(all(levels.mapped("mail_template_id")))

    def test_levels_are_ordered_by_delay_whatever_the_creation_order(self):
        policy = self._policy(delays=(30, -5, 10))
        policy.invalidate_recordset(["level_ids"])
        self.assertEqual(policy.level_ids.mapped("delay_days"), [-5, 10, 30])
        self.assertEqual(policy.level_ids.mapped("sequence"), [1, 2, 3])
        policy.level_ids.filtered(lambda lvl: lvl.delay_days == 30).delay_days = 1
        self.assertEqual(policy.level_ids.sorted("sequence").mapped("delay_days"), [-5, 1, 10])

    def test_due_level(self):
        policy = self._policy(delays=(-7, 7, 21))
        before, first, second = policy._levels_by_delay()
        self.assertFalse(policy._due_level(-10))
        self.assertEqual(policy._due_level(-3), before)
        self.assertEqual(policy._due_level(8), first)
        self.assertEqual(policy._due_level(100), second)
        self.assertEqual(policy._due_level(100, above=first), second)
        self.assertFalse(policy._due_level(10, above=first))
        self.assertFalse(policy._due_level(100, above=second))

    def test_duplicate_delay_in_one_policy_is_refused(self):
        policy = self._policy(delays=(7,))
        with self.assertRaisesRegex(ValidationError, "cannot share a delay"):
            self.env["collection.level"].create(
                {"policy_id": policy.id, "name": "Again", "delay_days": 7, "send_email": False}
            )
        # the same delay in another policy is fine
        other = self._policy(name="Other", delays=(7,))
        self.assertEqual(other.level_ids.delay_days, 7)

    def test_bad_level_values_are_refused(self):
        policy = self._policy()
        level_model = self.env["collection.level"]
        with self.assertRaisesRegex(ValidationError, "has no email template"):
            level_model.create({"policy_id": policy.id, "name": "X", "delay_days": 1})
        with self.assertRaisesRegex(ValidationError, "must lie between 0 and 3650"):
            level_model.create(
                {
                    "policy_id": policy.id,
                    "name": "X",
                    "delay_days": 1,
                    "send_email": False,
                    "min_interval_days": -1,
                }
            )
        with self.assertRaisesRegex(ValidationError, "choose its activity type"):
            level_model.create(
                {
                    "policy_id": policy.id,
                    "name": "X",
                    "delay_days": 1,
                    "send_email": False,
                    "create_activity": True,
                }
            )
        with self.assertRaisesRegex(ValidationError, "must lie between"):
            level_model.create(
                {"policy_id": policy.id, "name": "X", "delay_days": -400, "send_email": False}
            )
        wrong_model = self.env["mail.template"].create(
            {"name": "Partner template", "model_id": self.env.ref("base.model_res_partner").id}
        )
        with self.assertRaisesRegex(ValidationError, "made for res.partner"):
            level_model.create(
                {
                    "policy_id": policy.id,
                    "name": "X",
                    "delay_days": 1,
                    "mail_template_id": wrong_model.id,
                }
            )

    def test_duplicate_policy_name_in_a_company_is_refused(self):
        self._policy(name="Strict")
        with self.assertRaisesRegex(ValidationError, "already exists"):
            self._policy(name="Strict")
        self.assertTrue(self._policy(name="Strict", company=self.company_b))

    def test_copy_keeps_levels_and_renames(self):
        copy = self.policy.copy()
        self.assertIn("(copy)", copy.name)
        self.assertEqual(
            copy.level_ids.mapped("delay_days"), self.policy.level_ids.mapped("delay_days")
        )
        self.assertFalse(copy.level_ids & self.policy.level_ids)

    def test_default_policy_cannot_be_deleted(self):
        with self.assertRaisesRegex(UserError, "default follow-up policy"):
            self.policy.unlink()
        spare = self._policy(name="Spare")
        spare.unlink()
        self.assertFalse(spare.exists())

    def test_partner_policy_overrides_company_default(self):
        partner = self.partner_a
        self.assertEqual(partner._collection_policy(self.company), self.policy)
        special = self._policy(name="Key accounts", delays=(15,))
        partner.with_company(self.company).collection_policy_id = special
        self.assertEqual(partner._collection_policy(self.company), special)
        self.assertEqual(partner._collection_policy(self.company_b), self.policy_b)
        self.assertEqual(special.partner_count, 1)

    def test_settings_set_company_default_policy_and_thresholds(self):
        special = self._policy(name="Settings policy", delays=(10,))
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.collection_policy_id = special
        settings.collection_limitation_years = 2
        settings.collection_case_min_days = 45
        settings.save().execute()
        self.assertEqual(self.company.collection_policy_id, special)
        self.assertEqual(self.company.collection_limitation_years, 2)
        self.assertEqual(self.company.collection_case_min_days, 45)
        with self.assertRaisesRegex(ValidationError, "at least one year"):
            self.company.collection_limitation_years = 0

    def test_duplicate_delay_typed_in_the_policy_form_gives_the_validation_message(self):
        form = Form(self.env["collection.policy"])
        form.name = "Typed in the form"
        for name in ("First call", "Second call"):
            with form.level_ids.new() as level:
                level.name = name
                level.delay_days = 10
                level.send_email = False
        with self.assertRaisesRegex(ValidationError, "cannot share a delay"):
            form.save()

    def test_policy_form_numbers_new_levels_by_delay_whatever_the_typing_order(self):
        form = Form(self.env["collection.policy"])
        form.name = "Typed in any order"
        for delay in (30, -5, 10):
            with form.level_ids.new() as level:
                level.name = f"L{delay}"
                level.delay_days = delay
                level.send_email = False
        shown = {
            form.level_ids._records[index]["delay_days"]: form.level_ids._records[index]["sequence"]
            for index in range(3)
        }
        self.assertEqual(shown, {-5: 1, 10: 2, 30: 3})
        policy = form.save()
        self.assertEqual(policy.level_ids.mapped("delay_days"), [-5, 10, 30])
        self.assertEqual(policy.level_ids.mapped("sequence"), [1, 2, 3])
