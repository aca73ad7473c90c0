from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval


class CollectionAssignmentRule(models.Model):
    _name = "collection.assignment.rule"
    _description = "Case Assignment Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    domain = fields.Char(
        string="Customers",
        default="[]",
        help="Which customers this rule takes (country, risk, tags, ...).",
    )
    min_amount = fields.Monetary(
        string="Minimum amount due", help="Cases owing at least this amount."
    )
    min_days = fields.Integer(
        string="Minimum days overdue", help="Cases at least this many days overdue."
    )
    user_ids = fields.Many2many(
        "res.users",
        "collection_assignment_rule_user_rel",
        "rule_id",
        "user_id",
        string="Collectors",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    method = fields.Selection(
        [("round_robin", "Round robin"), ("least_loaded", "Least loaded")],
        required=True,
        default="round_robin",
    )
    load_measure = fields.Selection(
        [("amount", "Open amount"), ("count", "Open cases")],
        string="Load measured by",
        default="amount",
        required=True,
        help="For the least loaded method: what the collectors' open cases weigh.",
    )
    last_user_id = fields.Many2one(
        "res.users", string="Last assigned", readonly=True, help="Where round robin resumes."
    )

    @api.constrains("user_ids", "active")
    def _check_users(self):
        for rule in self:
            if rule.active and not rule.user_ids:
                raise ValidationError(
                    _("Assignment rule %(rule)s has no collector.", rule=rule.name)
                )

    @api.constrains("min_amount", "min_days")
    def _check_thresholds(self):
        for rule in self:
            if rule.min_amount < 0 or rule.min_days < 0:
                raise ValidationError(
                    _(
                        "The minimum amount and days of rule %(rule)s cannot be negative.",
                        rule=rule.name,
                    )
                )

    @api.constrains("domain")
    def _check_domain(self):
        for rule in self:
            try:
                self.env["res.partner"].search_count(rule._domain_list(), limit=1)
            except Exception as error:
                raise ValidationError(
                    _("The customer filter of rule %(rule)s is not valid.", rule=rule.name)
                ) from error

    def _domain_list(self):
        self.ensure_one()
        return safe_eval(self.domain or "[]", {"uid": self.env.uid})

    @api.model
    def _collection_apply(self, cases, date):
        """Assign ``cases`` (without collector) by the rules of their companies, in rule
        order; cases no rule takes stay unassigned."""
        available = self.env["res.users"]._collection_available(date)
        rules = self.search([("company_id", "in", cases.company_id.ids)])
        todo = cases
        for rule in rules:
            takes = rule._collection_matching(todo)
            if not takes:
                continue
            users = rule.user_ids.filtered(lambda u, rule=rule: u in available)
            users = users.filtered(lambda u, rule=rule: rule.company_id in u.company_ids)
            if not users:
                continue
            if rule.method == "round_robin":
                rule._collection_round_robin(takes, users)
            else:
                rule._collection_least_loaded(takes, users)
            todo -= takes
            if not todo:
                break
        return cases - todo

    def _collection_matching(self, cases):
        self.ensure_one()
        cases = cases.filtered(
            lambda c: (
                c.company_id == self.company_id
                and c.currency_id.compare_amounts(c.amount_due, self.min_amount) >= 0
                and c.days_overdue >= self.min_days
            )
        )
        if not cases or not self.domain or self.domain.strip() in ("", "[]"):
            return cases
        matching = self.env["res.partner"].search(
            [("id", "in", cases.partner_id.ids), *self._domain_list()]
        )
        return cases.filtered(lambda c: c.partner_id in matching)

    def _collection_round_robin(self, cases, users):
        self.ensure_one()
        ordered = users.sorted("id")
        start = 0
        if self.last_user_id in ordered:
            start = list(ordered).index(self.last_user_id) + 1
        per_user = {}
        for index, case in enumerate(cases.sorted("id")):
            user = ordered[(start + index) % len(ordered)]
            per_user.setdefault(user, self.env["collection.case"])
            per_user[user] |= case
        for user, user_cases in per_user.items():
            user_cases.collector_id = user
        self.last_user_id = ordered[(start + len(cases) - 1) % len(ordered)]

    def _collection_least_loaded(self, cases, users):
        """Biggest cases first, each to the collector with the lightest load so far."""
        self.ensure_one()
        aggregate = "amount_due:sum" if self.load_measure == "amount" else "__count"
        load = dict.fromkeys(users, 0.0)
        for user, value in self.env["collection.case"]._read_group(
            [
                ("collector_id", "in", users.ids),
                ("company_id", "=", self.company_id.id),
                ("is_closed", "=", False),
            ],
            ["collector_id"],
            [aggregate],
        ):
            load[user] = value or 0.0
        per_user = {}
        for case in cases.sorted(lambda c: (-c.amount_due, c.id)):
            user = min(users, key=lambda u: (load[u], u.id))
            load[user] += case.amount_due if self.load_measure == "amount" else 1
            per_user.setdefault(user, self.env["collection.case"])
            per_user[user] |= case
        for user, user_cases in per_user.items():
            user_cases.collector_id = user
