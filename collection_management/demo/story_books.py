"""The demo story in the books: the company's write-off and legal cost settings, the
settled case's discount written off, the legal costs approved and billed, a waiver
waiting for the manager's approval."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


def _account(env, company, code, name):
    """The company's account ``code``, made as an expense account when missing."""
    accounts = env["account.account"].with_company(company)
    account = accounts.search(
        [*accounts._check_company_domain(company), ("code", "=", code)], limit=1
    )
    return account or accounts.create(
        {"code": code, "name": name, "account_type": "expense", "company_ids": company.ids}
    )


def story_books(env, company, settled, legal, waived):
    journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "general")],
        limit=1,
    )
    company.write(
        {
            "collection_writeoff_account_id": _account(env, company, "660900", "Bad debts").id,
            "collection_writeoff_journal_id": journal.id,
            "collection_legal_cost_account_id": _account(env, company, "660800", "Legal fees").id,
        }
    )
    # the settlement: the customer pays 90 % of the oldest invoice, the rest is waived
    oldest = settled.invoice_ids.filtered(lambda m: m.amount_residual).sorted(
        lambda m: m.invoice_date_due
    )[:1]
    if oldest:
        discount = oldest.currency_id.round(oldest.amount_residual * 0.1)
        settled._collection_writeoff(
            {oldest: discount}, settled._collection_text(_lt("Settled (demo)"))
        )
    # costs still in draft (the story played again leaves approved ones as they are)
    costs = legal.legal_cost_ids.filtered(lambda cost: cost.state == "draft")
    costs.write({"partner_id": _lawyer(env).id, "rechargeable": True})
    costs.action_submit()
    costs.action_approve()
    costs.action_create_bill()
    open_invoices = waived.invoice_ids.filtered(lambda m: m.amount_residual > 0)
    if open_invoices and not waived.waiver_ids:
        # asked by the case's collector, as in the office
        requester = waived.collector_id or env.user
        env["collection.waiver"].with_user(requester).create(
            {
                "case_id": waived.id,
                "kind": "discount",
                "invoice_ids": open_invoices[:1].ids,
                "amount": open_invoices[0].currency_id.round(open_invoices[0].amount_residual / 20),
                "reason": waived._collection_text(_lt("Late delivery of the March order (demo).")),
            }
        ).action_submit()


def _lawyer(env):
    return env["res.partner"].search([("name", "=", "Donghai Law Firm (demo)")], limit=1) or env[
        "res.partner"
    ].create({"name": "Donghai Law Firm (demo)", "is_company": True})
