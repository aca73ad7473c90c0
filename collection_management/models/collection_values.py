"""Checks of the values a form or an RPC call sends, made before the ORM converts them.

A NaN or an infinite amount makes the ORM's rounding raise, an integer past PostgreSQL's
range fails the INSERT before any constraint runs: both reach the user as tracebacks.
These checks turn them into a clear, translated ``ValidationError``."""

import math

from odoo import api, models
from odoo.exceptions import ValidationError

# what PostgreSQL stores in an integer column
INTEGER_RANGE = (-(2**31), 2**31 - 1)
NUMBER_TYPES = ("integer", "float", "monetary")


def check_numbers(records, vals_list, bounds=None):
    """Refuse non-numbers, NaN and infinities in the numeric fields of ``vals_list``,
    and integers out of ``bounds`` (field name -> (lowest, highest); the database range
    by default). ``records`` is the empty model on create, the records on write."""
    bounds = bounds or {}
    for vals in vals_list:
        for name, value in vals.items():
            field = records._fields.get(name)
            if field is None or field.type not in NUMBER_TYPES:
                continue
            _check_number(records, field, value, bounds.get(name))


def _check_number(records, field, value, bounds):
    env = records.env
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        number = math.nan
    label = field._description_string(env)
    if not math.isfinite(number):
        raise ValidationError(env._("%(field)s must be a number.", field=label))
    if field.type != "integer":
        return
    low, high = bounds or INTEGER_RANGE
    if not low <= number <= high:
        raise ValidationError(
            env._(
                "%(field)s must lie between %(low)s and %(high)s.",
                field=label,
                low=low,
                high=high,
            )
        )


def check_names(records, vals_list):
    """Refuse a name that is empty or only spaces (on create, a missing name too)."""
    env = records.env
    for vals in vals_list:
        if "name" not in vals and records:
            continue
        name = vals.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                env._(
                    "%(what)s: a name is required.",
                    what=env["ir.model"].sudo()._get(records._name).name,
                )
            )


class CollectionValuesMixin(models.AbstractModel):
    """Checks every create and write of the model with ``check_numbers`` (bounds from
    ``_collection_bounds``) and, for models with ``_collection_named``, ``check_names``:
    before the ORM converts what a form or an RPC call sent."""

    _name = "collection.values.mixin"
    _description = "Checked Values of a Collection Record"
    _collection_bounds = {}
    _collection_named = False

    @api.model_create_multi
    def create(self, vals_list):
        self.browse()._collection_check_values(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._collection_check_values([vals])
        return super().write(vals)

    def _collection_check_values(self, vals_list):
        if self._collection_named:
            check_names(self, vals_list)
        check_numbers(self, vals_list, self._collection_bounds)
