"""Report exports."""

import csv
from pathlib import Path

HEADER = ["region", "month", "orders", "revenue_cents"]


def export_region(folder: Path, region: str, rows: list[list[object]]) -> Path | None:
    """Write `rows` for `region` to folder/region.csv; None when there is nothing to write."""
    path = folder / f"{region}.csv"
    handle = open(path, "w", newline="", encoding="utf-8")
    if not rows:
        return None
    writer = csv.writer(handle)
    writer.writerow(HEADER)
    writer.writerows(rows)
    handle.close()
    return path


def export_all(folder: Path, data: dict[str, list[list[object]]]) -> list[Path]:
    return [p for region, rows in data.items() if (p := export_region(folder, region, rows))]
