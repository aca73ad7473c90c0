from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models

# The daily jobs that run per company, so that the cron workers of a server run the
# companies side by side (Odoo locks a job's row while it runs: one job for every
# company would keep a second worker idle). Each entry: the job's key, the shipped job
# it is made from (its schedule, user and priority; kept inactive), the method the
# company's job calls, and the company's local time of its first run.
COMPANY_JOBS = (
    (
        "followup",
        "collection_management.ir_cron_collection_followup",
        "_cron_collection_followup",
        time(2, 0),
    ),
    (
        "cases",
        "collection_management.ir_cron_collection_cases",
        "_cron_collection_cases",
        time(3, 0),
    ),
    (
        "promises",
        "collection_management.ir_cron_collection_promises",
        "_cron_collection_promises",
        time(3, 30),
    ),
    (
        "charges",
        "collection_management.ir_cron_collection_charges",
        "_cron_collection_charges",
        time(4, 0),
    ),
)


class ResCompany(models.Model):
    """Each company gets its own daily collection jobs, made when the company is
    created (or the addon installed or updated), archived and restored with it,
    deleted with it."""

    _inherit = "res.company"

    collection_cron_ids = fields.One2many(
        "ir.cron",
        "collection_company_id",
        string="Collection jobs",
        groups="base.group_system",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._collection_ensure_jobs()
        return companies

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals or "name" in vals:
            crons = (
                self.env["ir.cron"]
                .sudo()
                .with_context(active_test=False)
                .search([("collection_company_id", "in", self.ids)])
            )
            if "active" in vals:
                active = bool(vals["active"])
                crons.filtered(lambda cron: cron.active != active).active = active
            if "name" in vals:
                self._collection_rename_jobs(crons)
        return result

    def unlink(self):
        # the jobs' server actions go with them (Odoo, like a cascade in the database,
        # would leave them behind)
        crons = (
            self.env["ir.cron"]
            .sudo()
            .with_context(active_test=False)
            .search([("collection_company_id", "in", self.ids)])
        )
        actions = crons.ir_actions_server_id
        crons.unlink()
        actions.unlink()
        return super().unlink()

    def _collection_rename_jobs(self, crons):
        """The company's name changed: its jobs are named after it again."""
        templates = {key: self.env.ref(xmlid, False) for key, xmlid, _m, _t in COMPANY_JOBS}
        for cron in crons:
            template = templates.get(cron.collection_job)
            if template:
                cron.name = cron.collection_company_id._collection_job_name(template)

    @api.model
    def _collection_ensure_jobs_all(self):
        """At install and update: every company, archived ones too, has its jobs."""
        companies = self.env["res.company"].sudo().search([("active", "in", (True, False))])
        companies._collection_ensure_jobs()

    def _collection_ensure_jobs(self):
        """Create the collection jobs each company of ``self`` lacks."""
        crons = self.env["ir.cron"].sudo().with_context(active_test=False)
        existing = {
            (cron.collection_company_id.id, cron.collection_job)
            for cron in crons.search([("collection_company_id", "in", self.ids)])
        }
        vals_list = []
        for key, xmlid, method, local_time in COMPANY_JOBS:
            template = self.env.ref(xmlid, raise_if_not_found=False)
            if not template:
                continue
            template = template.sudo()
            for company in self.sudo():
                if (company.id, key) in existing:
                    continue
                vals_list.append(
                    {
                        "name": company._collection_job_name(template),
                        "model_id": template.model_id.id,
                        "state": "code",
                        "code": f"model.{method}(company_id={company.id:d})",
                        "user_id": template.user_id.id,
                        "interval_number": template.interval_number,
                        "interval_type": template.interval_type,
                        "priority": template.priority,
                        "nextcall": company._collection_job_nextcall(local_time),
                        "active": company.active,
                        "collection_company_id": company.id,
                        "collection_job": key,
                    }
                )
        return crons.create(vals_list)

    def _collection_job_name(self, template):
        """The name of the company's job made from ``template``."""
        self.ensure_one()
        return _("%(job)s (%(company)s)", job=template.sudo().name, company=self.name)

    def _collection_job_nextcall(self, local_time, now=None):
        """The next ``local_time`` in the company's time zone (its address's, else
        UTC), as the naive UTC datetime Odoo stores."""
        self.ensure_one()
        tz = pytz.timezone(self.partner_id.tz or "UTC")
        now = pytz.utc.localize(now or fields.Datetime.now()).astimezone(tz)
        run = tz.localize(datetime.combine(now.date(), local_time))
        if run <= now:
            run = tz.localize(datetime.combine(now.date() + timedelta(days=1), local_time))
        return run.astimezone(pytz.utc).replace(tzinfo=None)

    def _collection_job_env(self, model):
        """``model`` as the company's job runs it: in this company only, on the
        company's local date."""
        self.ensure_one()
        context = {"allowed_company_ids": self.ids}
        if self.partner_id.tz:
            context["tz"] = self.partner_id.tz
        return model.with_company(self).with_context(**context)
