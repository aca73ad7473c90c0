from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CollectionCommon

TODAY = date(2026, 6, 30)

# setting: (lowest accepted, highest accepted)
BOUNDS = {
    "collection_limitation_years": (1, 30),
    "collection_case_min_days": (0, 3650),
    "collection_promise_grace_days": (0, 365),
    "collection_promise_max_days": (1, 3650),
    "collection_demand_days": (1, 365),
    "collection_portal_token_days": (1, 365),
    "collection_portal_max_instalments": (1, 24),
}


@tagged("post_install", "-at_install")
class TestCollectionSettings(CollectionCommon):
    """The numeric collection settings of a company stay within sensible bounds, from the
    settings form and over RPC."""

    def test_limitation_period_of_ten_thousand_years_is_refused(self):
        customer = self._customer("Old debtor")
        self._invoice(customer, 1000, TODAY - timedelta(days=400))
        case = self.env["collection.case"].create(
            {"partner_id": customer.id, "company_id": self.company.id}
        )
        with freeze_time(TODAY):
            case._collection_join_invoices(TODAY)
        with self.assertRaisesText(ValidationError, "at most 30 years"):
            self.company.collection_limitation_years = 10000
            self.env.flush_all()
        self.company.collection_limitation_years = 30
        self.assertEqual(
            case.limitation_date, TODAY - timedelta(days=400) + relativedelta(years=30)
        )

    def test_settings_out_of_bounds_are_refused(self):
        for name, (lowest, highest) in BOUNDS.items():
            for value in (lowest - 1, highest + 1, 10**12):
                with self.subTest(setting=name, value=value), self.assertRaises(ValidationError):
                    self.company.write({name: value})
                    self.env.flush_all()
            for value in (lowest, highest):
                self.company.write({name: value})
                self.assertEqual(self.company[name], value)
        with self.assertRaisesText(ValidationError, "cannot be negative"):
            self.company.collection_case_min_amount = -1
        self.company.collection_case_min_amount = 0

    def test_settings_must_be_numbers(self):
        for name in (*BOUNDS, "collection_case_min_amount"):
            for value in (float("nan"), float("inf"), float("-inf"), "many"):
                with (
                    self.subTest(setting=name, value=value),
                    self.assertRaisesText(ValidationError, "must be a number"),
                ):
                    self.company.write({name: value})
                with (
                    self.subTest(form=name, value=value),
                    self.assertRaisesText(ValidationError, "must be a number"),
                ):
                    self.env["res.config.settings"].create({name: value})

    def test_settings_form_sets_the_promise_limit_and_refuses_bad_values(self):
        self.assertEqual(self.company.collection_promise_max_days, 365)
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.collection_promise_max_days = 90
        settings.collection_promise_grace_days = 5
        settings.save().execute()
        self.assertEqual(self.company.collection_promise_max_days, 90)
        self.assertEqual(self.company.collection_promise_grace_days, 5)
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.collection_limitation_years = 10000
        with self.assertRaisesText(ValidationError, "at most 30 years"):
            settings.save()
        self.assertEqual(self.company.collection_limitation_years, 3)
