from odoo import api, models
from odoo.tools import SQL


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    @api.model
    def _collection_next_names(self, code, date, count):
        """The next ``count`` numbers of the sequence ``code`` of the current company
        on ``date``, as ``next_by_code`` draws them one by one; a standard sequence
        gives them in one statement from its PostgreSQL sequence. A list of False when
        no sequence has that code."""
        self.browse().check_access("read")
        sequence = self.search(
            [("code", "=", code), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence or count <= 0:
            return [False] * count
        drawer, context = sequence, {}
        if sequence.use_date_range:
            drawer = self.env["ir.sequence.date_range"].search(
                [
                    ("sequence_id", "=", sequence.id),
                    ("date_from", "<=", date),
                    ("date_to", ">=", date),
                ],
                limit=1,
            ) or sequence._create_date_range_seq(date)
            context = {"ir_sequence_date_range": drawer.date_from}
        if sequence.implementation != "standard":
            if drawer == sequence:
                return [sequence._next_do() for _index in range(count)]
            return [drawer.with_context(**context)._next() for _index in range(count)]
        if drawer == sequence:
            name = f"ir_sequence_{sequence.id:03d}"
        else:
            name = f"ir_sequence_{sequence.id:03d}_{drawer.id:03d}"
        self.env.cr.execute(SQL("SELECT nextval(%s) FROM generate_series(1, %s)", name, count))
        numbers = sorted(row[0] for row in self.env.cr.fetchall())
        prefix, suffix = sequence.with_context(**context)._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]
