from . import collection_followup_run
