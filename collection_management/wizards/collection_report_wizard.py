import base64
from collections import Counter, defaultdict

from dateutil.relativedelta import relativedelta
from xlsxwriter.utility import xl_rowcol_to_cell

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..report.collection_aging_report import BUCKETS
from ..report.collection_xlsx import CollectionWorkbook


class CollectionReportWizard(models.TransientModel):
    _name = "collection.report.wizard"
    _description = "Collection Excel Reports"

    report_type = fields.Selection(
        [
            ("aging", "Aged receivables"),
            ("collector", "Collector performance"),
            ("cases", "Case register"),
            ("overdue_list", "Weekly overdue list"),
        ],
        required=True,
        default="aging",
    )
    date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Aging as it was on this date (later payments ignored); end of the period "
        "of the collector report.",
    )
    date_from = fields.Date(
        string="From",
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Start of the period of the collector report.",
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    collector_ids = fields.Many2many(
        "res.users",
        string="Collectors",
        domain="[('share', '=', False)]",
        help="Leave empty for every collector.",
    )
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.constrains("date", "date_from", "report_type")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.date > today:
                raise ValidationError(
                    _(
                        "A report cannot be dated after today (%(today)s).",
                        today=fields.Date.to_string(today),
                    )
                )
            if wizard.report_type == "collector" and (
                not wizard.date_from or wizard.date_from > wizard.date
            ):
                raise ValidationError(
                    _("The period of the collector report must start before it ends.")
                )

    @api.constrains("company_ids", "collector_ids")
    def _check_companies(self):
        for wizard in self:
            if not wizard.company_ids:
                raise ValidationError(_("Choose at least one company to export."))
            foreign = wizard.company_ids - self.env.user.company_ids
            if foreign:
                raise ValidationError(
                    _(
                        "You do not work for %(companies)s: its collections cannot be exported.",
                        companies=", ".join(foreign.sudo().mapped("name")),
                    )
                )
            collectors = wizard.sudo().collector_ids
            if any(collectors.mapped("share")):
                raise ValidationError(_("Collectors are internal users."))
            strangers = collectors.filtered(lambda u, w=wizard: not u.company_ids & w.company_ids)
            if strangers:
                raise ValidationError(
                    _(
                        "%(collectors)s collect for none of the companies chosen.",
                        collectors=", ".join(strangers.mapped("name")),
                    )
                )

    # ------------------------------------------------------------------ action
    def action_export(self):
        self.ensure_one()
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager exports collection reports."))
        self._check_dates()
        self._check_companies()
        workbook = CollectionWorkbook()
        # the companies chosen are the ones exported, whatever the company switcher shows
        report = self.with_context(allowed_company_ids=self.company_ids.ids)
        getattr(report, f"_write_{self.report_type}")(workbook)
        labels = dict(self._fields["report_type"]._description_selection(self.env))
        self.write(
            {
                "file": base64.b64encode(workbook.close()),
                "filename": "%s %s.xlsx"
                % (labels[self.report_type], fields.Date.to_string(self.date)),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=file"
            "&filename_field=filename&download=true",
            "target": "self",
        }

    # ------------------------------------------------------------------ helpers
    def _collectors_of(self, companies):
        """Collector of each customer per company: the open case's, else the customer's."""
        cases = self.env["collection.case"].search_fetch(
            [("company_id", "in", companies.ids), ("is_closed", "=", False)],
            ["partner_id", "company_id", "collector_id", "stage_id"],
        )
        return {(case.partner_id.id, case.company_id.id): case for case in cases}

    @api.model
    def _own_collectors(self, company, partners):
        """The customers' own collectors in ``company``, read at once: the field is
        company-dependent, and customers without a case are most of a book."""
        return {partner.id: partner.collector_id for partner in partners.with_company(company)}

    def _highest_levels(self, partners, companies):
        """Highest follow-up level reached by the open invoices of each customer, per
        company: the level furthest after the due date, not the latest record."""
        groups = self.env["account.move"]._read_group(
            [
                ("commercial_partner_id", "in", partners.ids),
                ("company_id", "in", companies.ids),
                ("collection_level_id", "!=", False),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            ["commercial_partner_id", "company_id"],
            ["collection_level_id:recordset"],
        )
        return {
            (partner, company): levels.sorted(lambda level: (level.delay_days, level.id))[-1]
            for partner, company, levels in groups
        }

    def _keep_collector(self, user):
        return not self.collector_ids or user in self.collector_ids

    # ------------------------------------------------------------------ aging
    def _write_aging(self, workbook):
        companies = self.company_ids
        aging = self.env["collection.aging.report"]._collection_aging(companies, self.date)
        cases = self._collectors_of(companies)
        partners = (
            self.env["res.partner"]
            .browse({key[0] for key in aging})
            .with_context(active_test=False)
        )
        partners.fetch(["name", "ref", "collection_risk"])
        levels = self._highest_levels(partners, companies)
        risks = dict(
            self.env["res.partner"]._fields["collection_risk"]._description_selection(self.env)
        )
        columns = [
            (_("Company"), 22),
            (_("Reference"), 12),
            (_("Customer"), 36),
            (_("Collector"), 18),
            (_("Follow-up level"), 22),
            (_("Case stage"), 14),
            (_("Risk"), 10),
            *((label, 14) for _key, label in self._bucket_labels()),
            (_("Total"), 16),
        ]
        sheet = workbook.sheet(
            _("Aging"),
            _("Aged receivables as of %(date)s", date=fields.Date.to_string(self.date)),
            columns,
        )
        row = 3
        bucket_keys = [key for key, _label in BUCKETS]
        chart_rows = []
        for company in companies.sorted("name"):
            currency = company.currency_id
            money = workbook.money(currency)
            first = row
            totals = [0.0] * (len(bucket_keys) + 1)
            keys = sorted(
                (key for key in aging if key[1] == company.id),
                key=lambda key: -sum(aging[key].values()),
            )
            own_collectors = self._own_collectors(company, partners)
            for partner_id, company_id in keys:
                partner = partners.browse(partner_id)
                case = cases.get((partner_id, company_id))
                collector = case.collector_id if case else own_collectors[partner_id]
                if not self._keep_collector(collector):
                    continue
                level = levels.get((partner, company))
                buckets = aging[(partner_id, company_id)]
                amounts = [buckets[key] for key in bucket_keys]
                amounts.append(sum(amounts))
                workbook.write_row(
                    sheet,
                    row,
                    [
                        company.name,
                        partner.ref,
                        partner.name,
                        collector.name,
                        level.name if level else "",
                        case.stage_id.name if case else "",
                        risks.get(partner.collection_risk, ""),
                        *((amount, money) for amount in amounts),
                    ],
                )
                for index, amount in enumerate(amounts):
                    totals[index] += amount
                row += 1
            total_money = workbook.money(currency, total=True)
            sheet.write_string(
                row, 0, _("Total %(company)s", company=company.name), workbook.total_label
            )
            for index in range(len(bucket_keys) + 1):
                column = 7 + index
                cell_from = xl_rowcol_to_cell(first, column)
                cell_to = xl_rowcol_to_cell(row - 1, column)
                sheet.write_formula(
                    row,
                    column,
                    f"=SUM({cell_from}:{cell_to})" if row > first else "=0",
                    total_money,
                    value=currency.round(totals[index]),
                )
            chart_rows.append((company, row))
            row += 2
        sheet.autofilter(2, 0, max(row - 1, 3), len(columns) - 1)
        self._write_aging_chart(workbook, chart_rows, bucket_keys)

    def _bucket_labels(self):
        return [
            ("not_due", _("Not due")),
            ("1_30", _("1-30")),
            ("31_60", _("31-60")),
            ("61_90", _("61-90")),
            ("91_180", _("91-180")),
            ("181_365", _("181-365")),
            ("over_365", _("Over 365")),
        ]

    def _write_aging_chart(self, workbook, chart_rows, bucket_keys):
        chart_name = _("Chart")
        sheet = workbook.book.add_worksheet(chart_name)
        sheet.write_string(0, 0, _("Aged receivables by bucket"), workbook.title)
        sheet.set_column(0, 0, 30)
        sheet.write_string(2, 0, _("Company"), workbook.header)
        if not chart_rows:
            return  # xlsxwriter cannot save a chart without series: no chart then
        chart = workbook.book.add_chart({"type": "column"})
        aging_name = _("Aging")
        for index, (company, total_row) in enumerate(chart_rows):
            # the series is named by a cell: a name given as text that looks like a
            # reference (``Sheet!A1``) would be read as a formula by xlsxwriter
            sheet.write_string(3 + index, 0, company.name)
            chart.add_series(
                {
                    "name": [chart_name, 3 + index, 0],
                    "categories": [aging_name, 2, 7, 2, 6 + len(bucket_keys)],
                    "values": [aging_name, total_row, 7, total_row, 6 + len(bucket_keys)],
                }
            )
        chart.set_title({"name": _("Overdue by bucket")})
        chart.set_x_axis({"name": _("Days overdue")})
        chart.set_size({"width": 900, "height": 420})
        sheet.insert_chart(2, 2, chart)

    # ------------------------------------------------------------------ collector
    def _write_collector(self, workbook):
        date_from, date_to = self.date_from, self.date
        cases = (
            self.env["collection.case"]
            .with_context(active_test=False)
            .search([("company_id", "in", self.company_ids.ids), ("collector_id", "!=", False)])
        )
        promises = self.env["collection.promise"].search(
            [("company_id", "in", self.company_ids.ids), ("case_id.collector_id", "!=", False)]
        )
        interactions = self.env["collection.interaction"].search(
            [
                ("company_id", "in", self.company_ids.ids),
                ("date", ">=", fields.Datetime.to_datetime(date_from)),
                ("date", "<", fields.Datetime.to_datetime(date_to + relativedelta(days=1))),
            ]
        )
        channels = dict(
            self.env["collection.interaction"]._fields["channel"]._description_selection(self.env)
        )
        snapshot = self.env["collection.snapshot"]
        columns = [
            (_("Company"), 22),
            (_("Collector"), 20),
            (_("Open cases"), 10),
            (_("Closed in period"), 10),
            (_("Assigned"), 16),
            (_("Recovered in period"), 16),
            (_("Recovery rate (%)"), 10),
            (_("Promises made"), 10),
            (_("Kept"), 8),
            (_("Broken"), 8),
            *((label, 9) for label in channels.values()),
            (_("Avg. days to recover"), 10),
            (_("Target"), 16),
            (_("Achievement (%)"), 10),
        ]
        sheet = workbook.sheet(
            _("Collectors"),
            _(
                "Collector performance from %(start)s to %(end)s",
                start=fields.Date.to_string(date_from),
                end=fields.Date.to_string(date_to),
            ),
            columns,
        )
        row = 3
        for company in self.company_ids.sorted("name"):
            money = workbook.money(company.currency_id)
            recovered = snapshot._collection_recovered(company, date_from, date_to)
            targets = defaultdict(float)
            for target in self.env["collection.target"].search(
                [
                    ("company_id", "=", company.id),
                    ("month", ">=", date_from.replace(day=1)),
                    ("month", "<=", date_to),
                ]
            ):
                targets[target.collector_id] += target.amount
            company_cases = cases.filtered(lambda c, company=company: c.company_id == company)
            for collector in company_cases.collector_id.sorted("name"):
                if not self._keep_collector(collector):
                    continue
                mine = company_cases.filtered(lambda c, u=collector: c.collector_id == u)
                closed = mine.filtered(
                    lambda c: (
                        c.is_closed and c.date_closed and date_from <= c.date_closed <= date_to
                    )
                )
                paid = closed.filtered(lambda c: c.close_reason == "paid")
                made = promises.filtered(
                    lambda p, u=collector, company=company: (
                        p.case_id.collector_id == u
                        and p.company_id == company
                        and date_from <= p.date <= date_to
                    )
                )
                states = Counter(made.mapped("state"))
                contacts = Counter(
                    interactions.filtered(
                        lambda i, u=collector, company=company: (
                            i.user_id == u and i.company_id == company
                        )
                    ).mapped("channel")
                )
                assigned = sum(mine.mapped("amount_assigned"))
                amount = recovered.get(collector.id, 0.0)
                target = targets.get(collector, 0.0)
                values = [
                    company.name,
                    collector.name,
                    len(mine.filtered(lambda c: not c.is_closed)),
                    len(closed),
                    (assigned, money),
                    (amount, money),
                    (round(100.0 * amount / assigned, 1) if assigned else 0.0, workbook.percent),
                    len(made),
                    states.get("kept", 0),
                    states.get("broken", 0) + states.get("partial", 0),
                    *(contacts.get(key, 0) for key in channels),
                    (
                        round(sum((c.date_closed - c.date_open).days for c in paid) / len(paid), 1)
                        if paid
                        else "",
                        workbook.percent,
                    ),
                    (target, money) if target else "",
                    (round(100.0 * amount / target, 1), workbook.percent) if target else "",
                ]
                workbook.write_row(sheet, row, values)
                row += 1
        sheet.autofilter(2, 0, max(row - 1, 3), len(columns) - 1)

    # ------------------------------------------------------------------ cases
    def _write_cases(self, workbook):
        domain = [("company_id", "in", self.company_ids.ids)]
        if self.collector_ids:
            domain.append(("collector_id", "in", self.collector_ids.ids))
        cases = (
            self.env["collection.case"]
            .with_context(active_test=False)
            .search(domain, order="company_id, date_open, id")
        )
        columns = [
            (_("Reference"), 18),
            (_("Company"), 22),
            (_("Customer"), 34),
            (_("Collector"), 18),
            (_("Stage"), 14),
            (_("Opened on"), 12),
            (_("Days overdue"), 10),
            (_("Assigned"), 16),
            (_("Due"), 16),
            (_("Recovered"), 16),
            (_("Legal stage"), 16),
            (_("Legal officer"), 18),
            (_("Lawyer or law firm"), 22),
            (_("Court"), 22),
            (_("Docket number"), 22),
            (_("Claim amount"), 16),
            (_("Legal costs"), 16),
            (_("Recovered net of costs"), 16),
            (_("Limitation deadline"), 12),
            (_("Close reason"), 14),
        ]
        sheet = workbook.sheet(
            _("Cases"),
            _("Case register as of %(date)s", date=fields.Date.to_string(self.date)),
            columns,
        )
        reasons = dict(
            self.env["collection.case"]._fields["close_reason"]._description_selection(self.env)
        )
        row = 3
        for case in cases:
            money = workbook.money(case.currency_id)
            workbook.write_row(
                sheet,
                row,
                [
                    case.name,
                    case.company_id.name,
                    case.partner_id.name,
                    case.collector_id.name or "",
                    case.stage_id.name or "",
                    (case.date_open, workbook.date),
                    case.days_overdue,
                    (case.amount_assigned, money),
                    (case.amount_due, money),
                    (case.amount_recovered, money),
                    case.legal_stage_id.name or "",
                    case.legal_user_id.name or "",
                    case.legal_lawyer_id.name or "",
                    case.legal_court_id.name or "",
                    case.legal_docket or "",
                    (case.legal_claim_amount, money),
                    (case.legal_cost_total, money),
                    (case.amount_recovered_net, money),
                    (case.limitation_date or "", workbook.date),
                    reasons.get(case.close_reason, ""),
                ],
            )
            row += 1
        sheet.autofilter(2, 0, max(row - 1, 3), len(columns) - 1)

    # ------------------------------------------------------------------ overdue list
    def _write_overdue_list(self, workbook):
        date = self.date
        columns = [
            (_("Company"), 22),
            (_("Customer"), 36),
            (_("Overdue amount"), 16),
            (_("Days overdue"), 10),
            (_("Last action"), 30),
            (_("Next step"), 30),
            (_("Promised for"), 12),
            (_("Collector"), 18),
        ]
        sheet = workbook.sheet(
            _("Overdue"),
            _("Overdue customers as of %(date)s", date=fields.Date.to_string(date)),
            columns,
        )
        row = 3
        for company in self.company_ids.sorted("name"):
            money = workbook.money(company.currency_id)
            overdue = self.env["collection.case"]._collection_thresholds(company, date)
            cases = self._collectors_of(company)
            partners = self.env["res.partner"].browse(p.id for p in overdue)
            own_collectors = self._own_collectors(company, partners)
            last_contacts = {
                partner: (last_date, channel)
                for partner, last_date, channel in self._last_contacts(company, partners)
            }
            last_followups = dict(
                self.env["collection.followup"]._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("partner_id", "in", partners.ids),
                        ("state", "=", "done"),
                    ],
                    ["partner_id"],
                    ["date:max"],
                )
            )
            promised = dict(
                self.env["collection.promise"]._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("partner_id", "in", partners.ids),
                        ("state", "=", "open"),
                    ],
                    ["partner_id"],
                    ["date_promised:min"],
                )
            )
            channels = dict(
                self.env["collection.interaction"]
                ._fields["channel"]
                ._description_selection(self.env)
            )
            for partner, (amount, oldest) in sorted(overdue.items(), key=lambda item: -item[1][0]):
                case = cases.get((partner.id, company.id))
                collector = case.collector_id if case else own_collectors[partner.id]
                if not self._keep_collector(collector):
                    continue
                last = []
                if partner in last_contacts:
                    contact_date, channel = last_contacts[partner]
                    last.append(
                        f"{fields.Date.to_string(contact_date)} {channels.get(channel, '')}"
                    )
                if partner in last_followups:
                    last.append(
                        _(
                            "%(date)s reminder",
                            date=fields.Date.to_string(last_followups[partner]),
                        )
                    )
                next_step = ""
                if case and case.next_action_date:
                    summary = case.activity_ids[:1].summary or case.stage_id.name
                    next_step = f"{fields.Date.to_string(case.next_action_date)} {summary or ''}"
                workbook.write_row(
                    sheet,
                    row,
                    [
                        company.name,
                        partner.name,
                        (amount, money),
                        (date - oldest).days,
                        " / ".join(last),
                        next_step.strip(),
                        (promised.get(partner) or "", workbook.date),
                        collector.name or "",
                    ],
                )
                row += 1
        sheet.autofilter(2, 0, max(row - 1, 3), len(columns) - 1)

    def _last_contacts(self, company, partners):
        groups = self.env["collection.interaction"]._read_group(
            [("company_id", "=", company.id), ("partner_id", "in", partners.ids)],
            ["partner_id"],
            ["date:max"],
        )
        if not groups:
            return []
        latest = self.env["collection.interaction"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("date", "in", [last for _partner, last in groups]),
            ],
            ["partner_id", "date", "channel"],
        )
        return [(i.partner_id, i.date.date(), i.channel) for i in latest]
