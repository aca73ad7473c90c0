from . import collection_picking_hold_override
