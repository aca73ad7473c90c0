"""What a customer sees and does on their collection page (/my/collections).

The controller finds who the customer is (a portal user's commercial partner, or the
partner of a valid link) and calls these methods with that partner: every value comes
from the customer and is checked here, and everything runs as superuser on that
partner's own records only. What the customer does lands on the case as a contact log
entry (channel portal), on the partner's chatter, and in the collector's worklist as an
activity to check.
"""

from datetime import datetime, time
from urllib.parse import urlencode

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import hmac as hmac_tool
from odoo.tools import plaintext2html
from odoo.tools.misc import format_date

NAME_MAX = 128
TEXT_MAX = 4000
MESSAGES_PER_DAY = 10


class CollectionPortal(models.AbstractModel):
    _name = "collection.portal"
    _description = "Customer's Collection Page"

    # ------------------------------------------------------------------ reading
    @api.model
    def _collection_page(self, partner):
        """Per company where the customer has open documents: the statement, balances
        per currency, the open case's promises, and what the customer may do today."""
        partner = partner.commercial_partner_id.sudo()
        return [
            self._collection_company_page(partner, company)
            for company in self._collection_companies(partner)
        ]

    @api.model
    def _collection_companies(self, partner):
        """The companies where the customer has open documents: those of their page."""
        groups = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                self._collection_document_domain(partner.commercial_partner_id), ["company_id"]
            )
        )
        return self.env["res.company"].sudo().union(*(company for (company,) in groups))

    @api.model
    def _collection_document_domain(self, partner):
        return [
            ("commercial_partner_id", "=", partner.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]

    @api.model
    def _collection_company_page(self, partner, company):
        lines = partner.with_company(company)._collection_statement_lines(company)
        moves = lines["moves"]
        today = fields.Date.context_today(self)
        balances = {}
        for move in moves:
            sign = -1 if move.move_type == "out_refund" else 1
            balances[move.currency_id] = balances.get(move.currency_id, 0.0) + (
                sign * move.amount_residual
            )
        case = self._collection_open_case(partner, company)
        return {
            "company": company,
            "currency": company.currency_id,
            "invoices": moves.filtered(lambda m: m.move_type == "out_invoice"),
            "credits": moves.filtered(lambda m: m.move_type == "out_refund"),
            "balances": balances,
            "total": lines["total"],
            "overdue": lines["overdue"],
            "promises": case.promise_ids.filtered(lambda p: p.state == "open"),
            "can_acknowledge": lines["total"] > 0
            and not self._collection_done_today(partner, company, "acknowledged"),
            "can_promise": lines["overdue"] > 0
            and not self._collection_done_today(partner, company, "promise"),
            "max_instalments": company.collection_portal_max_instalments or 1,
            "min_date": today,
            "max_date": fields.Date.add(today, days=company.collection_promise_max_days),
            "pay_overdue_url": self._collection_pay_url(partner, company, lines["overdue"]),
        }

    @api.model
    def _collection_pay_url(self, partner, company, amount):
        """Odoo's payment page for ``amount`` of the customer in ``company``'s currency,
        signed for this partner and amount (no login needed); None for nothing to pay."""
        currency = company.currency_id
        if currency.compare_amounts(amount, 0) <= 0:
            return None
        amount = currency.round(amount)
        query = {
            "reference": partner.ref or partner.name,
            "amount": amount,
            "currency_id": currency.id,
            "partner_id": partner.id,
            "company_id": company.id,
            # the signature the payment page checks (payment.utils.check_access_token),
            # computed without an HTTP request at hand
            "access_token": hmac_tool(
                self.env(su=True),
                "generate_access_token",
                f"{partner.id}|{amount}|{currency.id}",
            ),
        }
        return f"/payment/pay?{urlencode(query)}"

    @api.model
    def _collection_reasons(self):
        return self.env["collection.dispute.reason"].sudo().search([("active", "=", True)])

    # ------------------------------------------------------------------ acting
    @api.model
    def _collection_acknowledge(self, partner, company, name, title, address):
        """The customer confirms the balance: an acknowledgement of the debt on the
        case, which restarts the limitation period like a signed one."""
        partner = partner.commercial_partner_id.sudo()
        name = self._collection_clean(name, NAME_MAX, _("your name"), required=True)
        title = self._collection_clean(title, NAME_MAX, _("your position"))
        lines = partner.with_company(company)._collection_statement_lines(company)
        if company.currency_id.compare_amounts(lines["total"], 0) <= 0:
            raise UserError(_("There is no balance to acknowledge."))
        self._collection_check_once_a_day(partner, company, "acknowledged")
        case = self._collection_case(partner, company)
        moment = fields.Datetime.now()
        note = case._collection_text(
            lambda reader: reader.env._(
                "%(name)s (%(title)s) acknowledged the balance of %(amount)s on the "
                "collection page, on %(moment)s UTC from %(address)s.",
                name=name,
                title=title or "-",
                amount=company.currency_id.format(lines["total"]),
                moment=fields.Datetime.to_string(moment),
                address=address or "-",
            )
        )
        self._collection_log(case, "acknowledged", note)
        case._collection_record_interruption("acknowledgement", fields.Date.context_today(self))
        self._collection_tell_collector(
            case, lambda reader: reader.env._("Customer acknowledged the balance: check"), note
        )
        return case

    @api.model
    def _collection_promise(self, partner, company, amounts, dates):
        """The customer promises to pay in instalments: ``amounts`` and ``dates`` as
        typed (text), empty rows ignored."""
        partner = partner.commercial_partner_id.sudo()
        instalments = self._collection_instalments(company, amounts, dates)
        lines = partner.with_company(company)._collection_statement_lines(company)
        currency = company.currency_id
        total = sum(amount for amount, _date in instalments)
        if currency.compare_amounts(total, lines["overdue"]) > 0:
            raise ValidationError(
                _(
                    "Your promises (%(total)s) are more than your overdue balance (%(overdue)s).",
                    total=currency.format(total),
                    overdue=currency.format(max(lines["overdue"], 0)),
                )
            )
        self._collection_check_once_a_day(partner, company, "promise")
        case = self._collection_case(partner, company)
        author = case.collector_id or self.env.ref("base.user_root")
        promises = (
            self.env["collection.promise"]
            .sudo()
            .create(
                [
                    {
                        "case_id": case.id,
                        "amount": amount,
                        "date_promised": date,
                        "user_id": author.id,
                        "source": "portal",
                    }
                    for amount, date in instalments
                ]
            )
        )
        note = self._collection_promise_note(case, instalments)
        interaction = self._collection_log(
            case,
            "promise",
            note,
            promise_id=promises[0].id,
            promise_amount=total,
            promise_date=instalments[-1][1],
        )
        promises.interaction_id = interaction
        self._collection_tell_collector(
            case, lambda reader: reader.env._("Customer promised to pay: check"), note
        )
        return promises

    @api.model
    def _collection_promise_note(self, case, instalments):
        currency = case.company_id.currency_id
        return case._collection_text(
            lambda reader: reader.env._(
                "Promised on the collection page: %(instalments)s.",
                instalments=", ".join(
                    reader.env._(
                        "%(amount)s on %(date)s",
                        amount=currency.format(amount),
                        date=format_date(reader.env, date),
                    )
                    for amount, date in instalments
                ),
            )
        )

    @api.model
    def _collection_dispute(self, partner, invoice_id, reason_id, comment, files=()):
        """The customer disputes one of their open invoices: reminders pause for it and
        its owner (the case's collector, else a manager) is told. ``files`` are
        (name, content, mimetype) triples."""
        partner = partner.commercial_partner_id.sudo()
        invoice = self._collection_own_invoice(partner, invoice_id)
        reason = self._collection_record(
            "collection.dispute.reason", reason_id, _("Please choose a reason for the dispute.")
        )
        comment = self._collection_clean(comment, TEXT_MAX, _("your comment"))
        files = self._collection_files(files)
        if invoice.collection_dispute_reason_id:
            raise UserError(
                _(
                    "Invoice %(invoice)s is already disputed: we are looking into it.",
                    invoice=invoice.name,
                )
            )
        company = invoice.company_id
        case = self._collection_open_case(partner, company)
        owner = case.collector_id or self._collection_manager(company)
        invoice.write(
            {"collection_dispute_reason_id": reason.id, "collection_dispute_user_id": owner.id}
        )
        invoice.message_post(
            body=Markup("<p>%s</p>%s")
            % (reason.with_context(lang=partner.lang).name, plaintext2html(comment or "")),
            author_id=partner.id,
            # created by the post itself: a visitor may not link attachments
            attachments=[(name, content) for name, content, _mimetype in files],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        reader = self.sudo().with_context(lang=owner.lang or partner.lang)
        text = reader.env._(
            "Disputed invoice %(invoice)s on the collection page: %(reason)s. %(comment)s",
            invoice=invoice.name,
            reason=reason.with_env(reader.env).name,
            comment=comment or "",
        )
        self._collection_log(case, "dispute", text, partner=partner, company=company)
        invoice.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=fields.Date.context_today(self),
            summary=reader.env._("Customer disputes this invoice: check"),
            note=text,
            user_id=owner.id,
        )
        return invoice

    @api.model
    def _collection_message(self, partner, company, body):
        """The customer writes to their collector: a message on the case's chatter, from
        the customer."""
        partner = partner.commercial_partner_id.sudo()
        body = self._collection_clean(body, TEXT_MAX, _("your message"), required=True)
        start = datetime.combine(fields.Date.context_today(self), time.min)
        sent = (
            self.env["collection.interaction"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("channel", "=", "portal"),
                    ("outcome", "=", "message"),
                    ("date", ">=", start),
                ]
            )
        )
        if sent >= MESSAGES_PER_DAY:
            raise UserError(
                _(
                    "You have sent %(count)s messages today: please write again tomorrow.",
                    count=sent,
                )
            )
        case = self._collection_case(partner, company)
        people = (case.collector_id or self._collection_manager(company)).partner_id
        case.message_post(
            body=plaintext2html(body),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=people.ids,
        )
        self._collection_log(case, "message", body)
        return case

    # ------------------------------------------------------------------ helpers
    @api.model
    def _collection_open_case(self, partner, company):
        return (
            self.env["collection.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("is_closed", "=", False),
                ],
                limit=1,
            )
        )

    @api.model
    def _collection_case(self, partner, company):
        """The customer's open case in ``company``, opened now (and assigned by the
        rules) when the customer acts before the thresholds opened one."""
        case = self._collection_open_case(partner, company)
        if not case:
            today = fields.Date.context_today(self)
            cases = (
                self.env["collection.case"]
                .sudo()
                ._collection_sync(company, today, partners=partner, force_partners=partner)
            )
            case = cases.filtered(lambda c: c.partner_id == partner)[:1]
        return case

    @api.model
    def _collection_manager(self, company):
        group = self.env.ref("collection_management.group_collection_manager")
        managers = group.sudo().users.filtered(lambda u: company in u.company_ids and not u.share)
        return managers.sorted("id")[:1] or self.env.ref("base.user_admin")

    @api.model
    def _collection_log(self, case, outcome, note, partner=None, company=None, **values):
        """The contact log entry of what the customer did (channel portal), also noted
        on the customer's chatter."""
        (partner or case.partner_id).message_post(body=note, subtype_xmlid="mail.mt_note")
        return (
            self.env["collection.interaction"]
            .sudo()
            .create(
                {
                    "case_id": case.id,
                    "partner_id": (partner or case.partner_id).id,
                    "company_id": (company or case.company_id).id,
                    "user_id": (case.collector_id or self.env.ref("base.user_root")).id,
                    "channel": "portal",
                    "outcome": outcome,
                    "note": note,
                    **values,
                }
            )
        )

    @api.model
    def _collection_tell_collector(self, case, summary, note):
        """An activity for today in the collector's worklist (a manager's without
        collector), in the reader's language."""
        user = case.collector_id or self._collection_manager(case.company_id)
        today = fields.Date.context_today(self)
        if not case.next_action_date or case.next_action_date > today:
            # back on the worklist today
            case.sudo().next_action_date = today
        case.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=today,
            summary=case._collection_text(summary, lang=user.lang),
            note=note,
            user_id=user.id,
        )

    @api.model
    def _collection_done_today(self, partner, company, outcome):
        start = datetime.combine(fields.Date.context_today(self), time.min)
        return bool(
            self.env["collection.interaction"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("channel", "=", "portal"),
                    ("outcome", "=", outcome),
                    ("date", ">=", start),
                ],
                limit=1,
            )
        )

    @api.model
    def _collection_check_once_a_day(self, partner, company, outcome):
        if self._collection_done_today(partner, company, outcome):
            if outcome == "promise":
                raise UserError(
                    _("You already promised to pay today: your collector will contact you.")
                )
            raise UserError(_("You already acknowledged the balance today."))
