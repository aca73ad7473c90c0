"""Late interest and fees of the demo story: the company's policy charges interest at
0.05 % a day (万分之五, 18.25 % a year, a common rate in Chinese sales contracts) after
ten days of grace, within a cap of 30 % of the principal, and its formal levels charge a
fee; the daily job then proposes what is due, and a manager invoices one proposal and
waives another, so the review screen shows every state."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

INTEREST = {
    "interest_rate": 18.25,
    "interest_grace_days": 10,
    "interest_cap_percent": 30,
    "interest_period_days": 30,
}
# levels this many days overdue and later charge a fee of 1 %, at least 50
FEE_FROM_DAYS = 30


def setup_charges(company):
    """Interest on the company's policy, fees on its formal levels, before the story's
    reminders go out (so they show the interest line); a policy that already charges
    interest is left as it is."""
    policy = company.collection_policy_id
    if not policy or policy.interest_rate:
        return False
    policy.write(INTEREST)
    policy.level_ids.filtered(lambda level: level.delay_days >= FEE_FROM_DAYS).write(
        {"fee_amount": 50, "fee_percent": 1}
    )
    return True


def propose_charges(env, company):
    """What the daily job proposes for the company; the largest proposal invoiced and
    the smallest waived by the manager playing the story."""
    charges = env["collection.charge"].with_company(company)._cron_collection_charges()
    charges = charges.filtered(lambda charge: charge.company_id == company).sorted("amount")
    if len(charges) >= 3:
        charges[-1].action_invoice()
        lang = company.partner_id.lang or "en_US"
        reason = (
            env["collection.charge"]
            .with_context(lang=lang)
            .env._(_lt("Goodwill: the customer paid the principal within a week of our call."))
        )
        charges[0]._collection_waive(reason)
    return charges
