from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class CollectionCase(models.Model):
    """Where a case opens: customers over the company thresholds get a case (or their
    overdue invoices join the open one), a collector is assigned; where the payments
    close it and reopen it; the daily job."""

    _inherit = "collection.case"

    @api.model
    def _collection_thresholds(self, company, date):
        """Overdue customers of ``company`` on ``date``: commercial partner → (overdue
        amount, oldest due date), from one grouped read."""
        groups = self.env["account.move"]._read_group(
            [
                ("company_id", "=", company.id),
                *self.env["account.move"]._collection_open_invoice_domain(),
                ("invoice_date_due", "<", date),
                ("collection_exclude", "=", False),
                # invoices of a closed case (returned, written off) stay with it
                "|",
                ("collection_case_id", "=", False),
                ("collection_case_id.is_closed", "=", False),
            ],
            ["commercial_partner_id"],
            ["amount_residual_signed:sum", "invoice_date_due:min"],
        )
        return {partner: (amount, oldest) for partner, amount, oldest in groups}

    @api.model
    def _collection_sync(self, company, date=None, partners=None, force_partners=None):
        """Open cases for the customers over the company thresholds, join their new
        overdue invoices, assign collectors and close the paid cases.

        ``partners`` restricts the customers considered; ``force_partners`` get a case
        even under the thresholds (escalation). Returns the open cases of the customers
        considered. Set-based: the number of queries does not grow with the cases.
        """
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        self = self.with_company(company)  # noqa: PLW0642
        force_partners = force_partners or self.env["res.partner"]
        overdue = self._collection_thresholds(company, date)
        if partners is not None:
            keep = partners.commercial_partner_id | force_partners
            overdue = {p: v for p, v in overdue.items() if p in keep}
        currency = company.currency_id
        wanted = self.env["res.partner"].concat(
            *(
                partner
                for partner, (amount, oldest) in overdue.items()
                if currency.compare_amounts(amount, company.collection_case_min_amount) >= 0
                and currency.compare_amounts(amount, 0) > 0
                and (date - oldest).days >= company.collection_case_min_days
            )
        )
        wanted |= force_partners.commercial_partner_id
        open_cases = self.search(
            [
                ("company_id", "=", company.id),
                ("is_closed", "=", False),
                ("partner_id", "in", list({p.id for p in overdue} | set(wanted.ids))),
            ]
        )
        with_case = open_cases.partner_id
        # the stage of new cases, found once (the field's default searches per case)
        stage = self.env["collection.stage"]._collection_stage("new")
        # the process opens cases, for whoever runs it
        new_cases = (
            self.with_context(mail_create_nolog=True)
            .sudo()
            .create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "date_open": date,
                        "stage_id": stage.id,
                    }
                    for partner in wanted - with_case
                ]
            )
        )
        new_cases = new_cases.sudo(self.env.su)
        open_cases |= new_cases
        open_cases._collection_join_invoices(date)
        # a case opened here gets its collector and stage without a tracking message
        # per case: its opening note says who works it
        new_cases.with_context(mail_notrack=True)._collection_assign()
        new_cases._collection_log_opening()
        return open_cases

    @api.model
    def _collection_number(self, vals_list):
        """Give the cases of ``vals_list`` without a name their number from the case
        sequence of their company: the numbers of each company and date are drawn from
        the sequence's PostgreSQL sequence in one statement."""
        todo = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                company_id = vals.get("company_id") or self.env.company.id
                date = fields.Date.to_date(vals.get("date_open")) or fields.Date.context_today(self)
                todo[(company_id, date)].append(vals)
        sequences = self.env["ir.sequence"]
        for (company_id, date), group in todo.items():
            company = self.env["res.company"].browse(company_id)
            names = sequences.with_company(company)._collection_next_names(
                "collection.case", date, len(group)
            )
            for vals, name in zip(group, names, strict=True):
                vals["name"] = name or _("New")

    def _collection_log_opening(self):
        """The opening note of new cases, each in the language of whoever works it."""
        self._message_log_batch(
            {
                case.id: case._collection_text(
                    _lt(
                        "Case opened: %(amount)s overdue since %(date)s, assigned to "
                        "%(collector)s.",
                        amount=case.currency_id.format(case.amount_due),
                        date=fields.Date.to_string(case.oldest_due_date) or "",
                        collector=case.collector_id.name,
                    )
                    if case.collector_id
                    else _lt(
                        "Case opened: %(amount)s overdue since %(date)s.",
                        amount=case.currency_id.format(case.amount_due),
                        date=fields.Date.to_string(case.oldest_due_date) or "",
                    )
                )
                for case in self
            }
        )

    def _collection_join_invoices(self, date):
        """Overdue invoices of the cases' customers that belong to no case join them."""
        if not self:
            return
        by_key = {(case.partner_id.id, case.company_id.id): case for case in self}
        invoices = self.env["account.move"].search_fetch(
            [
                ("company_id", "in", self.company_id.ids),
                ("commercial_partner_id", "in", self.partner_id.ids),
                *self.env["account.move"]._collection_open_invoice_domain(),
                ("invoice_date_due", "<", date),
                ("collection_exclude", "=", False),
                ("collection_case_id", "=", False),
            ],
            ["commercial_partner_id", "company_id", "amount_residual_signed"],
        )
        joining = [
            (invoice.id, by_key[key])
            for invoice in invoices
            if (key := (invoice.commercial_partner_id.id, invoice.company_id.id)) in by_key
        ]
        if not joining:
            return
        # one statement for every joining invoice: the ORM write of posted moves runs
        # the accounting checks per move, which nothing here needs
        self.env["account.move"].flush_model(["amount_residual_signed", "collection_case_id"])
        self.env.cr.execute(
            SQL(
                """UPDATE account_move m
                      SET collection_case_id = v.case_id,
                          collection_case_assigned = m.amount_residual_signed
                     FROM (VALUES %s) AS v(move_id, case_id)
                    WHERE m.id = v.move_id""",
                SQL(", ").join(SQL("(%s, %s)", move_id, case.id) for move_id, case in joining),
            )
        )
        moves = self.env["account.move"].browse(move_id for move_id, _case in joining)
        moves.invalidate_recordset(["collection_case_id", "collection_case_assigned"])
        moves.modified(["collection_case_id", "collection_case_assigned"])
        self.invalidate_recordset(["invoice_ids"])
        cases = self.browse({case.id for _move_id, case in joining})
        for name in ("amount_assigned", "amount_due", "oldest_due_date"):
            self.env.add_to_compute(self._fields[name], cases)

    def _collection_assign(self):
        """Give the cases without collector one, by the customer's own collector first,
        then by the assignment rules; assigned cases move to the Assigned stage."""
        # callers checked their rights: assignment is the process's, not the user's
        todo = self.sudo().filtered(lambda c: not c.collector_id and not c.is_closed)
        if not todo:
            return
        today = fields.Date.context_today(self)
        available = self.env["res.users"]._collection_available(today)
        rest = self.browse()
        per_user = defaultdict(self.browse)
        for case in todo:
            own = case.partner_id.with_company(case.company_id).collector_id
            if own and own in available:
                per_user[own] |= case
            else:
                rest |= case
        for user, cases in per_user.items():
            cases.collector_id = user
        if rest:
            self.env["collection.assignment.rule"]._collection_apply(rest, today)
        assigned = todo.filtered("collector_id")
        assigned._collection_move_to("assigned", only_from=("new",))
        if assigned:
            assigned.filtered(lambda c: not c.next_action_date).write({"next_action_date": today})

    @api.model
    def _cron_collection_cases(self, company_id=None):
        """Daily: open and join cases, assign, close paid ones, refresh days and scores.
        The job of a company (``company_id``) runs that company only, in its context."""
        job = self.env["collection.job"]
        companies = job._collection_job_companies(company_id)
        actor = companies._collection_job_env(self) if company_id and companies else self
        today = fields.Date.context_today(actor)
        job._collection_isolated(
            _("Collections: case opening and closing"),
            companies,
            lambda company: actor.with_company(company)._collection_daily(company, today),
        )

    @api.model
    def _collection_daily(self, company, today):
        """One company's daily pass: open and join cases, close the paid ones, refresh
        the days overdue and scores (they depend on today's date)."""
        self.search(
            [
                ("company_id", "=", company.id),
                ("is_closed", "=", True),
                ("close_reason", "=", "paid"),
                ("amount_due", ">", 0),
            ]
        )._collection_reopen_owed()
        self._collection_sync(company, today)
        open_cases = self.search([("company_id", "=", company.id), ("is_closed", "=", False)])
        open_cases._collection_close_paid(today)
        open_cases = open_cases.filtered(lambda c: not c.is_closed)
        self.env.add_to_compute(self._fields["days_overdue"], open_cases)
        self.env.add_to_compute(self._fields["priority_score"], open_cases)
        open_cases.flush_recordset()

    def _collection_reopen_owed(self):
        """Cases that closed themselves as paid reopen when their invoices owe again (a
        payment taken off an invoice, a bounced payment): the money is not recovered.
        Cases closed by hand (settled, written off, returned) stay closed."""
        owed = self.filtered(
            lambda c: (
                c.is_closed
                and c.close_reason == "paid"
                and c.currency_id.compare_amounts(c.amount_due, 0) > 0
            )
        )
        if not owed:
            return owed
        stage = self.env["collection.stage"]._collection_stage("progress")
        owed.sudo().write(
            {
                "stage_id": stage.id,
                "close_reason": False,
                "close_note": False,
                "date_closed": False,
            }
        )
        messages = {}
        for case in owed:
            messages[case.id] = case._collection_text(
                _lt(
                    "The invoices of the case owe %(amount)s again (a payment was taken "
                    "off): the case is open again.",
                    amount=case.currency_id.format(case.amount_due),
                )
            )
        owed._message_log_batch(messages)
        return owed

    def _collection_close_paid(self, date=None):
        """Open cases whose invoices are all paid close themselves."""
        paid = self.filtered(
            lambda c: (
                not c.is_closed
                and c.invoice_ids
                and c.currency_id.compare_amounts(c.amount_due, 0) <= 0
            )
        )
        if paid:
            paid._collection_close("paid", date=date)
            message = _lt("All invoices of the case are paid: case closed.")
            for case in paid:
                case.message_post(body=case._collection_text(message))
        return paid
