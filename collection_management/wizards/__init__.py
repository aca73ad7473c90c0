from . import (
    collection_case_close,
    collection_case_reassign,
    collection_followup_run,
    collection_legal_request,
    collection_limitation_event,
    mail_compose_message,
)
