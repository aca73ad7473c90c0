from odoo.tests import tagged

from .common import CollectionCommon
from .simulation import CollectionSimulation

DAYS = 120


@tagged("post_install", "-at_install")
class TestSimulation(CollectionCommon):
    """Books of receivables lived for four months through the addon's entry points and
    daily jobs, with the invariants checked every day (simulation.py). A broken invariant
    fails with the seed, the day and the story of the customers concerned; replay it with
    ``./dev simulate --seed N --days D``. The simulator gives company_b a currency of its
    own (CNY) when both companies share one."""

    def _live(self, seed):
        simulation = CollectionSimulation(
            self.env, seed, DAYS, companies=self.company | self.company_b
        )
        self.assertEqual(simulation.run(), [])
        self.assertEqual(simulation.day_index, DAYS)
        self.assertNotEqual(self.company.currency_id, self.company_b.currency_id)
        census = simulation.census()
        self.assertTrue(census["follow-ups"].get("done"), "follow-ups were executed")
        self.assertTrue(census["promises"], "promises were made")
        self.assertTrue(census["cases"].get("paid"), "cases closed themselves when paid")
        for done in ("emails", "payments", "exports", "killed"):
            self.assertGreater(simulation.totals[done], 0, done)
        # the office's work was done too (simulation_office.py)
        for done in (
            "classified",
            "visits_done",
            "waivers_approved",
            "charges_invoiced",
            "charges_waived",
            "legal_costs",
            "closed_by_hand",
            "acknowledged",
            "forbidden",
        ):
            self.assertGreater(simulation.totals[done], 0, done)

    def test_book_of_seed_1_keeps_its_invariants_for_four_months(self):
        self._live(1)

    def test_book_of_seed_2_keeps_its_invariants_for_four_months(self):
        self._live(2)
