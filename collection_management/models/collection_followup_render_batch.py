"""What the emails and statements of many follow-ups show about each customer (the
link of its collection page, its interest and fees, its open credits), looked up for
all of them at once before they are rendered: rendering goes record by record, and
each of these figures would otherwise cost a few queries per customer."""

import uuid
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.tools import SQL

_CACHE_KEY = "collection_render_batch"


def _batch(env):
    """The figures prepared for the rendering under way in this transaction, if any."""
    return env.cr.cache.get(_CACHE_KEY)


class CollectionFollowup(models.Model):
    _inherit = "collection.followup"

    @contextmanager
    def _collection_render_batch(self):
        """Prepare, for these follow-ups, what their emails and statements show; the
        figures hold while the block renders them (nothing they show changes inside)."""
        if _batch(self.env) is not None or len(self) < 2:
            yield
            return
        self.env.cr.cache[_CACHE_KEY] = self.sudo()._collection_render_figures()
        try:
            yield
        finally:
            self.env.cr.cache.pop(_CACHE_KEY, None)

    def _collection_render_figures(self):
        self.invoice_ids._collection_ensure_portal_tokens()
        figures = {"access": {}, "summary": {}, "credits": {}, "fees": set(), "moves": {}}
        today = fields.Date.context_today(self)
        for company, followups in self.grouped("company_id").items():
            partners = followups.partner_id.commercial_partner_id
            figures["access"].update(
                self.env["collection.portal.access"]._collection_issue_many(partners, company)
            )
            # the email's figures as of the follow-up, the statement's as of today
            for date in set(followups.mapped("date")) | {today}:
                summary = self.env["collection.charge"]._collection_summary(partners, company, date)
                figures["summary"][(company.id, date)] = (set(partners.ids), summary)
            figures["credits"].update(followups._collection_credit_lines_many())
            figures["moves"].update(partners._collection_statement_moves_many(company))
        figures["fees"] = set(
            self.env["collection.charge"]
            .search([("followup_id", "in", self.ids), ("kind", "=", "fee")])
            .followup_id.ids
        )
        return figures

    def _collection_credit_lines_many(self):
        """{follow-up id: credit line ids} of follow-ups of one company whose customer
        is a company or an individual (not a contact of one), in one search."""
        followups = self.filtered(lambda f: f.partner_id == f.partner_id.commercial_partner_id)
        if not followups:
            return {}
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", followups.company_id.id),
                ("partner_id", "child_of", followups.partner_id.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
            ],
            order="date, id",
        )
        per_partner = {}
        for line in lines:
            per_partner.setdefault(line.partner_id.commercial_partner_id.id, []).append(line.id)
        return {f.id: per_partner.get(f.partner_id.id, []) for f in followups}

    def _collection_credit_lines(self):
        batch = _batch(self.env)
        if batch is not None and len(self) == 1 and self.id in batch["credits"]:
            return self.env["account.move.line"].browse(batch["credits"][self.id])
        return super()._collection_credit_lines()

    def _collection_fee_proposed(self):
        batch = _batch(self.env)
        if batch is not None and len(self) == 1:
            return self.id in batch["fees"]
        return super()._collection_fee_proposed()


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _collection_statement_moves_many(self, company):
        """{(customer id, company id): open invoice and credit note ids} of these
        commercial partners, as their statements list them, in one search."""
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", self.ids),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, id",
        )
        per_partner = {(partner.id, company.id): [] for partner in self}
        for move in moves:
            per_partner[(move.commercial_partner_id.id, company.id)].append(move.id)
        return per_partner

    def _collection_statement_moves(self, company):
        batch = _batch(self.env)
        key = (self.commercial_partner_id.id, company.id)
        if batch is not None and key in batch["moves"]:
            return self.env["account.move"].browse(batch["moves"][key])
        return super()._collection_statement_moves(company)


class AccountMove(models.Model):
    _inherit = "account.move"

    def _collection_ensure_portal_tokens(self):
        """Give the invoices without one their portal token (the email's "Pay online"
        link) in one statement: Odoo gives it on the first link, one write per invoice
        that re-checks the whole journal entry, although the token is not accounting."""
        missing = self.sudo().filtered(lambda move: not move.access_token)
        if not missing:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE account_move AS move SET access_token = token.value "
                "FROM (VALUES %s) AS token(id, value) "
                "WHERE move.id = token.id AND move.access_token IS NULL",
                SQL(", ").join(SQL("(%s, %s)", move.id, str(uuid.uuid4())) for move in missing),
            )
        )
        missing.invalidate_recordset(["access_token"])


class CollectionPortalAccess(models.Model):
    _inherit = "collection.portal.access"

    @api.model
    def _collection_issue(self, partner, company):
        batch = _batch(self.env)
        key = (partner.commercial_partner_id.id, company.id)
        if batch is not None and key in batch["access"]:
            return self.sudo().browse(batch["access"][key])
        return super()._collection_issue(partner, company)


class CollectionCharge(models.Model):
    _inherit = "collection.charge"

    @api.model
    def _collection_summary(self, partners, company, date=None, keep_empty=False):
        if keep_empty:
            # the batch keeps only customers with something to show
            return super()._collection_summary(partners, company, date, keep_empty=True)
        batch = _batch(self.env)
        day = fields.Date.to_date(date) or fields.Date.context_today(self)
        prepared = batch and batch["summary"].get((company.id, day))
        wanted = partners.commercial_partner_id
        if prepared and set(wanted.ids) <= prepared[0]:
            return {key: value for key, value in prepared[1].items() if key[0] in wanted}
        return super()._collection_summary(partners, company, date)
