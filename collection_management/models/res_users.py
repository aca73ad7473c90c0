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
        return _AvailableUsers(absent)


class _AvailableUsers:
    """Membership test 'user in available' without loading every user."""

    def __init__(self, absent):
        self.absent = absent

    def __contains__(self, user):
        return bool(user) and user.active and not user.share and user not in self.absent
