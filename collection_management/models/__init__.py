from . import (
    account_move,
    collection_demo_generator,
    collection_dispute_reason,
    collection_followup,
    collection_level,
    collection_policy,
    mail_mail,
    res_company,
    res_config_settings,
    res_partner,
)
