# the base of the case dialogs first: they inherit it
from . import collection_case_wizard

# isort: split
from . import (
    collection_case_close,
    collection_case_reassign,
    collection_charge_waive,
    collection_contact_details,
    collection_followup_run,
    collection_legal_request,
    collection_limitation_event,
    collection_overview,
    collection_report_wizard,
    mail_compose_message,
)
