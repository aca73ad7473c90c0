from . import collection_followup_run, mail_compose_message
