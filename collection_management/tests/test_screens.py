from lxml import etree

from odoo import fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..demo.generator import DemoBook
from .common import CollectionCommon

ROLES = ("collector", "legal_officer", "manager", "billing")


@tagged("post_install", "-at_install")
class TestScreens(CollectionCommon):
    """What the browser loads behind each screen of the addon, for each role, on a book in
    every situation (reminded, promised, broken, disputed, in legal action, closed): every
    menu the role sees opens its views and reads the records they show, and the main
    screens hold what their users work with. (The pictures of these screens are taken
    by ``./dev screenshots`` on the demo database.)"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        book = DemoBook(cls.env, cls.company)
        book.generate(customers=12, invoices=60, seed=5, today=today)
        book.story(today)
        cls.env["collection.followup"]._collection_run(cls.company, today)
        cls.root = cls.env.ref("collection_management.collection_menu_root")

    def _menus(self, user):
        """The addon's menus that open a window and that ``user`` reaches: the menu and
        all its parents are visible to them, as the web client builds its menu tree."""
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        menus = self.env["ir.ui.menu"].search([("id", "child_of", self.root.id)])
        return menus.filtered(
            lambda menu: (
                menu.action
                and menu.action._name == "ir.actions.act_window"
                and all(int(ident) in visible for ident in menu.parent_path.split("/")[:-1])
            )
        )

    def _fields_shown(self, arch):
        """Names of the fields a view shows itself (not those of its sub-views)."""
        tree = etree.fromstring(arch)
        return {
            node.get("name")
            for node in tree.iter("field")
            if not any(
                parent is not tree and parent.tag in ("list", "kanban", "form")
                for parent in node.iterancestors()
            )
        }

    def _spec(self, model, arch):
        """What the web client asks for the fields a view shows."""
        return {name: {} for name in self._fields_shown(arch) & set(model._fields)}

    def _open(self, user, menu):
        """Open ``menu`` as ``user`` the way the web client does: the action, its views,
        then the records of its first multi-record view and the first record's form."""
        action = (
            self.env["ir.actions.actions"]
            .with_user(user)
            ._for_xml_id(menu.action.get_external_id()[menu.action.id])
        )
        model = self.env[action["res_model"]].with_user(user).with_company(self.company)
        views = [(view_id, mode) for view_id, mode in action["views"]]
        if "search" not in [mode for _id, mode in views]:
            views.append((action.get("search_view_id") and action["search_view_id"][0], "search"))
        loaded = model.get_views(views)["views"]
        if action.get("target") == "new" or action["res_model"].endswith("settings"):
            return loaded, None
        domain = safe_eval(action.get("domain") or "[]", {"uid": user.id})
        listing = next((mode for mode in ("kanban", "list") if mode in loaded), None)
        records = None
        if listing:
            spec = self._spec(model, loaded[listing]["arch"])
            records = model.web_search_read(domain, spec, limit=40)["records"]
        if "form" in loaded and records:
            spec = self._spec(model, loaded["form"]["arch"])
            model.browse(records[0]["id"]).web_read(spec)
        return loaded, records

    def test_every_menu_opens_for_every_role_that_sees_it(self):
        opened = {}
        for role in ROLES:
            user = getattr(self, role)
            for menu in self._menus(user):
                with self.subTest(role=role, menu=menu.complete_name):
                    self._open(user, menu)
                    opened.setdefault(role, []).append(menu.name)
        self.assertIn("My worklist", opened["collector"])
        self.assertIn("Legal cases", opened["legal_officer"])
        self.assertNotIn("Settings", opened["collector"])
        self.assertNotIn("Assignment Rules", opened["collector"])
        self.assertGreater(len(opened["manager"]), len(opened["collector"]))
        self.assertNotIn("billing", opened, "the addon shows nothing to a plain invoicing user")

    def test_worklist_shows_the_collectors_ranked_cases_with_their_actions(self):
        menu = self.env.ref("collection_management.collection_case_worklist_menu")
        collector = (
            self.env["collection.case"]
            .search([("company_id", "=", self.company.id), ("collector_id", "!=", False)], limit=1)
            .collector_id
        )
        collector.groups_id |= self.env.ref("collection_management.group_collection_collector")
        loaded, records = self._open(collector, menu)
        self.assertTrue(records, "the worklist of a collector with cases is not empty")
        shown = set().union(*(self._fields_shown(view["arch"]) for view in loaded.values()))
        for name in ("partner_id", "amount_due", "days_overdue", "priority_score", "stage_id"):
            self.assertIn(name, shown)
        form = etree.fromstring(loaded["form"]["arch"])
        buttons = {button.get("name") for button in form.iter("button")}
        self.assertIn("action_log_contact", buttons)
        self.assertTrue(
            form.xpath("//header/field[@name='stage_id'][starts-with(@widget, 'statusbar')]")
        )

    def test_followup_review_lists_drafts_with_their_decisions(self):
        menu = self.env.ref("collection_management.collection_followup_menu")
        loaded, records = self._open(self.manager, menu)
        self.assertTrue(records, "the run left drafts to review")
        listing = etree.fromstring(loaded["list"]["arch"])
        buttons = {button.get("name") for button in listing.iter("button")}
        self.assertTrue({"action_send", "action_cancel"} <= buttons, buttons)
        shown = self._fields_shown(loaded["list"]["arch"])
        for name in ("partner_id", "level_id", "amount_due", "state"):
            self.assertIn(name, shown)
