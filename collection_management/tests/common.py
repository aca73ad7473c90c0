from contextlib import contextmanager
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .smtp_server import LoopbackSmtpServer

# the day most tests live on (a frozen clock)
TODAY = date(2026, 6, 30)


class CollectionCommon(AccountTestInvoicingCommon):
    """Two companies with a chart of accounts, the default policy of each, and one user
    per role of the addon. Builds on no demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company()
        # the accountant running the tests also manages collections
        cls.env.user.groups_id |= cls.env.ref("collection_management.group_collection_manager")
        cls.company = cls.company_data["company"]
        cls.company_b = cls.company_data_2["company"]
        cls.policy = cls.company.collection_policy_id
        cls.policy_b = cls.company_b.collection_policy_id
        companies = cls.company | cls.company_b
        cls.collector = cls._make_user(
            "collector", "collection_management.group_collection_collector"
        )
        cls.collector_2 = cls._make_user(
            "collector2", "collection_management.group_collection_collector"
        )
        cls.legal_officer = cls._make_user("legal", "collection_management.group_collection_legal")
        cls.manager = cls._make_user("cmanager", "collection_management.group_collection_manager")
        cls.billing = cls._make_user("billing", "account.group_account_invoice")
        cls.manager_b = cls._make_user(
            "cmanager_b",
            "collection_management.group_collection_manager",
            company=cls.company_b,
            companies=cls.company_b,
        )
        cls.all_companies = companies

    @classmethod
    def _make_user(cls, login, groups, company=None, companies=None):
        company = company or cls.company
        return new_test_user(
            cls.env,
            login=login,
            groups=f"base.group_user,{groups}",
            company_id=company.id,
            company_ids=[Command.set((companies or company).ids)],
            email=f"{login}@example.com",
        )

    @classmethod
    def _invoice(
        cls,
        partner,
        amount,
        due_date,
        invoice_date=None,
        company=None,
        post=True,
        move_type="out_invoice",
        currency=None,
    ):
        company = company or cls.company
        data = cls.company_data if company == cls.company else cls.company_data_2
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "journal_id": data["default_journal_sale"].id,
                    "invoice_date": invoice_date or due_date,
                    "invoice_date_due": due_date,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "quantity": 1,
                                "price_unit": amount,
                                "account_id": data["default_account_revenue"].id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoices, amount, day):
        """Register a payment of ``amount`` (invoice currency) on ``invoices``."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount, "payment_date": day})
            ._create_payments()
        )

    @classmethod
    def _reconcile(cls, *moves):
        lines = cls.env["account.move.line"].concat(*(m.line_ids for m in moves))
        lines.filtered(lambda line: line.account_id.account_type == "asset_receivable").reconcile()

    @classmethod
    def _customer(cls, name, **values):
        return cls.env["res.partner"].create(
            {"name": name, "email": f"{name.split()[0].lower()}@example.com", **values}
        )

    @classmethod
    def _overdue_customer(cls, name, amount=1000, days=40, company=None, **values):
        """A customer owing one invoice of ``amount``, due ``days`` before TODAY."""
        partner = cls._customer(name, **values)
        cls._invoice(partner, amount, TODAY - timedelta(days=days), company=company)
        return partner

    @classmethod
    def _open_case(cls, partner, collector, company=None, day=TODAY):
        """The case of ``partner`` opened by hand for ``collector`` with its invoices
        overdue on ``day``, whatever the company's opening thresholds."""
        company = company or cls.company
        case = cls.env["collection.case"].create(
            {"partner_id": partner.id, "company_id": company.id, "collector_id": collector.id}
        )
        with freeze_time(day):
            case._collection_join_invoices(day)
        return case

    @classmethod
    def _policy(cls, name="Test policy", delays=(), company=None, template=None):
        """A policy of ``company`` (A by default) with a level per delay in ``delays``,
        each sending ``template`` (or no email without one)."""
        return cls.env["collection.policy"].create(
            {
                "name": name,
                "company_id": (company or cls.company).id,
                "level_ids": [
                    Command.create(
                        {
                            "name": f"After {delay} days",
                            "delay_days": delay,
                            "send_email": bool(template),
                            "mail_template_id": template and template.id,
                        }
                    )
                    for delay in delays
                ],
            }
        )

    def _promise(self, case, amount=100, days=5, day=TODAY, user=None, **values):
        """A promise on ``case`` made on ``day`` (as ``user`` when given) to pay
        ``amount`` ``days`` later."""
        promises = self.env["collection.promise"]
        if user:
            promises = promises.with_user(user)
        with freeze_time(day):
            return promises.create(
                {
                    "case_id": case.id,
                    "amount": amount,
                    "date_promised": day + timedelta(days=days),
                    **values,
                }
            )

    def assertRights(self, user, expected):
        """``expected`` maps a name of ``self.records`` to the operations ``user`` may
        do on it: letters of "rwcu" (read, write, create, unlink)."""
        for name, rights in expected.items():
            record = self.records[name].with_user(user)
            granted = "".join(
                letter
                for operation, letter in zip(
                    ("read", "write", "create", "unlink"), "rwcu", strict=True
                )
                if record.has_access(operation)
            )
            with self.subTest(user=user.login, record=name):
                self.assertEqual(granted, rights)

    @contextmanager
    def _smtp(self):
        """A real SMTP server on loopback, the outgoing server of the emails sent in
        the block; yields it (``messages``: what it received, raw)."""
        with LoopbackSmtpServer() as server:
            mail_server = self.env["ir.mail_server"].create(
                {
                    "name": "loopback",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": server.port,
                    "smtp_encryption": "none",
                    "sequence": 0,
                }
            )
            yield server
            mail_server.unlink()

    def _process_mail_queue(self, mails):
        """The mail queue's job, as it runs, on the queued ``mails`` (the database's
        other queued emails, demo data's, are left alone): the statements they wait
        for are printed, then the emails sent. Returns the messages received (raw)."""
        with self._smtp() as server:
            self.env["mail.mail"].process_email_queue(ids=mails.ids)
        return server.messages

    def _run_followups(self, day=TODAY, partners=None, company=None, limit=None):
        """The follow-up run of ``company`` (A by default) as of ``day``, as the engine
        runs it, under a frozen clock."""
        with freeze_time(day):
            return self.env["collection.followup"]._collection_run(
                company or self.company, day, partners, limit=limit
            )

    @contextmanager
    def assertRaisesText(self, exception, text):
        """assertRaises (which rolls back to a savepoint) that also checks the message."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception))


def load_static_paths():
    """Have Odoo read the addons' manifests for its static files now, in this thread.

    Otherwise the first browser page makes several HTTP worker threads read them at the
    same time, and CPython 3.11 before 3.11.8 can fail compiling in parallel threads
    ("AST constructor recursion depth mismatch", gh-106905), which fails a request.
    """
    from odoo.http import root

    return root.statics
