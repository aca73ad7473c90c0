from . import collection_aging_report, collection_letterhead, collection_report_batch
