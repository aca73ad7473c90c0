import logging
import random
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, fields
from odoo.exceptions import UserError
from odoo.tools import split_every
from odoo.tools.translate import LazyTranslate

from .charges import propose_charges, setup_charges
from .story_books import story_books
from .visits import story_visits

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# the language of the Chinese demo users and customers
CHINESE = "zh_CN"


def _words(*lines):
    return [word for line in lines for word in line.split()]


# words of the generated customer names
ENGLISH_WORDS = _words(
    "Atlas Beacon Cedar Delta Ember Falcon Granite Harbor Iris Juniper Keystone Lumen",
    "Meridian Northwind Orchid Pioneer Quartz Redwood Summit Tidal Union Vertex Willow Zenith",
)
ENGLISH_KINDS = _words(
    "Trading Logistics Foods Textiles Electronics Builders Pharma Motors Retail Packaging"
)
CHINESE_PLACES = _words(
    "上海 北京 深圳 广州 杭州 苏州 成都 武汉", "南京 天津 重庆 西安 青岛 厦门 宁波 长沙"
)
CHINESE_WORDS = _words(
    "华信 鸿达 恒通 金桥 瑞丰 宏远 永盛 远航", "新元 嘉禾 东方 百川 中联 天成 万嘉 同德"
)
CHINESE_KINDS = _words("贸易 物流 食品 纺织 电子 建材 医药 汽配 商贸 包装")


# customers of the story with recent invoices only: (name, days until due, amount)
STORY_REMINDED = [
    ("Lumen Harbor Retail", 5, 4200.0),
    ("杭州嘉禾电子有限公司", -10, 12800.0),
    ("Summit Quartz Foods", -25, 7650.0),
]


