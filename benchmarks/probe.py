"""Wall time, SQL query count and peak memory of a block of code running in Odoo."""

import threading
import time
from contextlib import contextmanager

import psutil


class _PeakRss(threading.Thread):
    """Samples the resident memory of this process until stopped; keeps the peak."""

    def __init__(self, interval=0.005):
        super().__init__(daemon=True)
        self.process = psutil.Process()
        self.interval = interval
        self.start_rss = self.peak = self.process.memory_info().rss
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
        return self.peak - self.start_rss


class Probe:
    def __init__(self):
        self.rows = []

    @contextmanager
    def measure(self, name, cr, units=None, unit_name="invoice"):
        """Measure the block; ``units`` (e.g. the number of invoices) gives per-unit figures.

        The block may set ``figures["units"]`` or add figures of its own to the dict it gets.
        """
        figures = {"units": units}
        sampler = _PeakRss()
        sampler.start()
        queries = cr.sql_log_count
        started = time.perf_counter()
        try:
            yield figures
        finally:
            wall = time.perf_counter() - started
            delta = sampler.stop()
            row = {
                "name": name,
                "seconds": round(wall, 3),
                "queries": cr.sql_log_count - queries,
                "peak_mb": round(delta / 2**20, 1),
                "unit": unit_name,
            }
            row.update(figures)
            if row.get("units"):
                row["ms_per_unit"] = round(1000 * wall / row["units"], 4)
                row["queries_per_unit"] = round(row["queries"] / row["units"], 4)
            self.rows.append(row)
            print(self.format(row), flush=True)

    @staticmethod
    def format(row):
        text = (
            f"{row['name']:<52} {row['seconds']:>9.2f} s {row['queries']:>8} queries "
            f"{row['peak_mb']:>8.1f} MB peak"
        )
        if row.get("units"):
            text += (
                f"  | {row['units']} {row['unit']}s: {row['ms_per_unit']:.3f} ms and "
                f"{row['queries_per_unit']:.4f} queries per {row['unit']}"
            )
        return text
