import base64
import hmac
import io
import secrets
from datetime import timedelta

import qrcode

from odoo import _, api, fields, models


class CollectionPortalAccess(models.Model):
    """A link that lets a customer open their collection page without a login: a random
    token of one customer (commercial partner), sent in reminders, that expires after
    the days set on the company that issued it and that a manager can revoke."""

    _name = "collection.portal.access"
    _description = "Customer Link to the Collection Page"
    _order = "create_date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", string="Issued by", required=True, ondelete="cascade"
    )
    token = fields.Char(required=True, copy=False, groups="base.group_system")
    date_expire = fields.Datetime(string="Valid until", required=True)
    last_used = fields.Datetime(readonly=True)
    active = fields.Boolean(default=True, help="A revoked link is archived: it opens nothing.")

    _sql_constraints = [
        ("token_unique", "UNIQUE(token)", "A customer link token is unique."),
    ]

    @api.model
    def _collection_issue(self, partner, company):
        """A valid link of ``partner``'s commercial partner: the newest one while it has
        at least half of its validity left (reminders of one run share it), else a new
        one valid for the company's days."""
        partner = partner.commercial_partner_id
        days = company.collection_portal_token_days or 30
        now = fields.Datetime.now()
        access = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("date_expire", ">", now + timedelta(days=days / 2)),
            ],
            limit=1,
        )
        if access:
            return access
        return self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "token": secrets.token_urlsafe(32),
                "date_expire": now + timedelta(days=days),
            }
        )

    @api.model
    def _collection_issue_many(self, partners, company):
        """{(commercial partner id, company id): link id} of ``partners``, as
        ``_collection_issue`` gives them one by one, in one search and one create."""
        partners = partners.commercial_partner_id
        days = company.collection_portal_token_days or 30
        now = fields.Datetime.now()
        found = {}
        for access in self.sudo().search(
            [
                ("partner_id", "in", partners.ids),
                ("date_expire", ">", now + timedelta(days=days / 2)),
            ]
        ):
            found.setdefault(access.partner_id.id, access.id)
        missing = partners.filtered(lambda p: p.id not in found)
        created = self.sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "token": secrets.token_urlsafe(32),
                    "date_expire": now + timedelta(days=days),
                }
                for partner in missing
            ]
        )
        found.update(zip(missing.ids, created.ids, strict=True))
        return {(partner_id, company.id): access_id for partner_id, access_id in found.items()}

    @api.model
    def _collection_find(self, token):
        """The valid (not revoked, not expired) link of ``token``, else an empty record."""
        if not isinstance(token, str) or not 20 <= len(token) <= 128:
            return self.browse()
        access = self.sudo().search(
            [("token", "=", token), ("date_expire", ">", fields.Datetime.now())], limit=1
        )
        if not access or not hmac.compare_digest(access.token, token):
            return self.browse()
        access.last_used = fields.Datetime.now()
        return access

    def _collection_url(self):
        """The full address of the collection page through this link."""
        self.ensure_one()
        base = self.company_id.get_base_url()
        return f"{base}/my/collections?access_token={self.sudo().token}"

    @api.model
    def _collection_statement_qr(self, partner, company):
        """For a printed statement: the link of the customer's collection page and its
        QR code as a data URI (the PDF needs no request to the server to show it)."""
        access = self._collection_issue(partner, company)
        url = access._collection_url()
        # qrcode (an Odoo requirement) draws it with Pillow: no reportlab renderer needed
        image = qrcode.make(url, box_size=6, border=2)
        png = io.BytesIO()
        image.save(png, format="PNG")
        return url, "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()

    def action_revoke(self):
        for access in self:
            access.partner_id.message_post(
                body=_(
                    "Link to the collection page valid until %(date)s revoked by %(user)s.",
                    date=fields.Datetime.to_string(access.date_expire),
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        self.action_archive()
        return True
