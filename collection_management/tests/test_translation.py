from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestChineseTranslation(TransactionCase):
    """The Simplified Chinese catalogue loads and reaches menus, data and templates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["collection_management"], ["zh_CN"], overwrite=True
        )

    def test_menus_in_chinese(self):
        root = self.env.ref("collection_management.collection_menu_root")
        self.assertEqual(root.with_context(lang="zh_CN").name, "催收管理")
        self.assertEqual(root.with_context(lang="en_US").name, "Collections")

    def test_shipped_levels_and_reasons_in_chinese(self):
        level = self.env.ref("collection_management.collection_level_friendly").sudo()
        self.assertEqual(level.with_context(lang="zh_CN").name, "友好提醒")
        reason = self.env.ref("collection_management.dispute_reason_quality")
        self.assertEqual(reason.with_context(lang="zh_CN").name, "货物或服务质量")

    def test_reminder_subject_in_chinese_keeps_its_placeholder(self):
        template = self.env.ref("collection_management.mail_template_followup_friendly")
        subject = template.with_context(lang="zh_CN").subject
        self.assertEqual(subject, "{{ object.company_id.name }}：付款提醒")
