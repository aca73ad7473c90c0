from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    _inherit = "res.users"

    collection_absent = fields.Boolean(
        string="Absent from collections",
        help="Receives no new case while checked (holidays, sick leave).",
    )
    collection_absent_from = fields.Date(string="Absent from")
    collection_absent_to = fields.Date(string="Absent until")

    @api.constrains("collection_absent_from", "collection_absent_to")
    def _check_collection_absence(self):
        for user in self:
            if (
                user.collection_absent_from
                and user.collection_absent_to
                and user.collection_absent_to < user.collection_absent_from
            ):
                raise ValidationError(
                    _("The absence of %(user)s ends before it starts.", user=user.name)
                )

    def write(self, vals):
        leaving = self.filtered("active") if "active" in vals and not vals["active"] else None
        res = super().write(vals)
        if leaving:
            leaving._collection_release_cases()
        return res

    def unlink(self):
        self._collection_release_cases()
        return super().unlink()

    def _collection_release_cases(self):
        """These collectors leave (archived or deleted): their open cases go back to
        the assignment (the customer's own collector, then the rules) instead of being
        left to nobody. The cases no rule takes stay unassigned, which every collector
        sees, and the managers of their company are told."""
        cases = (
            self.env["collection.case"]
            .sudo()
            .search([("collector_id", "in", self.ids), ("is_closed", "=", False)])
        )
        if not cases:
            return
        previous = {case.id: case.collector_id.name for case in cases}
        cases = cases.with_context(collection_leaving_user_ids=self.ids)
        cases.write({"collector_id": False})
        cases._collection_assign()
        unassigned = cases.filtered(lambda c: not c.collector_id)
        unassigned._collection_move_to("new", only_from=("assigned",))
        bodies = {}
        for case in cases:
            if case.collector_id:
                bodies[case.id] = _(
                    "%(old)s no longer works in collections: the case was reassigned to "
                    "%(new)s by the assignment rules.",
                    old=previous[case.id],
                    new=case.collector_id.name,
                )
            else:
                bodies[case.id] = _(
                    "%(old)s no longer works in collections and no assignment rule takes "
                    "this case: it stays unassigned, open to every collector, until a "
                    "manager assigns it.",
                    old=previous[case.id],
                )
        cases._message_log_batch(bodies)
        self._collection_notify_unassigned(unassigned)

    def _collection_notify_unassigned(self, cases):
        """One notification per company to its collection managers: the cases of these
        leaving collectors that no rule took."""
        managers = self.env.ref("collection_management.group_collection_manager").sudo().users
        for company, company_cases in cases.grouped("company_id").items():
            recipients = managers.filtered(
                lambda u, c=company: u.active and not u.share and c in u.company_ids
            )
            recipients -= self
            if not recipients:
                continue
            links = Markup().join(
                Markup('<li><a href="/odoo/collection.case/%s">%s</a> — %s</li>')
                % (case.id, case.name, case.partner_id.display_name)
                for case in company_cases
            )
            intro = _(
                "%(users)s no longer work in collections. No assignment rule takes these "
                "open cases of %(company)s: they are unassigned, open to every collector, "
                "until you assign them.",
                users=", ".join(self.mapped("name")),
                company=company.name,
            )
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=recipients.partner_id.ids,
                subject=_("Collection cases left unassigned"),
                body=Markup("<p>%s</p><ul>%s</ul>") % (intro, links),
            )

    def _collection_is_absent(self, date):
        self.ensure_one()
        if self.collection_absent:
            return True
        start, end = self.collection_absent_from, self.collection_absent_to
        if start or end:
            return (not start or start <= date) and (not end or date <= end)
        return False

    @api.model
    def _collection_available(self, date):
        """Internal active users who are not absent on ``date``."""
        users = self.search(
            [
                ("share", "=", False),
                "|",
                "|",
                ("collection_absent", "=", True),
                ("collection_absent_from", "!=", False),
                ("collection_absent_to", "!=", False),
            ]
        )
        absent = users.filtered(lambda u: u._collection_is_absent(date))
        # collectors leaving right now (archived or deleted in this transaction)
        absent |= self.browse(self.env.context.get("collection_leaving_user_ids", []))
        return _AvailableUsers(absent)


class _AvailableUsers:
    """Membership test 'user in available' without loading every user."""

    def __init__(self, absent):
        self.absent = absent

    def __contains__(self, user):
        return bool(user) and user.active and not user.share and user not in self.absent
