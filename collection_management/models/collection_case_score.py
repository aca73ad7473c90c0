"""The worklist score of a case: which case a collector should work first.

The score adds points for what makes a case urgent, each part capped so that no single
factor drowns the others; the reasons shown to the collector ("Why this rank") are the
same parts. The weights, and why:

- The money at stake and its age weigh most, up to 30 points each. Amount grows
  logarithmically (6 points each time it is ten times larger: 1,000 gives 18, 100,000
  reaches the cap), so that a big customer does not always come first; age grows by one
  point every 6 days and caps at 180 days, when recovery odds have fallen the most.
- Behaviour adds up to 20 points: each broken (or partly kept) promise 10, at most 2
  counted, as a customer who breaks promises needs a call more than one who never made
  any; each disputed invoice 5, at most 2, as a dispute blocks payment until resolved.
- The customer's risk rating adds 0 to 15.
- Silence adds a point every 3 days without contact, at most 10 (a month); a case
  never contacted gets the 10 at once.
- A manager's priority stars add 5 each.
- A limitation deadline within 90 days adds 20: missing it loses the claim.
- The debtor's class adds up to 15 and the overdue cause up to 15
  (collection_case_classification.py, which says why); a lost contact adds 10
  (collection_case_contact.py).
"""

import math

from odoo import _, api, fields, models

AMOUNT_POINTS_PER_TENFOLD = 6
AMOUNT_POINTS_MAX = 30
DAYS_PER_AGE_POINT = 6
AGE_POINTS_MAX = 30
BROKEN_PROMISE_POINTS = 10
BROKEN_PROMISE_POINTS_MAX = 20
DISPUTE_POINTS = 5
DISPUTE_POINTS_MAX = 10
RISK_POINTS = {"low": 0, "medium": 5, "high": 10, "critical": 15}
SILENT_DAYS_PER_POINT = 3
SILENCE_POINTS_MAX = 10
PRIORITY_STAR_POINTS = 5
LIMITATION_HORIZON_DAYS = 90
LIMITATION_POINTS = 20


# what the score and its reasons are made of
SCORE_DEPENDS = (
    "amount_due",
    "days_overdue",
    "promise_broken_count",
    "disputed_count",
    "partner_id.collection_risk",
    "last_contact_date",
    "priority",
    "is_closed",
    "limitation_date",
)


class CollectionCase(models.Model):
    _inherit = "collection.case"

    priority = fields.Selection(
        [("0", "Normal"), ("1", "High"), ("2", "Very high"), ("3", "Urgent")],
        default="0",
        tracking=True,
    )
    priority_score = fields.Float(
        string="Score",
        compute="_compute_priority_score",
        store=True,
        aggregator="max",
        help="Rank in the worklist: the higher, the sooner to work.",
    )
    # rendered for the reader, in the reader's language: a stored text would be frozen
    # in the language of the daily job that computed it
    priority_reasons = fields.Text(string="Why this rank", compute="_compute_priority_reasons")

    @api.depends(*SCORE_DEPENDS)
    def _compute_priority_score(self):
        today = fields.Date.context_today(self)
        for case in self:
            if case.is_closed:
                case.priority_score = 0.0
                continue
            parts = case._collection_score_parts(today)
            case.priority_score = round(sum(points for points, _label in parts), 1)

    @api.depends(*SCORE_DEPENDS)
    @api.depends_context("lang")
    def _compute_priority_reasons(self):
        today = fields.Date.context_today(self)
        for case in self:
            if case.is_closed:
                case.priority_reasons = False
                continue
            parts = case._collection_score_parts(today)
            case.priority_reasons = "\n".join(
                f"+{points:g} {label}" for points, label in parts if points
            )

    def _collection_score_parts(self, today):
        """(points, reason) pairs that make the score of this case."""
        self.ensure_one()
        return [
            self._collection_score_amount(),
            self._collection_score_age(),
            *self._collection_score_behaviour(),
            self._collection_score_risk(),
            self._collection_score_silence(today),
            *self._collection_score_deadlines(today),
        ]

    def _collection_score_amount(self):
        amount = max(self.amount_due, 0.0)
        points = min(AMOUNT_POINTS_MAX, AMOUNT_POINTS_PER_TENFOLD * math.log10(amount + 1))
        return round(points, 1), _("amount due %(amount)s", amount=self.currency_id.format(amount))

    def _collection_score_age(self):
        points = min(AGE_POINTS_MAX, self.days_overdue / DAYS_PER_AGE_POINT)
        return round(points, 1), _("%(days)s days overdue", days=self.days_overdue)

    def _collection_score_behaviour(self):
        broken, disputed = self.promise_broken_count, self.disputed_count
        return [
            (
                min(BROKEN_PROMISE_POINTS_MAX, BROKEN_PROMISE_POINTS * broken),
                _("%(count)s broken promise(s)", count=broken),
            ),
            (
                min(DISPUTE_POINTS_MAX, DISPUTE_POINTS * disputed),
                _("%(count)s disputed invoice(s) to resolve", count=disputed),
            ),
        ]

    def _collection_score_risk(self):
        risk = self.partner_id.collection_risk or "low"
        labels = dict(
            self.env["res.partner"]._fields["collection_risk"]._description_selection(self.env)
        )
        return RISK_POINTS.get(risk, 0), _("customer risk %(risk)s", risk=labels.get(risk))

    def _collection_score_silence(self, today):
        if not self.last_contact_date:
            return SILENCE_POINTS_MAX, _("never contacted")
        silent = (today - self.last_contact_date).days
        points = min(SILENCE_POINTS_MAX, max(silent, 0) / SILENT_DAYS_PER_POINT)
        return round(points, 1), _("no contact for %(days)s days", days=silent)

    def _collection_score_deadlines(self, today):
        parts = []
        if self.priority != "0":
            parts.append((PRIORITY_STAR_POINTS * int(self.priority), _("priority raised")))
        if self.limitation_date and (self.limitation_date - today).days <= LIMITATION_HORIZON_DAYS:
            parts.append(
                (
                    LIMITATION_POINTS,
                    _(
                        "limitation period ends on %(date)s",
                        date=fields.Date.to_string(self.limitation_date),
                    ),
                )
            )
        return parts
