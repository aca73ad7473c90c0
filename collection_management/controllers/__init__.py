from . import portal, weekly_report
