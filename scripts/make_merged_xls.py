"""Writes merged.xls, the legacy-Excel (.xls) twin of the zoo's merged_excel fixture: visit
number and department merged down each visit, a title row merged across the columns.

The file is committed; re-make it with ``pip install xlwt==1.3.0`` (a writer of .xls files,
needed only here) and ``python scripts/make_merged_xls.py``.
"""

import random
from datetime import datetime, timedelta
from pathlib import Path

import xlwt

rng = random.Random(11)
book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("导出")
when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
sheet.write_merge(0, 0, 0, 4, "门诊就诊流程导出")
for j, name in enumerate(["就诊号", "科室", "环节", "开始时间", "结束时间"]):
    sheet.write(1, j, name)
row = 2
steps = ["挂号", "就诊", "缴费", "取药"]
for i in range(12):
    t = datetime(2024, 5, 6, 8) + timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 300))
    sheet.write_merge(row, row + len(steps) - 1, 0, 0, f"X{i:03d}")
    sheet.write_merge(row, row + len(steps) - 1, 1, 1, "耳鼻喉科" if i % 2 else "口腔科")
    for k, step in enumerate(steps):
        t += timedelta(minutes=rng.randint(1, 30))
        end = t + timedelta(minutes=rng.randint(1, 15))
        sheet.write(row + k, 2, step)
        sheet.write(row + k, 3, t, when)
        sheet.write(row + k, 4, end, when)
        t = end
    row += len(steps)
book.save(str(Path(__file__).resolve().parents[1] / "tests" / "data" / "merged.xls"))
