"""One-click acknowledgement of a weekly report, from the link of its email."""

from odoo import fields, http
from odoo.http import request


class CollectionWeeklyReportController(http.Controller):
    @http.route(
        "/collection/weekly-report/<int:report_id>/acknowledge",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        sitemap=False,
        website=True,
    )
    def collection_weekly_report_acknowledge(self, report_id, token=None, **kwargs):
        """The recipient whose token this is acknowledges (any visitor holding it: the
        link of their email); without a token, the logged-in recipient, who confirms
        with a button (a form with its CSRF token: no other page can acknowledge in
        their name). Acknowledging again changes nothing."""
        acknowledgements = request.env["collection.weekly.report.acknowledgement"]
        acknowledgement = acknowledgements._collection_find(report_id, token, request.env.user)
        if not acknowledgement:
            return request.render(
                "collection_management.collection_weekly_report_refused", status=403
            )
        acknowledgement = acknowledgement.sudo()
        confirm = not token and request.httprequest.method != "POST"
        if not confirm:
            acknowledgement._collection_acknowledge()
        user = acknowledgement.user_id
        if user.lang:
            request.update_context(lang=user.lang)
        report = acknowledgement.report_id.with_context(lang=user.lang or request.env.lang)
        values = {
            "report": report,
            "week_start": fields.Date.to_string(report.week_start),
            "week_end": fields.Date.to_string(report.week_end),
            "confirm": confirm,
            "acknowledged_on": acknowledgement.acknowledged_date
            and fields.Datetime.context_timestamp(
                user.with_context(tz=user.tz or "UTC"), acknowledgement.acknowledged_date
            ).strftime("%Y-%m-%d %H:%M"),
        }
        return request.render("collection_management.collection_weekly_report_acknowledged", values)
