"""The customer's collection page: /my/collections, for portal users of the customer and,
without a login, through the link of a reminder (``?access_token=``)."""

from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal

ACTIONS = ("acknowledge", "promise", "dispute", "message")


class CollectionCustomerPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "collection_count" in counters:
            partner = request.env.user.partner_id.commercial_partner_id
            moves = request.env["account.move"].sudo()
            values["collection_count"] = moves.search_count(
                [
                    *moves._collection_open_invoice_domain(),
                    ("commercial_partner_id", "=", partner.id),
                    ("invoice_date_due", "<", fields.Date.context_today(moves)),
                ]
            )
        return values

    def _collection_customer(self, access_token):
        """The commercial partner whose page this is, and the link used (if any); None
        for a visitor who is neither logged in nor holds a valid link."""
        if access_token:
            access = request.env["collection.portal.access"]._collection_find(access_token)
            if not access:
                return None, None
            partner = access.partner_id.sudo()
            if request.env.user._is_public():
                # the page speaks the customer's language
                request.update_context(lang=partner.lang or request.env.lang)
            return partner, access
        if request.env.user._is_public():
            return None, None
        return request.env.user.partner_id.commercial_partner_id.sudo(), None

    def _collection_refused(self, access_token):
        if access_token:
            return request.render(
                "collection_management.portal_collections_link_invalid", status=403
            )
        return request.redirect("/web/login?redirect=/my/collections")

    def _collection_render(self, partner, access_token, status=200, **extra):
        portal = request.env["collection.portal"]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "collections",
                "customer": partner,
                "pages": portal._collection_page(partner),
                "reasons": portal._collection_reasons(),
                "access_token": access_token or "",
                "logged_in": not request.env.user._is_public(),
                "invoice_url": lambda invoice: invoice.sudo().get_portal_url(),
                **extra,
            }
        )
        return request.render("collection_management.portal_collections", values, status=status)

    @http.route(
        "/my/collections", type="http", auth="public", methods=["GET"], sitemap=False, website=True
    )
    def collections(self, access_token=None, done=None, **_kw):
        partner, _access = self._collection_customer(access_token)
        if not partner:
            return self._collection_refused(access_token)
        return self._collection_render(partner, access_token, done=done in ACTIONS and done)

    @http.route(
        "/my/collections/statement/<int:company_id>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        website=True,
    )
    def collections_statement(self, company_id, access_token=None, **_kw):
        partner, _access = self._collection_customer(access_token)
        if not partner:
            return self._collection_refused(access_token)
        company = self._collection_company(partner, company_id)
        report = request.env["ir.actions.report"].sudo().with_company(company)
        content, kind = report.with_context(lang=partner.lang)._render_qweb_pdf(
            "collection_management.action_report_collection_statement", [partner.id]
        )
        name = report._get_report_from_name(
            "collection_management.report_collection_statement"
        )._collection_file_name(partner, partner.lang)
        return request.make_response(
            content,
            headers=[
                # (Odoo renders HTML instead of a PDF while it runs its tests)
                ("Content-Type", "application/pdf" if kind == "pdf" else "text/html"),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(name)),
            ],
        )

    @http.route(
        "/my/collections/<string:action>",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
        website=True,
    )
    def collections_act(self, action, access_token=None, **post):
        """One form of the page: acknowledge, promise, dispute or message."""
        if action not in ACTIONS:
            raise NotFound()
        partner, _access = self._collection_customer(access_token)
        if not partner:
            return self._collection_refused(access_token)
        portal = request.env["collection.portal"]
        company = self._collection_company(partner, post.get("company_id"))
        try:
            with request.env.cr.savepoint():
                self._collection_act(portal, partner, company, action, post)
        except AccessError:
            # a fault of ours, not the customer's: never shown as a form error
            raise
        except (UserError, ValidationError) as error:
            return self._collection_render(
                partner,
                access_token,
                status=400,
                error=error.args[0],
                error_company=company,
                error_action=action,
            )
        query = f"?access_token={access_token}&done={action}" if access_token else f"?done={action}"
        return request.redirect(f"/my/collections{query}#company-{company.id}", local=True)

    def _collection_act(self, portal, partner, company, action, post):
        """Hand the form's values, as typed, to the collection page's model."""
        form = request.httprequest.form
        if action == "acknowledge":
            remote = request.httprequest.remote_addr
            portal._collection_acknowledge(
                partner, company, post.get("name"), post.get("title"), remote
            )
        elif action == "promise":
            portal._collection_promise(
                partner, company, form.getlist("amount"), form.getlist("date")
            )
        elif action == "dispute":
            files = [
                (upload.filename or "file", upload.read(), upload.mimetype)
                for upload in request.httprequest.files.getlist("attachment")
            ]
            portal._collection_dispute(
                partner, post.get("invoice_id"), post.get("reason_id"), post.get("comment"), files
            )
        else:
            portal._collection_message(partner, company, post.get("body"))

    def _collection_company(self, partner, ident):
        """The company of the form: one where the customer has open documents."""
        companies = request.env["collection.portal"]._collection_companies(partner)
        try:
            company = companies.filtered(lambda c: c.id == int(ident))
        except (TypeError, ValueError):
            company = None
        if not company:
            raise NotFound()
        return company
