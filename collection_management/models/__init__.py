# abstract models first: the models that inherit them are built after them
from . import (  # isort: skip
    collection_values,
    collection_case_record_mixin,
    collection_stage_mixin,
)
from . import (
    account_move,
    account_partial_reconcile,
    collection_assignment_rule,
    collection_background_run,
    collection_case,
    collection_case_books,
    collection_case_legal,
    collection_case_letter,
    collection_case_opening,
    collection_case_rights,
    collection_case_score,
    collection_case_script,
    collection_case_visit,
    collection_case_worklist,
    collection_case_writeoff,
    collection_dispute_reason,
    collection_followup,
    collection_followup_decision,
    collection_followup_execution,
    collection_followup_sending,
    collection_interaction,
    collection_interaction_contact,
    collection_interaction_outcome,
    collection_interaction_script,
    collection_job,
    collection_legal_cost,
    collection_legal_cost_books,
    collection_legal_stage,
    collection_level,
    collection_policy,
    collection_portal,
    collection_portal_access,
    collection_portal_input,
    collection_promise,
    collection_promise_evaluation,
    collection_promise_portal,
    collection_script,
    collection_snapshot,
    collection_stage,
    collection_target,
    collection_timeline,
    collection_visit,
    collection_visit_completion,
    collection_visit_material,
    collection_waiver,
    collection_weekly_report,
    collection_weekly_report_acknowledgement,
    ir_sequence,
    mail_mail,
    mail_template,
    res_company,
    res_company_books,
    res_company_demo,
    res_company_visit,
    res_config_settings,
    res_config_settings_books,
    res_config_settings_visit,
    res_partner,
    res_users,
)

# they extend the score of the case (collection_case_score): loaded after it
from . import (  # isort: skip
    collection_case_classification,
    collection_case_contact,
)

# isort: split
# interest and fees extend the follow-ups and cases defined above
from . import (
    collection_case_charge,
    collection_charge,
    collection_charge_interest,
    collection_charge_product,
    collection_charge_proposal,
    collection_followup_charge,
    res_partner_charge,
)

# isort: split
# looks up, for many follow-ups at once, what their emails and statements show
from . import collection_followup_render_batch

# isort: split
# each company's own daily jobs, so that several cron workers run companies side by side
from . import ir_cron, res_company_jobs
