from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import TODAY, CollectionCommon


@tagged("post_install", "-at_install")
class TestCaseBulkOpening(CollectionCommon):
    """Cases opened for many customers at once: numbered from the case sequence in
    one statement, assigned in bulk, at a cost that does not grow with the cases."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"collection_case_min_amount": 0, "collection_case_min_days": 1})
        cls.env["collection.assignment.rule"].create(
            {
                "name": "Everyone, least loaded",
                "user_ids": [Command.set((cls.collector | cls.collector_2).ids)],
                "method": "least_loaded",
            }
        )
        cls.case_model = cls.env["collection.case"]

    def _customers(self, count, prefix):
        partners = self.env["res.partner"].create(
            [{"name": f"{prefix} {index}"} for index in range(count)]
        )
        for index, partner in enumerate(partners):
            self._invoice(partner, 100 + index, TODAY - timedelta(days=45))
        return partners

    def _open(self, partners):
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time(TODAY):
            before = self.cr.sql_log_count
            # in a plain context, as in production (the test base class turns tracking off)
            cases = self.case_model.with_env(self.env(context={}))._collection_sync(
                self.company, TODAY, partners
            )
            self.env.flush_all()
            return cases, self.cr.sql_log_count - before

    def test_cases_are_numbered_in_sequence_without_gap_or_duplicate(self):
        sequence = self.env["ir.sequence"].search([("code", "=", "collection.case")])
        with freeze_time(TODAY):
            before = (
                self.env["ir.sequence"]
                .with_company(self.company)
                .next_by_code("collection.case", sequence_date=TODAY)
            )
        cases, _count = self._open(self._customers(5, "Numbered"))
        after = (
            self.env["ir.sequence"]
            .with_company(self.company)
            .next_by_code("collection.case", sequence_date=TODAY)
        )
        self.assertTrue(sequence)
        prefix = f"CASE/{TODAY.year}/"
        first = int(before.removeprefix(prefix))
        self.assertEqual(
            sorted(cases.mapped("name")),
            [f"{prefix}{number:05d}" for number in range(first + 1, first + 6)],
            "the next five numbers of the year's range",
        )
        self.assertEqual(after, f"{prefix}{first + 6:05d}", "the sequence went on from there")

    def test_case_of_another_year_takes_that_years_numbers(self):
        partner = self._customers(1, "Last year")
        last_year = TODAY.replace(year=TODAY.year - 1)
        # the process opens cases with their opening date (users cannot set it)
        case = self.case_model.sudo().create(
            {"partner_id": partner.id, "company_id": self.company.id, "date_open": last_year}
        )
        self.assertTrue(case.name.startswith(f"CASE/{last_year.year}/"), case.name)

    def test_opening_queries_do_not_grow_with_the_cases(self):
        self._open(self._customers(2, "Warm"))  # caches of access rules and stages
        small, small_count = self._open(self._customers(4, "Small"))
        large, large_count = self._open(self._customers(40, "Large"))
        self.assertEqual(len(small), 4)
        self.assertEqual(len(large), 40)
        self.assertEqual(len(set(large.mapped("name"))), 40)
        self.assertEqual(set(large.mapped("stage_id.kind")), {"assigned"})
        self.assertEqual(large.collector_id, self.collector | self.collector_2)
        note = large[:1].message_ids.filtered(lambda m: "Case opened" in (m.body or ""))
        self.assertIn(
            large[:1].collector_id.name, note.body, "the opening note names the collector"
        )
        # 36 cases more: 0.05 queries per case allows two queries
        self.assertLessEqual(large_count, small_count + 2, (small_count, large_count))
