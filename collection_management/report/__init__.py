from . import collection_aging_report
from . import collection_letterhead