class DemoBook:
    """Fills a database with customers and posted customer invoices whose due dates are
    spread from 20 days ahead to 400 days ago, some partly or fully paid, in one or two
    companies, then plays the demo story on them. Used by the demo data (small), the
    ``./dev demo`` tool and the benchmark (large).

    A plain Python class over an environment, not a model: no RPC call reaches it, so
    no remote caller can create the demo users (whose password is their login)."""

    BATCH = 500

    def __init__(self, env, company=None):
        if company:
            env = env["res.company"].with_company(company).env
        self.env = env
        # Simplified Chinese once installed (or found missing), and what went wrong
        self._chinese_lang = None
        self._chinese_tried = False
        self.warnings = []

    def _check_administrator(self):
        if not self.env.is_superuser() and not self.env.user.has_group("base.group_system"):
            raise UserError(_("Only an administrator can generate demo data."))

    def _today(self, today):
        """The story's day: the office's (the company's time zone, else UTC), not the time
        zone of whoever installs (OdooBot's Europe/Brussels is a day ahead of UTC for an
        hour every night: the collectors' next actions would all fall tomorrow)."""
        if today:
            return fields.Date.to_date(today)
        tz = self.env.company.partner_id.tz or "UTC"
        return fields.Date.context_today(self.env.user.with_context(tz=tz))

    def generate(self, customers=40, invoices=200, companies=1, seed=42, today=None):
        """Customers, invoices, payments and credit notes spread over ``companies``
        (the current company, and a second one in CNY when 2). Returns the counts."""
        if customers < 1 or invoices < 1:
            raise UserError(_("The generator needs at least one customer and one invoice."))
        self._check_administrator()
        rng = random.Random(seed)
        # generated history needs no chatter: skipping it makes the generator several
        # times faster on large books
        quiet = self.env(
            context=dict(
                self.env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True
            )
        )
        today = self._today(today)
        chinese = self._chinese_or_warn()
        all_companies = DemoBook(quiet)._companies(companies)
        result = {"partners": 0, "invoices": 0, "payments": 0, "credit_notes": 0}
        for index, company in enumerate(all_companies):
            share = customers // len(all_companies) + (index < customers % len(all_companies))
            inv_share = invoices // len(all_companies) + (index < invoices % len(all_companies))
            book = DemoBook(quiet, company)
            partners = book._partners(company, max(share, 1), rng, chinese)
            moves = book._invoices(company, partners, max(inv_share, 1), rng, today)
            payments = book._payments(company, moves, rng, today)
            credit_notes = book._credit_notes(company, partners, rng, today)
            result["partners"] += len(partners)
            result["invoices"] += len(moves)
            result["payments"] += payments
            result["credit_notes"] += len(credit_notes)
        return result

    # -- language ------------------------------------------------------------------
    def install_chinese(self):
        """Simplified Chinese, installed with the translations of the installed modules
        when it is not yet: the Chinese demo users and customers read and receive it.
        When it cannot be installed, they stay in English and the book says so: in the
        log, in ``warnings`` and in the chatter of the company. The demo data and the
        story install it; the generator alone only uses it (a benchmark measures it)."""
        if not self._chinese_tried:
            self._chinese_tried = True
            lang = self.env["res.lang"]._lang_get(CHINESE) or self._install_language(CHINESE)
            if not lang:
                self._warn(
                    _(
                        "Simplified Chinese (%(code)s) could not be installed: the Chinese "
                        "demo users and customers are left in English. Install the language "
                        "in Settings > Languages and set it on them.",
                        code=CHINESE,
                    )
                )
            self._chinese_lang = lang
        return self._chinese_lang

    def _chinese_or_warn(self):
        """Simplified Chinese when installed; else the Chinese customers are generated in
        English, and the book says so (once)."""
        if self._chinese_lang is None:
            self._chinese_lang = self.env["res.lang"]._lang_get(CHINESE)
            if not self._chinese_lang:
                self._warn(
                    _(
                        "Simplified Chinese (%(code)s) is not installed: the Chinese customers "
                        "are generated in English. Install the language in Settings > "
                        "Languages first.",
                        code=CHINESE,
                    )
                )
        return self._chinese_lang

    def _install_language(self, code):
        lang = self.env["res.lang"]._activate_lang(code)
        if lang:
            # as Settings > Languages does, for every installed module; the addon being
            # installed with its demo data loads its own terms now, for the story
            modules = self.env["ir.module.module"].search(
                ["|", ("state", "=", "installed"), ("name", "=", "collection_management")]
            )
            modules._update_translations(code)
        return lang

    def _warn(self, message):
        _logger.warning("Demo data: %s", message)
        self.warnings.append(message)
        self.env.company.partner_id.message_post(body=Markup("<p>%s</p>") % message)

    # -- companies -------------------------------------------------------------------
    def _companies(self, count):
        main = self.env.company
        companies = main
        if count >= 2:
            second = self.env["res.company"].search(
                [("name", "=", "Collections Demo Asia Ltd.")], limit=1
            )
            if not second:
                cny = self.env.ref("base.CNY")
                cny.active = True
                # chart_template_load: we load the generic chart below ourselves; without
                # it Odoo would queue a localized chart for commit time, over our invoices
                second = (
                    self.env["res.company"]
                    .with_context(chart_template_load=True)
                    .create({"name": "Collections Demo Asia Ltd.", "currency_id": cny.id})
                )
                self.env.user.company_ids |= second
            companies |= second
        for company in companies:
            self._ensure_chart(company)
        return companies

    def _ensure_chart(self, company):
        if not company.chart_template:
            self.env["account.chart.template"].try_loading(
                "generic_coa", company, install_demo=False
            )

    # -- partners --------------------------------------------------------------------
    def _partner_name(self, rng, serial):
        if rng.random() < 0.5:
            return "%s%s%s有限公司 %04d" % (
                rng.choice(CHINESE_PLACES),
                rng.choice(CHINESE_WORDS),
                rng.choice(CHINESE_KINDS),
                serial,
            )
        return "%s %s %s %04d" % (
            rng.choice(ENGLISH_WORDS),
            rng.choice(ENGLISH_WORDS),
            rng.choice(ENGLISH_KINDS),
            serial,
        )

    def _partners(self, company, count, rng, chinese):
        vals_list = []
        first = self.env["res.partner"].search_count([]) + 1
        for serial in range(first, first + count):
            name = self._partner_name(rng, serial)
            is_chinese = not name.isascii()
            vals = {
                "name": name,
                "ref": "C%05d" % serial,
                "is_company": True,
                "company_id": company.id if rng.random() < 0.2 else False,
                "customer_rank": 1,
                "lang": CHINESE if is_chinese and chinese else "en_US",
            }
            if rng.random() < 0.9:
                vals["email"] = "ar%05d@customer.example.com" % serial
            if rng.random() < 0.8:
                vals["phone"] = "+86 21 %04d %04d" % (rng.randint(0, 9999), serial % 10000)
            vals_list.append(vals)
        partners = self.env["res.partner"]
        for chunk in split_every(self.BATCH, vals_list):
            partners |= self.env["res.partner"].create(list(chunk))
        return partners

    # -- invoices ----------------------------------------------------------------------
    def _journal(self, company, journal_type):
        journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", journal_type)], limit=1
        )
        if not journal:
            raise UserError(
                _(
                    "Company %(company)s has no %(type)s journal.",
                    company=company.name,
                    type=journal_type,
                )
            )
        return journal

    def _invoice_values(self, journal, partner, due, term, amount, ref, label):
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": journal.id,
            "company_id": journal.company_id.id,
            "invoice_date": due - timedelta(days=term),
            "invoice_date_due": due,
            "ref": ref,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "name": label,
                        "quantity": 1,
                        "price_unit": amount,
                        "account_id": journal.default_account_id.id,
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            ],
        }

    def _invoices(self, company, partners, count, rng, today):
        journal = self._journal(company, "sale")
        vals_list = []
        for _index in range(count):
            due = today + timedelta(days=rng.randint(-400, 20))
            term = rng.choice([0, 15, 30, 30, 45, 60])
            amount = round(rng.uniform(500, 50000), 2)
            partner = rng.choice(partners)
            ref = "PO-%06d" % rng.randint(1, 999999)
            label = rng.choice(["Goods delivered", "Services", "货物", "技术服务费"])
            vals_list.append(self._invoice_values(journal, partner, due, term, amount, ref, label))
        return self._post(vals_list)

    def _post(self, vals_list):
        moves = self.env["account.move"]
        for chunk in split_every(self.BATCH, vals_list):
            batch = self.env["account.move"].create(list(chunk))
            batch.action_post()
            moves |= batch
            self.env.flush_all()
            self.env.invalidate_all()
        return moves

    def _payments(self, company, moves, rng, today):
        """Pay some invoices fully or partly, and leave a few payments unapplied."""
        journal = self._journal(company, "bank")
        plans = []
        for move in moves:
            roll = rng.random()
            if roll < 0.15:
                plans.append((move, move.amount_residual))
            elif roll < 0.35:
                plans.append((move, round(move.amount_residual * rng.uniform(0.2, 0.8), 2)))
        unapplied = rng.sample(list(moves.partner_id), k=max(1, len(moves.partner_id) // 20))
        count = 0
        for chunk in split_every(self.BATCH, plans):
            payments = self.env["account.payment"].create(
                [
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": move.commercial_partner_id.id,
                        "amount": amount,
                        "date": min(today, move.invoice_date_due + timedelta(days=5)),
                        "journal_id": journal.id,
                        "company_id": company.id,
                        "memo": move.name,
                    }
                    for move, amount in chunk
                ]
            )
            payments.action_post()
            plan = []
            for (move, _amount), payment in zip(chunk, payments, strict=True):
                lines = (move.line_ids | payment.move_id.line_ids).filtered(
                    lambda line: (
                        line.account_id.account_type == "asset_receivable" and not line.reconciled
                    )
                )
                plan.append(lines)
            self.env["account.move.line"]._reconcile_plan(plan)
            count += len(payments)
            self.env.flush_all()
            self.env.invalidate_all()
        return count + self._unapplied_payments(journal, unapplied, rng, today)

    def _unapplied_payments(self, journal, partners, rng, today):
        payments = self.env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                    "amount": round(rng.uniform(100, 3000), 2),
                    "date": today - timedelta(days=rng.randint(1, 60)),
                    "journal_id": journal.id,
                    "company_id": journal.company_id.id,
                    "memo": "Unapplied payment",
                }
                for partner in partners
            ]
        )
        payments.action_post()
        return len(payments)

    def _credit_notes(self, company, partners, rng, today):
        journal = self._journal(company, "sale")
        chosen = rng.sample(list(partners), k=max(1, len(partners) // 15))
        credit_notes = self.env["account.move"].create(
            [
                {
                    "move_type": "out_refund",
                    "partner_id": partner.id,
                    "journal_id": journal.id,
                    "company_id": company.id,
                    "invoice_date": today - timedelta(days=rng.randint(1, 90)),
                    "invoice_line_ids": [
                        fields.Command.create(
                            {
                                "name": "Returned goods",
                                "quantity": 1,
                                "price_unit": round(rng.uniform(200, 5000), 2),
                                "account_id": journal.default_account_id.id,
                                "tax_ids": [fields.Command.clear()],
                            }
                        )
                    ],
                }
                for partner in chosen
            ]
        )
        credit_notes.action_post()
        return credit_notes

    # -- story ---------------------------------------------------------------------------
    def story(self, today=None):
        """Collectors, a legal officer and customers in every stage of collection, on
        the generated book of the current company: reminded, promised, broken promise,
        disputed, in legal action, closed and returned."""
        self._check_administrator()
        today = self._today(today)
        company = self.env.company
        self.install_chinese()
        collectors, legal_officer = self._story_users(company)
        company.write({"collection_case_min_amount": 1000, "collection_case_min_days": 30})
        if not self.env["collection.assignment.rule"].search_count(
            [("company_id", "=", company.id)]
        ):
            self.env["collection.assignment.rule"].create(
                {
                    "name": _("Collection office"),
                    "company_id": company.id,
                    "user_ids": [Command.set(collectors.ids)],
                    "method": "round_robin",
                }
            )
        setup_charges(company)
        reminded = self._story_reminded_customers(company, today)
        # rated as the daily job rates them: cases rank, and customers show, their risk
        # from the first login
        self.env["res.partner"]._cron_collection_risk()
        self.env["collection.followup"]._collection_run(company, today)
        cases = self.env["collection.case"]._collection_sync(company, today)
        cases = cases.filtered(lambda c: c.amount_due > 0).sorted(lambda c: -c.amount_due)
        result = {"cases": len(cases), "reminded": len(reminded)}
        if len(cases) < 7:
            return result
        legal, promised, broken, disputed, settled, returned = cases[:6]
        self._story_legal(legal, legal_officer, today)
        self._story_promises(promised, broken, today)
        self._story_dispute(disputed, today)
        settled._collection_close(
            "settled", settled._collection_text(_lt("Instalment agreement signed (demo)."))
        )
        story_books(self.env, company, settled, legal, cases[6])
        returned._collection_close(
            "returned", returned._collection_text(_lt("Sales renegotiates the contract (demo)."))
        )
        for case in cases[6:12]:
            self.env["collection.interaction"].create(
                {"case_id": case.id, "channel": "call", "outcome": "no_answer"}
            )
        self._story_history(company, cases[6:], collectors, today)
        self._story_classification(legal, promised, broken, disputed, cases[6])
        story_visits(self.env, cases[6], cases[7], today)
        propose_charges(self.env, company)
        return result

    def _story_classification(self, legal, promised, broken, disputed, lost):
        """Debtors classified as collectors do after their first calls, and a customer
        whose number proved wrong twice: contact lost, tracing under way."""
        legal.write({"willingness": "unwilling", "ability": "able", "overdue_cause": "other"})
        promised.write({"willingness": "willing", "ability": "able", "overdue_cause": "cash_flow"})
        broken.write({"willingness": "willing", "ability": "unable", "overdue_cause": "cash_flow"})
        disputed.write({"overdue_cause": "quality_dispute"})
        for _attempt in range(2):
            self.env["collection.interaction"].with_user(lost.collector_id or self.env.user).create(
                {"case_id": lost.id, "channel": "call", "outcome": "wrong_contact"}
            )

    def _story_history(self, company, cases, collectors, today):
        """What an office that has been at work shows its manager: money collected this
        month on open cases, the collectors' targets of the month, and a KPI snapshot a
        week for the last quarter (the dashboard's trends)."""
        month = today.replace(day=1)
        journal = self._journal(company, "bank")
        paying = cases.filtered(lambda c: c.collector_id)[:8]
        for index, case in enumerate(paying):
            invoice = case.invoice_ids.filtered(lambda m: m.amount_residual > 0)[:1]
            if not invoice:
                continue
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": case.partner_id.id,
                    "amount": round(invoice.amount_residual * (0.3 + 0.1 * (index % 5)), 2),
                    "date": max(month, today - timedelta(days=3 * index)),
                    "journal_id": journal.id,
                    "company_id": company.id,
                    "memo": invoice.name,
                }
            )
            payment.action_post()
            (invoice.line_ids | payment.move_id.line_ids).filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable" and not line.reconciled
                )
            ).reconcile()
        targets = self.env["collection.target"]
        for collector in collectors:
            if targets.search_count(
                [
                    ("company_id", "=", company.id),
                    ("collector_id", "=", collector.id),
                    ("month", "=", month),
                ]
            ):
                continue
            owed = sum(
                cases.filtered(lambda c, user=collector: c.collector_id == user).mapped(
                    "amount_due"
                )
            )
            targets.create(
                {
                    "company_id": company.id,
                    "collector_id": collector.id,
                    "month": month,
                    "amount": round(owed * 0.1, -2) or 1000,
                }
            )
        snapshots = self.env["collection.snapshot"]
        for weeks in range(12, 0, -1):
            snapshots._collection_take(company, today - timedelta(weeks=weeks))
        snapshots._collection_take(company, today)

    def _story_legal(self, case, legal_officer, today):
        """In legal action, with a lawyer, a docket number and costs."""
        case._collection_escalate(_lt("Escalated to legal action (demo)."))
        case.write(
            {
                "legal_user_id": legal_officer.id,
                "legal_docket": "(2026)沪0101民初1234号",
                "legal_filing_date": today,
            }
        )
        self.env["collection.legal.cost"].create(
            {
                "case_id": case.id,
                "description": case._collection_text(_lt("Court filing fee")),
                "cost_type": "court",
                "amount": round(case.amount_due * 0.02, 2),
            }
        )

    def _story_promises(self, promised, broken, today):
        """A call that ended in a promise to pay next week, and a promise made three
        weeks ago and not kept."""
        self.env["collection.interaction"].with_user(promised.collector_id or self.env.user).create(
            {
                "case_id": promised.id,
                "channel": "call",
                "outcome": "promise",
                "note": promised._collection_text(
                    _lt("The treasurer confirms a transfer next week.")
                ),
                "promise_amount": round(promised.amount_due / 2, 2),
                "promise_date": today + timedelta(days=7),
                "next_action_date": today + timedelta(days=8),
            }
        )
        # history written as it happened, which a user's own promise cannot be (a user
        # records a promise made today)
        promise = (
            self.env["collection.promise"]
            .sudo()
            .create(
                {
                    "case_id": broken.id,
                    "amount": round(broken.amount_due / 3, 2),
                    "date": today - timedelta(days=21),
                    "date_promised": today - timedelta(days=14),
                }
            )
        )
        promise._collection_evaluate(today)

    def _story_dispute(self, case, today):
        case.invoice_ids[:1].write(
            {
                "collection_dispute_reason_id": self.env.ref(
                    "collection_management.dispute_reason_quality"
                ).id,
                "collection_dispute_user_id": case.collector_id.id,
                "collection_dispute_end_date": today + timedelta(days=30),
            }
        )
        self.env["collection.interaction"].create(
            {
                "case_id": case.id,
                "channel": "visit",
                "outcome": "dispute",
                "note": case._collection_text(
                    _lt("Goods of the last delivery were damaged; the customer sent photos.")
                ),
            }
        )

    def _story_reminded_customers(self, company, today):
        """Customers whose invoices are all recent: the run reminds them by itself and
        moves their invoices to a level. The generated customers owe for a year and more,
        so their follow-ups are final notices waiting for review."""
        journal = self._journal(company, "sale")
        chinese = self._chinese_lang
        vals_list = []
        for index, (name, due_in_days, amount) in enumerate(STORY_REMINDED, start=1):
            partner = self.env["res.partner"].create(
                {
                    "name": name,
                    "ref": "R%04d" % index,
                    "is_company": True,
                    "customer_rank": 1,
                    "email": "ar.reminded%d@customer.example.com" % index,
                    "lang": CHINESE if not name.isascii() and chinese else "en_US",
                }
            )
            due = today + timedelta(days=due_in_days)
            ref = "PO-R%04d" % index
            vals_list.append(
                self._invoice_values(journal, partner, due, 30, amount, ref, "Services")
            )
        return self._post(vals_list).partner_id

    def _story_users(self, company):
        users = self.env["res.users"].with_context(no_reset_password=True)
        collector_group = self.env.ref("collection_management.group_collection_collector")
        legal_group = self.env.ref("collection_management.group_collection_legal")
        people = [
            ("collector.li", "李娜 Li Na", CHINESE, collector_group),
            ("collector.tom", "Tom Baker", "en_US", collector_group),
            ("legal.wang", "王律 Wang Lü", CHINESE, legal_group),
        ]
        result = users
        for login, name, lang, group in people:
            user = users.search([("login", "=", login)], limit=1)
            if not user:
                user = users.create(
                    {
                        "login": login,
                        "password": login,
                        "name": name,
                        "email": f"{login}@example.com",
                        "lang": lang if lang == "en_US" or self._chinese_lang else "en_US",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "groups_id": [Command.link(group.id)],
                    }
                )
            else:
                if company not in user.company_ids:
                    user.company_ids = [Command.link(company.id)]
                if lang != user.lang and (lang == "en_US" or self._chinese_lang):
                    # the story's people read their language, also when loaded again
                    user.lang = lang
            result |= user
        return result[:2], result[2]
