from . import collection_sale_hold_override
