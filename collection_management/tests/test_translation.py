import re

from odoo.tests import TransactionCase, tagged

MAGIC_FIELDS = ["id", "create_uid", "create_date", "write_uid", "write_date", "display_name"]


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

    def _addon_records(self, model):
        data = self.env["ir.model.data"].search(
            [("module", "=", "collection_management"), ("model", "=", model)]
        )
        return self.env[model].browse(data.mapped("res_id")).exists()

    @staticmethod
    def _needs_translation(text):
        # words of at least three letters; codes, numbers and symbols stay as they are
        return bool(re.search(r"[A-Za-z]{3,}", re.sub(r"\{\{.*?\}\}|%\(\w+\)s|<[^>]+>", "", text)))

    def test_no_menu_view_or_template_term_left_in_english(self):
        untranslated = []
        for menu in self._addon_records("ir.ui.menu"):
            name = menu.with_context(lang="zh_CN").name
            if name == menu.with_context(lang="en_US").name:
                untranslated.append(f"menu {name}")
        for view in self._addon_records("ir.ui.view"):
            field = view._fields["arch_db"]
            english = set(field.get_trans_terms(view.with_context(lang="en_US").arch_db))
            chinese = set(field.get_trans_terms(view.with_context(lang="zh_CN").arch_db))
            untranslated += [
                f"{view.xml_id or view.name}: {term}"
                for term in english & chinese
                if self._needs_translation(term)
            ]
        for template in self._addon_records("mail.template"):
            for name in ("subject", "body_html"):
                english = template.with_context(lang="en_US")[name]
                chinese = template.with_context(lang="zh_CN")[name]
                if english and english == chinese:
                    untranslated.append(f"{template.name}: {name}")
        for model in ("collection.stage", "collection.legal.stage", "collection.level"):
            for record in self._addon_records(model).sudo():
                if record.with_context(lang="zh_CN").name == record.with_context(lang="en_US").name:
                    untranslated.append(f"{model} {record.name}")
        self.assertFalse(untranslated, f"{len(untranslated)} left in English: {untranslated[:15]}")

    def test_field_labels_and_selections_of_the_addon_in_chinese(self):
        fields_data = self.env["ir.model.fields"].search(
            [("model_id.model", "=like", "collection.%"), ("name", "not in", MAGIC_FIELDS)]
        )
        english = {f.id: f.with_context(lang="en_US").field_description for f in fields_data}
        left = [
            f"{f.model}.{f.name}"
            for f in fields_data
            if f.with_context(lang="zh_CN").field_description == english[f.id]
            and self._needs_translation(english[f.id])
            and f.modules
            and "collection_management" in f.modules
        ]
        self.assertFalse(left, f"{len(left)} field labels in English: {left[:15]}")
