import json
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import file_open

from .common import CollectionCommon

DAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestOverviewFigures(CollectionCommon):
    """The managers' overview shows the numbers of the office, named and linked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.debtor = cls._customer("Overview Debtor")
        cls.invoice = cls._invoice(cls.debtor, 1000, DAY - timedelta(days=40))

    def _open_case(self, day=DAY):
        with freeze_time(day):
            case = self.env["collection.case"]._collection_sync(self.company, day, self.debtor)
        case.collector_id = self.collector
        return case

    def _open_overview(self, day=DAY):
        """The overview as the manager's menu opens it."""
        action_record = self.env.ref("collection_management.collection_overview_action_open")
        with freeze_time(day):
            action = action_record.with_user(self.manager).run()
        self.assertEqual(action["res_model"], "collection.overview")
        return self.env["collection.overview"].with_user(self.manager).browse(action["res_id"])

    def test_money_paid_before_an_invoice_joined_its_case_is_not_recovered(self):
        self._pay(self.invoice, 300, DAY)  # the morning: before the case opens
        case = self._open_case()
        self._pay(self.invoice, 200, DAY)  # the afternoon: the collector's work
        self.assertAlmostEqual(case.amount_assigned, 700)
        self.assertAlmostEqual(case.amount_recovered, 200)
        overview = self._open_overview()
        with freeze_time(DAY):
            self.assertAlmostEqual(overview.recovered_month, 200)
            self.assertAlmostEqual(overview.recovery_rate, round(100 * 200 / 700, 1))
        recovered = self.env["collection.snapshot"]._collection_recovered(
            self.company, DAY.replace(day=1), DAY
        )
        self.assertEqual(recovered, {self.collector.id: 200.0})

    def test_money_recovered_on_a_case_without_collector_counts_for_the_company(self):
        case = self._open_case()
        case.collector_id = False
        self._pay(self.invoice, 250, DAY)
        overview = self._open_overview()
        with freeze_time(DAY):
            self.assertAlmostEqual(overview.recovered_month, 250)
            self.assertAlmostEqual(overview.recovery_rate, 25.0)

    def test_month_target_and_achievement_of_the_office(self):
        self._open_case()
        self._pay(self.invoice, 400, DAY)
        self.env["collection.target"].create(
            {"collector_id": self.collector.id, "month": DAY, "amount": 800}
        )
        overview = self._open_overview()
        with freeze_time(DAY):
            self.assertAlmostEqual(overview.target_amount, 800)
            self.assertAlmostEqual(overview.recovered_month, 400)
            self.assertAlmostEqual(overview.target_achievement, 50.0)

    def test_balances_of_daily_snapshots_average_over_a_week(self):
        """The dashboard's trends group the daily snapshots by week: a balance of the
        week is the average of its days, not their sum."""
        snapshots = self.env["collection.snapshot"]
        for day, amount in ((date(2026, 6, 29), 100.0), (date(2026, 6, 30), 300.0)):
            snapshots.create(
                {
                    "company_id": self.company.id,
                    "date": day,
                    "amount_open": amount,
                    "amount_overdue": amount / 2,
                }
            )
        # as the spreadsheet reads them: the fields' own aggregates
        groups = snapshots.read_group(
            [("company_id", "=", self.company.id), ("collector_id", "=", False)],
            ["amount_open", "amount_overdue"],
            ["date:week"],
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual((groups[0]["amount_open"], groups[0]["amount_overdue"]), (200.0, 100.0))

    def test_partner_being_edited_shows_its_overdue_amount(self):
        """Inside a form being edited (an onchange), a customer is a new record standing
        for the saved one: its collection status is the saved customer's."""
        partner = self._overdue_customer("Edited Co", 700, 20)
        edited = self.env["res.partner"].new({"name": "Edited Co"}, origin=partner)
        self.assertEqual(edited.collection_amount_overdue, 700)

    def test_overview_opens_as_a_named_record_not_a_new_one(self):
        overview = self._open_overview()
        self.assertTrue(overview.exists())
        with freeze_time(DAY):
            self.assertIn(self.company.name, overview.display_name)
            self.assertIn("2026-06-30", overview.display_name)
            self.assertNotEqual(overview.display_name, "New")

    def test_top_debtors_show_their_overdue_amount_with_a_link(self):
        small = self._customer("Small Debtor")
        self._invoice(small, 50, DAY - timedelta(days=10))
        overview = self._open_overview()
        with freeze_time(DAY):
            # what the form reads from the saved record (no onchange of a new one)
            [values] = overview.web_read({"top_debtors": {}, "top_debtor_ids": {}})
        self.assertEqual(values["top_debtor_ids"], [self.debtor.id, small.id])
        html = str(values["top_debtors"])
        self.assertIn(f"/odoo/res.partner/{self.debtor.id}", html)
        self.assertIn("1,000.00", html)
        self.assertIn("50.00", html)
        self.assertLess(html.index("Overview Debtor"), html.index("Small Debtor"))


@tagged("post_install", "-at_install")
class TestFollowupRunResult(CollectionCommon):
    def test_run_result_is_a_short_list_linking_to_followups_and_customers(self):
        due = self._customer("Due Customer")
        self._invoice(due, 100, DAY - timedelta(days=10))
        early = self._customer("Early Customer")
        self._invoice(early, 100, DAY + timedelta(days=30))
        with freeze_time(DAY):
            run = self.env["collection.followup.run"].create({"date": DAY})
            run.action_run()
        html = str(run.summary_html)
        followup = run.followup_ids
        self.assertEqual(followup.partner_id, due)
        self.assertEqual(html.count("<li>"), 2, html)
        self.assertIn(f'href="/odoo/collection.followup/{followup.id}">Due Customer</a>', html)
        self.assertIn(f'href="/odoo/res.partner/{early.id}">Early Customer</a>', html)
        self.assertIn("no level due yet", html)


@tagged("post_install", "-at_install")
class TestCollectionsDashboard(CollectionCommon):
    """The Collections spreadsheet dashboard reads our models as its pivots and charts
    ask them, and only collection managers see it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("collection_management.collection_dashboard")
        with file_open("collection_management/data/files/collection_dashboard.json") as file:
            cls.spreadsheet = json.load(file)

    def _charts(self):
        return [
            figure["data"]
            for sheet in self.spreadsheet["sheets"]
            for figure in sheet["figures"]
            if figure["data"]["type"].startswith("odoo_")
        ]

    def test_dashboard_is_shipped_for_collection_managers(self):
        self.assertEqual(self.dashboard.name, "Collections")
        self.assertEqual(self.dashboard.dashboard_group_id.name, "Collections")
        self.assertEqual(
            self.dashboard.group_ids, self.env.ref("collection_management.group_collection_manager")
        )
        self.assertEqual(json.loads(self.dashboard.spreadsheet_data), self.spreadsheet)
        visible = self.env["spreadsheet.dashboard"].with_user(self.manager).search([])
        self.assertIn(self.dashboard, visible)
        hidden = self.env["spreadsheet.dashboard"].with_user(self.collector).search([])
        self.assertNotIn(self.dashboard, hidden)
        action = self.env.ref("collection_management.collection_dashboard_action")
        self.assertEqual(action.params, {"dashboard_id": self.dashboard.id})

    def test_dashboard_covers_what_managers_watch(self):
        charts = {(c["metaData"]["resModel"], c["metaData"]["measure"]) for c in self._charts()}
        self.assertLessEqual(
            {
                ("collection.snapshot", "amount_overdue"),
                ("collection.snapshot", "amount_open"),
                ("collection.snapshot", "recovery_rate"),
                ("collection.snapshot", "promise_kept_rate"),
                ("collection.aging.report", "amount_residual"),
                ("collection.case", "__count"),
            },
            charts,
        )
        pivots = {p["name"]: p for p in self.spreadsheet["pivots"].values()}
        self.assertEqual(pivots["Top debtors"]["rows"], [{"fieldName": "partner_id"}])
        self.assertEqual(
            [m["fieldName"] for m in pivots["Collectors against targets"]["measures"]],
            ["amount_target", "amount_recovered"],
        )
        formulas = json.dumps(self.spreadsheet["sheets"])
        for pivot_id in self.spreadsheet["pivots"]:
            self.assertIn(f"PIVOT.VALUE({pivot_id},", formulas, "every pivot is shown")

    def test_every_pivot_and_chart_reads_its_model_as_a_manager(self):
        """What the spreadsheet asks: stored, groupable fields and aggregatable measures,
        domains the model accepts, read as a collection manager."""
        for pivot in self.spreadsheet["pivots"].values():
            with self.subTest(pivot=pivot["name"]):
                model = self.env[pivot["model"]].with_user(self.manager)
                measures = [
                    "__count"
                    if m["fieldName"] == "__count"
                    else f"{m['fieldName']}:{m.get('aggregator') or 'sum'}"
                    for m in pivot["measures"]
                ]
                for measure in pivot["measures"]:
                    if measure["fieldName"] != "__count":
                        field = model._fields[measure["fieldName"]]
                        self.assertTrue(field.store and field.aggregator, field)
                groupby = [row["fieldName"] for row in pivot["rows"]]
                model._read_group(pivot["domain"], groupby, measures)
                for chain in (m["chain"] for m in pivot["fieldMatching"].values()):
                    self.assertTrue(model._fields[chain].store)
        for chart in self._charts():
            with self.subTest(chart=chart["title"]["text"]):
                meta = chart["metaData"]
                model = self.env[meta["resModel"]].with_user(self.manager)
                measure = meta["measure"]
                aggregates = [measure if measure == "__count" else f"{measure}:sum"]
                model._read_group(chart["searchParams"]["domain"], meta["groupBy"], aggregates)
        menus = self.spreadsheet["chartOdooMenusReferences"].values()
        for menu in menus:
            self.assertTrue(self.env.ref(menu))

    def test_snapshots_hold_what_the_trends_and_targets_show(self):
        customer = self._customer("Trend Co")
        invoice = self._invoice(customer, 1000, DAY - timedelta(days=40))
        self.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        with freeze_time(DAY - timedelta(days=5)):
            case = self.env["collection.case"]._collection_sync(
                self.company, DAY - timedelta(days=5), customer
            )
        case.collector_id = self.collector
        self._pay(invoice, 300, DAY)
        self.env["collection.target"].create(
            {"collector_id": self.collector.id, "month": DAY, "amount": 600}
        )
        with freeze_time(DAY):
            snapshots = self.env["collection.snapshot"]._collection_take(self.company, DAY)
        company = snapshots.filtered(lambda s: not s.collector_id)
        mine = snapshots.filtered(lambda s: s.collector_id == self.collector)
        self.assertAlmostEqual(company.amount_overdue, 700)
        self.assertAlmostEqual(company.amount_recovered, 300)
        self.assertAlmostEqual(company.amount_target, 600)
        self.assertAlmostEqual(mine.amount_recovered, 300)
        self.assertAlmostEqual(mine.amount_target, 600)
        self.assertAlmostEqual(company.recovery_rate, 30.0)
