import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlparse

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import CollectionCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestCollectionPortal(CollectionCommon, HttpCase):
    """The customer's collection page, through the link of a reminder (no login) and as
    a portal user: what it shows, what the customer does there, what it refuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.debtor = cls._customer("Debtor Trading Ltd", lang="en_US")
        cls.late = cls._invoice(cls.debtor, 1000, cls.today - timedelta(days=40))
        cls.recent = cls._invoice(cls.debtor, 500, cls.today - timedelta(days=10))
        cls.not_due = cls._invoice(cls.debtor, 300, cls.today + timedelta(days=20))
        cls.other = cls._customer("Other Customer Co", lang="en_US")
        cls.other_invoice = cls._invoice(cls.other, 777, cls.today - timedelta(days=50))
        cls.case = cls._open_case(cls.debtor, cls.collector, day=cls.today)
        cls.case.message_post(body="Internal: customer is about to go bankrupt")
        cls.access = cls.env["collection.portal.access"]._collection_issue(cls.debtor, cls.company)
        cls.token = cls.access.sudo().token
        cls.reason = cls.env.ref("collection_management.dispute_reason_quality")

    # ------------------------------------------------------------------ helpers
    def _page(self, token=None, status=200):
        url = "/my/collections" + (f"?access_token={token}" if token else "")
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, status, response.text[:500])
        return response.text

    def _post(self, action, data, token=True, files=None, status=303):
        """Send a form of the page as the browser does: with the page's CSRF token."""
        page = self._page(self.token if token is True else token)
        values = {"csrf_token": CSRF.search(page).group(1), "company_id": self.company.id}
        if token:
            values["access_token"] = self.token if token is True else token
        values.update(data)
        response = self.url_open(
            f"/my/collections/{action}", data=values, files=files, allow_redirects=False
        )
        self.assertEqual(response.status_code, status, response.text[-2000:])
        return response

    def _days(self, days):
        return fields.Date.to_string(self.today + timedelta(days=days))

    # ------------------------------------------------------------------ reading
    def test_link_shows_the_customers_own_statement_and_nothing_internal(self):
        page = self._page(self.token)
        for invoice in self.late | self.recent | self.not_due:
            self.assertIn(invoice.name, page)
        self.assertNotIn(self.other_invoice.name, page)
        self.assertNotIn("Other Customer Co", page)
        self.assertNotIn("bankrupt", page)
        self.assertNotIn(self.case.name, page, "case references are internal")
        self.assertIn("1,500.00", page, "the overdue balance")
        self.assertIn(f"/my/collections/statement/{self.company.id}", page)
        # each invoice has its pay link: Odoo's invoice page with its own access token
        self.assertIn(self.late.sudo().get_portal_url(), page.replace("&amp;", "&"))
        self.assertTrue(self.access.last_used)
        # the whole overdue balance is payable at once on Odoo's payment page, signed
        # for this customer and amount
        pay = re.search(r'href="(/payment/pay\?[^"]+)"', page).group(1).replace("&amp;", "&")
        query = dict(parse_qsl(urlparse(pay).query))
        self.assertEqual(float(query["amount"]), 1500.0)
        self.assertEqual(int(query["partner_id"]), self.debtor.id)
        self.assertEqual(self.url_open(pay).status_code, 200)
        tampered = pay.replace("amount=1500.0", "amount=15.0")
        self.assertEqual(self.url_open(tampered).status_code, 404, "the amount is signed")

    def test_statement_downloads_as_pdf_through_the_link(self):
        response = self.url_open(
            f"/my/collections/statement/{self.company.id}?access_token={self.token}"
        )
        self.assertEqual(response.status_code, 200)
        # a real PDF outside tests; Odoo renders reports as HTML while testing
        self.assertIn(response.headers["Content-Type"], ("application/pdf", "text/html"))
        self.assertIn("Statement of account", response.text)
        self.assertIn(self.late.name, response.text)
        self.assertNotIn(self.other_invoice.name, response.text)
        # the printed statement leads back to the page: its link and QR code
        self.assertIn(f"/my/collections?access_token={self.token}", response.text)
        self.assertIn('src="data:image/png;base64,', response.text)
        self.assertIn("Debtor%20Trading%20Ltd", response.headers["Content-Disposition"])
        # a company where the customer owes nothing is not theirs to print
        response = self.url_open(
            f"/my/collections/statement/{self.company_b.id}?access_token={self.token}"
        )
        self.assertEqual(response.status_code, 404)

    def test_expired_revoked_unknown_and_missing_links_open_nothing(self):
        self.assertIn("no longer valid", self._page("x" * 43, status=403))
        other_access = self.env["collection.portal.access"]._collection_issue(
            self.other, self.company
        )
        other_page = self._page(other_access.sudo().token)
        self.assertIn(self.other_invoice.name, other_page)
        self.assertNotIn(self.late.name, other_page)
        other_access.action_revoke()
        self.assertIn("no longer valid", self._page(other_access.sudo().token, status=403))
        self.assertIn("revoked", self.other.message_ids[0].body)
        self.access.date_expire = fields.Datetime.now() - timedelta(seconds=1)
        self._page(self.token, status=403)
        response = self.url_open("/my/collections", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_reminders_of_a_run_share_one_link_until_half_its_life(self):
        again = self.env["collection.portal.access"]._collection_issue(self.debtor, self.company)
        self.assertEqual(again, self.access)
        self.access.date_expire = fields.Datetime.now() + timedelta(days=10)
        fresh = self.env["collection.portal.access"]._collection_issue(self.debtor, self.company)
        self.assertNotEqual(fresh, self.access)
        self.assertGreater(fresh.date_expire, fields.Datetime.now() + timedelta(days=29))
        self.assertNotEqual(fresh.sudo().token, self.token)

    def test_portal_user_reaches_the_page_from_their_portal_home(self):
        contact = self.env["res.partner"].create(
            {"name": "Accounts payable", "parent_id": self.debtor.id, "email": "ap@debtor.com"}
        )
        self.env["res.users"].create(
            {
                "name": "Accounts payable",
                "login": "debtor_portal",
                "password": "debtor_portal",
                "partner_id": contact.id,
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        self.authenticate("debtor_portal", "debtor_portal")
        home = self.url_open("/my/home").text
        self.assertIn("/my/collections", home)
        page = self._page()
        self.assertIn(self.late.name, page)
        self.assertNotIn(self.other_invoice.name, page)
        # every action of the page, logged in, without a link
        self._post("promise", {"amount": "100", "date": self._days(3)}, token=None)
        self.assertEqual(self.case.promise_ids.source, "portal")
        self._post("acknowledge", {"name": "Li Ming", "title": "AP clerk"}, token=None)
        self.assertEqual(self.case.last_acknowledgement_date, self.today)
        self._post(
            "dispute", {"invoice_id": self.recent.id, "reason_id": self.reason.id}, token=None
        )
        self.assertEqual(self.recent.collection_dispute_reason_id, self.reason)
        self._post("message", {"body": "Paid today"}, token=None)
        self.assertEqual(
            set(self.case.interaction_ids.mapped("outcome")),
            {"promise", "acknowledged", "dispute", "message"},
        )
        # a portal user cannot act for another customer with that customer's link
        other_access = self.env["collection.portal.access"]._collection_issue(
            self.other, self.company
        )
        response = self._post(
            "dispute",
            {"invoice_id": self.late.id, "reason_id": self.reason.id},
            token=other_access.sudo().token,
            status=400,
        )
        self.assertIn("not one of your open invoices", response.text)

    def test_reminder_email_carries_the_customers_link(self):
        self._run_followups(day=self.today, partners=self.debtor)
        mail = self.env["mail.mail"].search(
            [("model", "=", "collection.followup"), ("recipient_ids", "in", self.debtor.ids)]
        )
        self.assertEqual(len(mail), 1)
        link = re.search(r"/my/collections\?access_token=([\w-]+)", mail.body_html)
        self.assertEqual(link.group(1), self.token, "reminders reuse the customer's valid link")
        self.assertIn(self.late.name, self._page(link.group(1)))

    # ------------------------------------------------------------------ acting
    def test_promise_in_instalments_pauses_reminders_and_tells_the_collector(self):
        response = self._post(
            "promise", {"amount": ["300", "200", ""], "date": [self._days(20), self._days(5), ""]}
        )
        self.assertIn("done=promise", response.headers["Location"])
        promises = self.case.promise_ids.sorted("date_promised")
        self.assertEqual(promises.mapped("amount"), [200, 300])
        self.assertEqual(set(promises.mapped("source")), {"portal"})
        self.assertEqual(set(promises.mapped("state")), {"open"})
        self.assertEqual(promises.user_id, self.collector)
        self.assertEqual(self.case.stage_id.kind, "promised")
        entry = self.case.interaction_ids
        self.assertEqual((entry.channel, entry.outcome), ("portal", "promise"))
        self.assertEqual(promises.interaction_id, entry)
        self.assertEqual(len(self.case.promise_ids), 2, "the contact log made no third promise")
        activity = self.case.activity_ids
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.date_deadline, self.today)
        self.assertIn("promised", activity.summary)
        self.assertIn("Promised on the collection page", self.debtor.message_ids[0].body)
        # reminders pause: the follow-up run leaves the customer alone
        self.assertFalse(self._run_followups(day=self.today, partners=self.debtor)["followups"])
        # once a day: the second promise is refused, nothing is added
        self._post("promise", {"amount": "50", "date": self._days(9)}, status=400)
        self.assertEqual(len(self.case.promise_ids), 2)

    def test_promises_the_server_refuses(self):
        refusals = [
            ({"amount": "1500.01", "date": self._days(5)}, "more than your overdue balance"),
            ({"amount": "100", "date": self._days(400)}, "must lie between today"),
            ({"amount": "100", "date": self._days(-1)}, "must lie between today"),
            ({"amount": "abc", "date": self._days(5)}, "positive number"),
            ({"amount": "-5", "date": self._days(5)}, "positive number"),
            ({"amount": "nan", "date": self._days(5)}, "positive number"),
            ({"amount": "100", "date": "31/12/2026"}, "YYYY-MM-DD"),
            ({"amount": ["10"] * 4, "date": [self._days(d) for d in (1, 2, 3, 4)]}, "at most 3"),
            ({"amount": ["10", "10"], "date": [self._days(2)] * 2}, "different date"),
            ({"amount": "", "date": ""}, "enter the amount"),
        ]
        for data, message in refusals:
            with self.subTest(data=data):
                response = self._post("promise", data, status=400)
                self.assertIn(message, response.text)
        self.assertFalse(self.case.promise_ids)
        self.assertFalse(self.case.interaction_ids)

    def test_acknowledgement_restarts_the_limitation_period(self):
        self.case.sudo().last_acknowledgement_date = False
        before = self.case.limitation_date
        self._post("acknowledge", {"name": "Wang Fang", "title": "CFO"})
        self.assertEqual(self.case.last_acknowledgement_date, self.today)
        self.assertGreater(self.case.limitation_date, before)
        entry = self.case.interaction_ids
        self.assertEqual((entry.channel, entry.outcome), ("portal", "acknowledged"))
        self.assertIn("Wang Fang (CFO)", entry.note)
        self.assertIn("127.0.0.1", entry.note)
        self.assertIn("1,800.00", entry.note, "the whole balance, not yet due included")
        response = self._post("acknowledge", {"name": "Wang Fang"}, status=400)
        self.assertIn("already acknowledged", response.text)
        response = self._post("acknowledge", {"name": "   "}, status=400)

    def test_dispute_with_a_document_pauses_reminders_for_that_invoice(self):
        self._post(
            "dispute",
            {"invoice_id": self.late.id, "reason_id": self.reason.id, "comment": "Broken <b>x</b>"},
            files={"attachment": ("photo.png", b"\x89PNG\r\n\x1a\nfake", "image/png")},
        )
        self.assertEqual(self.late.collection_dispute_reason_id, self.reason)
        self.assertEqual(self.late.collection_dispute_user_id, self.collector)
        self.assertFalse(self.late._collection_remindable(self.today))
        self.assertTrue(self.recent._collection_remindable(self.today + timedelta(days=30)))
        message = self.late.message_ids.filtered(lambda m: m.author_id == self.debtor)
        self.assertEqual(message.attachment_ids.name, "photo.png")
        self.assertIn("Broken &lt;b&gt;x&lt;/b&gt;", message.body, "customer text stays text")
        self.assertEqual(self.late.activity_ids.user_id, self.collector)
        self.assertEqual(self.case.interaction_ids.outcome, "dispute")
        self.assertIn("Disputed", self._page(self.token))

    def test_disputes_the_server_refuses(self):
        refusals = [
            ({"invoice_id": self.other_invoice.id, "reason_id": self.reason.id}, "not one of your"),
            ({"invoice_id": "1 OR 1=1", "reason_id": self.reason.id}, "not one of your"),
            ({"invoice_id": self.late.id, "reason_id": "0"}, "choose a reason"),
            (
                {"invoice_id": self.late.id, "reason_id": self.reason.id, "comment": "x" * 4001},
                "shorten",
            ),
        ]
        for data, message in refusals:
            with self.subTest(data=data):
                response = self._post("dispute", data, status=400)
                self.assertIn(message, response.text)
        self.assertFalse(self.other_invoice.collection_dispute_reason_id)
        self.assertFalse(self.late.collection_dispute_reason_id)

    def test_message_reaches_the_collector_on_the_case(self):
        self._post("message", {"body": "We pay <script>alert(1)</script> next week"})
        message = self.case.message_ids.filtered(lambda m: m.author_id == self.debtor)
        self.assertIn("&lt;script&gt;", message.body)
        self.assertIn(self.collector.partner_id, message.notified_partner_ids)
        self.assertEqual(self.case.interaction_ids.outcome, "message")
        self.assertTrue(self.case.in_worklist, "the collector finds it on today's worklist")

    def test_forms_without_the_csrf_token_or_for_another_company_are_refused(self):
        response = self.url_open(
            "/my/collections/promise",
            data={
                "access_token": self.token,
                "company_id": self.company.id,
                "amount": "10",
                "date": self._days(3),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self._post("message", {"body": "hello", "company_id": self.company_b.id}, status=404)
        self.assertFalse(self.case.promise_ids)
        self.assertFalse(self.case.interaction_ids)


@tagged("post_install", "-at_install")
class TestCollectionPortalTour(CollectionCommon, HttpCase):
    """A Chinese customer follows the link of a reminder in a real browser."""

    def test_customer_promises_and_disputes_from_the_link(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        today = fields.Date.today()
        debtor = self._customer("上海远航贸易有限公司", lang="zh_CN")
        late = self._invoice(debtor, 1000, today - timedelta(days=40))
        self._invoice(debtor, 500, today - timedelta(days=10))
        case = self._open_case(debtor, self.collector, day=today)
        access = self.env["collection.portal.access"]._collection_issue(debtor, self.company)
        self.start_tour(
            f"/my/collections?access_token={access.sudo().token}", "collection_portal_tour"
        )
        self.assertEqual(case.promise_ids.mapped("amount"), [300, 200])
        self.assertEqual(set(case.promise_ids.mapped("source")), {"portal"})
        self.assertTrue(late.collection_dispute_reason_id)
        self.assertEqual(set(case.interaction_ids.mapped("outcome")), {"promise", "dispute"})
        self.assertEqual(set(case.interaction_ids.mapped("channel")), {"portal"})
