from . import (
    collection_demo_generator,
    collection_followup,
    collection_level,
    collection_policy,
    res_company,
    res_config_settings,
    res_partner,
)
