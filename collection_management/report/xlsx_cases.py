"""Case register: every case with its amounts, legal action, costs and limitation."""

from collections import Counter

from odoo import _, fields
from odoo.tools import LazyTranslate

from .collection_xlsx import DATE, MONEY, NUMBER, Chart, Column, XlsxReport

_lt = LazyTranslate(__name__)

COLUMNS = (
    Column(_lt("Reference"), 18),
    Column(_lt("Company"), 22),
    Column(_lt("Customer"), 34),
    Column(_lt("Collector"), 18),
    Column(_lt("Stage"), 14),
    Column(_lt("Opened on"), 12, DATE),
    Column(_lt("Days overdue"), 10, NUMBER),
    Column(_lt("Assigned"), 16, MONEY, total=True),
    Column(_lt("Due"), 16, MONEY, total=True),
    Column(_lt("Recovered"), 16, MONEY, total=True),
    Column(_lt("Legal stage"), 16),
    Column(_lt("Legal officer"), 18),
    Column(_lt("Lawyer or law firm"), 22),
    Column(_lt("Court"), 22),
    Column(_lt("Docket number"), 22),
    Column(_lt("Claim amount"), 16, MONEY, total=True),
    Column(_lt("Legal costs"), 16, MONEY, total=True),
    Column(_lt("Costs billed"), 16, MONEY, total=True),
    Column(_lt("Costs recharged"), 16, MONEY, total=True),
    Column(_lt("Costs recovered"), 16, MONEY, total=True),
    Column(_lt("Recovered net of costs"), 16, MONEY, total=True),
    Column(_lt("Limitation deadline"), 12, DATE),
    Column(_lt("Close reason"), 14),
    Column(_lt("Debtor class"), 22),
    Column(_lt("Overdue cause"), 20),
    Column(_lt("Lost contact since"), 12, DATE),
)


class CaseRegisterReport(XlsxReport):
    sheet_name = _lt("Cases")
    columns = COLUMNS

    def _title(self):
        return _("Case register as of %(date)s", date=fields.Date.to_string(self.options.date))

    def _rows(self):
        """Cases of the companies (of the collectors chosen), open and closed, by
        company and opening date."""
        domain = [("company_id", "in", self.options.companies.ids)]
        if self.options.collectors:
            domain.append(("collector_id", "in", self.options.collectors.ids))
        cases = (
            self.env["collection.case"]
            .with_context(active_test=False)
            .search(domain, order="company_id, date_open, id")
        )
        reasons = self._selection("collection.case", "close_reason")
        classes = self._selection("collection.case", "debtor_class")
        causes = self._selection("collection.case", "overdue_cause")
        for case in cases:
            values = [
                case.name,
                case.company_id.name,
                case.partner_id.name,
                case.collector_id.name,
                case.stage_id.name,
                case.date_open,
                case.days_overdue,
                case.amount_assigned,
                case.amount_due,
                case.amount_recovered,
                case.legal_stage_id.name,
                case.legal_user_id.name,
                case.legal_lawyer_id.name,
                case.legal_court_id.name,
                case.legal_docket,
                case.legal_claim_amount,
                case.legal_cost_total,
                case.legal_cost_billed,
                case.legal_cost_recharged,
                case.legal_cost_recovered,
                case.amount_recovered_net,
                case.limitation_date,
                reasons.get(case.close_reason, ""),
                classes.get(case.debtor_class, ""),
                causes.get(case.overdue_cause, ""),
                case.lost_contact_date if case.lost_contact else None,
            ]
            yield values, case.company_id

    def _chart(self, rows):
        """Open and closed cases by stage, stages in their order."""
        counts = Counter(values[4] for values, _company in rows)
        stages = self.env["collection.stage"].with_context(active_test=False).search([])
        names = [name for name in dict.fromkeys(stages.mapped("name")) if name in counts]
        names += [name for name in counts if name not in names]
        return Chart(
            title=_("Cases by stage"),
            category_label=_("Stage"),
            series_labels=[_("Cases")],
            points=[(name or "", [counts[name]]) for name in names],
        )
