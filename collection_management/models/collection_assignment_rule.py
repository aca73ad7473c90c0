from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval


class CollectionAssignmentRule(models.Model):
    _name = "collection.assignment.rule"
    _inherit = ["mail.thread", "collection.values.mixin"]
    _collection_bounds = {"min_days": (0, 3650)}
    _collection_named = True
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

    @api.constrains("domain", "company_id")
    def _check_domain(self):
        for rule in self:
            try:
                rule._collection_filter_partners()
            except Exception as error:
                raise ValidationError(
                    _("The customer filter of rule %(rule)s is not valid.", rule=rule.name)
                ) from error

    def _collection_filter_partners(self, partners=None):
        """The customers among ``partners`` (any customer when None: one is enough to
        check the filter) that the rule's filter takes.

        Evaluated as the daily job applies it, whoever saves the rule or presses a
        button: as OdooBot, in the rule's company, without the caller's context, so
        that a filter accepted on save is the filter the job runs."""
        self.ensure_one()
        job_env = (
            self.with_env(self.env(user=SUPERUSER_ID, context={})).with_company(self.company_id).env
        )
        domain = list(safe_eval(self.domain or "[]", {"uid": job_env.uid}))
        if partners is None:
            return job_env["res.partner"].search(domain, limit=1)
        return job_env["res.partner"].search([("id", "in", partners.ids), *domain])

    @api.model
    def _collection_apply(self, cases, date):
        """Assign ``cases`` (without collector) by the rules of their companies, in rule
        order; cases no rule takes stay unassigned.

        A rule that fails (a filter naming a field removed since) is skipped and
        reported on its chatter: its cases go to the next rules."""
        available = self.env["res.users"]._collection_available(date)
        rules = self.search([("company_id", "in", cases.company_id.ids)])
        todo = [cases]

        def apply(rule):
            if todo[0]:
                todo[0] -= rule._collection_take(todo[0], available)

        self.env["collection.job"]._collection_isolated(_("Case assignment"), rules, apply)
        return cases - todo[0]

    def _collection_take(self, cases, available):
        """Assign the ``cases`` this rule takes to its available collectors; returns
        the cases assigned."""
        self.ensure_one()
        takes = self._collection_matching(cases)
        if not takes:
            return takes
        users = self.user_ids.filtered(
            lambda u: u in available and self.company_id in u.company_ids
        )
        if not users:
            return takes.browse()
        if self.method == "round_robin":
            self._collection_round_robin(takes, users)
        else:
            self._collection_least_loaded(takes, users)
        return takes

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
        matching = self._collection_filter_partners(cases.partner_id)
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
