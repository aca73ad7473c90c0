"""Classification of the debtor (还款意愿 / 还款能力) and the cause of the overdue.

The office's procedure sorts debtors into four classes by their willingness and their
ability to pay, and works each class its own way; the case shows the approach of its
class. The class and the cause also weigh in the worklist score, because they say how
soon waiting costs money:

- unwilling but able: 15 points. The money is there; only pressure brings it in.
- unwilling and unable: 10 points. Assets must be secured before they disappear.
  Known unwilling, ability not yet known: 10 as well.
- willing but unable: 5 points. An instalment plan must be agreed while the customer
  still cooperates. Known unable, willingness not yet known: 5 as well.
- willing and able: 0. A reminder and an agreed date are enough.
- cause fraud or bankruptcy: 15 (evidence, assets and the claim's filing deadline);
  unreachable: 5 (the lost-contact flag adds its own points); cash flow or missing
  documents: 5 (quickly settled with an instalment or the documents); disputes and
  other causes: 0 (disputed invoices already count in the score).
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

WILLINGNESS = [("willing", "Willing to pay"), ("unwilling", "Unwilling to pay")]
ABILITY = [("able", "Able to pay"), ("unable", "Unable to pay")]
DEBTOR_CLASSES = [
    ("willing_able", "Willing and able to pay"),
    ("willing_unable", "Willing but unable to pay"),
    ("unwilling_able", "Unwilling but able to pay"),
    ("unwilling_unable", "Unwilling and unable to pay"),
]
OVERDUE_CAUSES = [
    ("cash_flow", "Cash-flow difficulties"),
    ("quality_dispute", "Quality dispute"),
    ("delivery_dispute", "Delivery dispute"),
    ("documents_missing", "Documents missing"),
    ("fraud", "Fraud"),
    ("unreachable", "Customer unreachable"),
    ("bankruptcy", "Bankruptcy or insolvency"),
    ("other", "Other"),
]

# points of (willingness, ability); False where not yet known
CLASS_POINTS = {
    ("unwilling", "able"): 15,
    ("unwilling", "unable"): 10,
    ("unwilling", False): 10,
    ("willing", "unable"): 5,
    (False, "unable"): 5,
}
CAUSE_POINTS = {
    "fraud": 15,
    "bankruptcy": 15,
    "unreachable": 5,
    "cash_flow": 5,
    "documents_missing": 5,
}
CLASSIFICATION_FIELDS = ("willingness", "ability", "overdue_cause")

APPROACHES = {
    "willing_able": _lt(
        "Remind the customer and agree a payment date; confirm it in writing and check "
        "the payment on that day."
    ),
    "willing_unable": _lt(
        "Propose an instalment plan or a partial payment now, and ask for a guarantee or "
        "collateral; review the customer's cash position at each instalment."
    ),
    "unwilling_able": _lt(
        "Apply firm pressure: send the demand letter, put the customer on credit hold and "
        "propose legal action; record every refusal."
    ),
    "unwilling_unable": _lt(
        "Secure the customer's assets first (asset preservation), propose legal action and "
        "assess a write-off with the manager."
    ),
}
NOT_CLASSIFIED = _lt(
    "Classify the debtor's willingness and ability to pay to get the approach of its class."
)
CAUSE_HINTS = {
    "quality_dispute": _lt("Settle the quality dispute with sales before pressing for payment."),
    "delivery_dispute": _lt("Settle the delivery dispute with sales before pressing for payment."),
    "documents_missing": _lt(
        "Send the missing documents (invoice, delivery note, contract) first."
    ),
    "fraud": _lt("Keep the evidence and involve the legal officer at once."),
    "bankruptcy": _lt("File the claim with the administrator before the deadline."),
    "unreachable": _lt("Trace the customer: business registry, sales person, court records."),
}


class CollectionCase(models.Model):
    _inherit = "collection.case"

    willingness = fields.Selection(
        WILLINGNESS,
        string="Willingness to pay",
        tracking=True,
        help="Does the customer mean to pay? (还款意愿)",
    )
    ability = fields.Selection(
        ABILITY,
        string="Ability to pay",
        tracking=True,
        help="Can the customer pay? (还款能力)",
    )
    debtor_class = fields.Selection(
        DEBTOR_CLASSES,
        compute="_compute_debtor_class",
        store=True,
        index=True,
        help="The class of the office's procedure, from the willingness and the ability "
        "to pay; it decides the suggested approach.",
    )
    overdue_cause = fields.Selection(OVERDUE_CAUSES, tracking=True)
    suggested_approach = fields.Text(
        compute="_compute_suggested_approach",
        help="How the office works a debtor of this class, and what the cause asks first.",
    )

    @api.depends("willingness", "ability")
    def _compute_debtor_class(self):
        for case in self:
            both = case.willingness and case.ability
            case.debtor_class = both and f"{case.willingness}_{case.ability}"

    @api.depends("debtor_class", "overdue_cause")
    @api.depends_context("lang")
    def _compute_suggested_approach(self):
        for case in self:
            lines = [case.env._(APPROACHES.get(case.debtor_class, NOT_CLASSIFIED))]
            if case.overdue_cause in CAUSE_HINTS:
                lines.append(case.env._(CAUSE_HINTS[case.overdue_cause]))
            case.suggested_approach = "\n".join(lines)

    # the score (collection_case_score.py) of a case and its reasons follow its class
    @api.depends(*CLASSIFICATION_FIELDS)
    def _compute_priority_score(self):
        return super()._compute_priority_score()

    @api.depends(*CLASSIFICATION_FIELDS)
    @api.depends_context("lang")
    def _compute_priority_reasons(self):
        return super()._compute_priority_reasons()

    @api.model_create_multi
    def create(self, vals_list):
        self.browse()._collection_check_classification(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._collection_check_classification([vals])
        return super().write(vals)

    def _collection_check_classification(self, vals_list):
        """A value outside a selection (from an RPC call) is refused with a clear message
        rather than the ORM's technical error."""
        for vals in vals_list:
            for name in CLASSIFICATION_FIELDS:
                value = vals.get(name)
                field = self._fields[name]
                if value in (None, False) or value in field.get_values(self.env):
                    continue
                raise ValidationError(
                    self.env._(
                        "%(field)s: %(value)s is not one of the choices.",
                        field=field._description_string(self.env),
                        value=repr(value)[:40],
                    )
                )

    def _collection_score_parts(self, today):
        return [*super()._collection_score_parts(today), *self._collection_score_class()]

    def _collection_score_class(self):
        parts = []
        points = CLASS_POINTS.get((self.willingness or False, self.ability or False), 0)
        if points:
            parts.append((points, self._collection_class_reason()))
        if CAUSE_POINTS.get(self.overdue_cause):
            causes = dict(self._fields["overdue_cause"]._description_selection(self.env))
            parts.append(
                (
                    CAUSE_POINTS[self.overdue_cause],
                    self.env._(
                        "overdue cause: %(cause)s", cause=causes.get(self.overdue_cause, "")
                    ),
                )
            )
        return parts

    def _collection_class_reason(self):
        if self.debtor_class:
            field, value = self._fields["debtor_class"], self.debtor_class
        elif self.willingness:
            field, value = self._fields["willingness"], self.willingness
        else:
            field, value = self._fields["ability"], self.ability
        label = dict(field._description_selection(self.env)).get(value, "")
        return self.env._("debtor %(label)s", label=label.lower())
