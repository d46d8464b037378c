#!/usr/bin/env python3
"""Independent check of TierBook's 地区 (tier mix by province) and 同期群 (cohort) sheets.

Generates an order export with the shared generator (../shared/tools/gen_orders.py, which writes
收货地址), runs `tierbook classify` on it, reads the workbook's 地区 and 同期群 sheets back and
compares them with its own polars computation over the same file. Shares no code with TierBook:
the province names come from a table written here, the tiers are ABC by revenue (80/95) computed
here (and checked against the generator's truth file), validity of orders from the generator's
documented rules (已关闭 and 已退款 are not orders; a refund of the whole amount is no order).

    python3 tests/analysis/check_regions_cohorts.py --tierbook target/debug/tierbook

Exit status 0 when every figure agrees, 1 otherwise (each difference is printed).
"""

import argparse
import datetime as dt
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import polars as pl

ROOT = Path(__file__).resolve().parents[2]

# Official names of the provincial-level divisions → the short name TierBook shows. Written here
# from the administrative list, not copied from TierBook's table.
SUFFIXES = ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"]
UNKNOWN = "未知"
AS_OF = dt.date(2025, 6, 30)


def short_province(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name or UNKNOWN


def find_tools() -> Path:
    for candidate in [os.environ.get("TIERBOOK_SHARED_TOOLS"), ROOT.parent / "shared" / "tools", Path("/work/shared/tools")]:
        if candidate and (Path(candidate) / "gen_orders.py").exists():
            return Path(candidate)
    sys.exit("gen_orders.py not found: set TIERBOOK_SHARED_TOOLS to the folder of ../shared/tools")


def valid_orders(export: Path) -> pl.DataFrame:
    """The export's valid orders with customer, time, net cents and province (polars)."""
    raw = pl.read_csv(export, infer_schema=False, encoding="utf8-lossy")
    money = lambda c: (pl.col(c).str.strip_chars().cast(pl.Float64) * 100).round(0).cast(pl.Int64)  # noqa: E731
    orders = raw.select(
        pl.col("订单号").alias("order_id"),
        pl.col("买家ID").alias("key"),
        pl.col("订单状态").alias("status"),
        pl.col("下单时间").alias("time"),
        money("实付金额").alias("paid"),
        money("退款金额").fill_null(0).alias("refund"),
        pl.col("收货地址").str.strip_chars().str.split(" ").list.first().alias("province_raw"),
    )
    orders = orders.filter(~pl.col("status").is_in(["已关闭", "已退款"]) & (pl.col("refund") < pl.col("paid")))
    return orders.with_columns(
        (pl.col("paid") - pl.col("refund")).alias("net"),
        pl.col("time").str.slice(0, 10).str.to_date().alias("day"),
        pl.col("province_raw").fill_null("").map_elements(short_province, return_dtype=pl.String).alias("province"),
    )


def abc(customers: pl.DataFrame) -> pl.DataFrame:
    """ABC by revenue share as docs/methods.md states it: customers by net revenue, highest first (ties
    by key); A while the revenue before them is under 80 % of the total (the one crossing 80 % is A),
    B under 95 %, C the rest."""
    total = customers.get_column("revenue").sum()
    ranked = customers.sort(["revenue", "key"], descending=[True, False])
    before = (pl.col("revenue").cum_sum() - pl.col("revenue")) / total
    return ranked.with_columns(
        pl.when(before < 0.80).then(pl.lit("A")).when(before < 0.95).then(pl.lit("B")).otherwise(pl.lit("C")).alias("abc")
    )


def expected_regions(orders: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """Province of each customer's latest order; customers, tiers and net revenue per province."""
    latest = orders.sort("time", "order_id").group_by("key").agg(
        pl.col("province").last(), pl.col("net").sum().alias("revenue")
    )
    joined = abc(latest)
    # The generator's own ABC (numpy) must agree with this one for nearly every customer.
    theirs = joined.join(truth.select(pl.col("customer_key").alias("key"), pl.col("abc").alias("truth")), on="key")
    agree = (theirs.get_column("abc") == theirs.get_column("truth")).mean()
    assert agree >= 0.99, f"ABC here and the generator's truth agree for only {agree:.1%} of customers"
    table = joined.group_by("province").agg(
        pl.len().alias("customers"),
        *[(pl.col("abc") == t).sum().alias(t) for t in "ABC"],
        pl.col("revenue").sum(),
    )
    return {r["province"]: r for r in table.to_dicts()}


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def expected_cohorts(orders: pl.DataFrame) -> dict:
    """Per first-order month: size, and per M+k the share who ordered and net revenue per customer."""
    o = orders.filter(pl.col("day") <= AS_OF).with_columns(
        (pl.col("day").dt.year() * 12 + pl.col("day").dt.month() - 1).alias("m")
    )
    o = o.with_columns(pl.col("m").min().over("key").alias("cohort"))
    o = o.with_columns((pl.col("m") - pl.col("cohort")).alias("k")).filter(pl.col("k") < 12)
    sizes = o.group_by("cohort").agg(pl.col("key").n_unique().alias("size"))
    cells = o.group_by("cohort", "k").agg(pl.col("key").n_unique().alias("active"), pl.col("net").sum().alias("net"))
    last = month_index(AS_OF)
    out = {}
    for row in sizes.sort("cohort").to_dicts():
        c, size = row["cohort"], row["size"]
        got = {r["k"]: r for r in cells.filter(pl.col("cohort") == c).to_dicts()}
        share, per = [], []
        for k in range(12):
            if c + k > last:
                share.append(None)
                per.append(None)
            else:
                share.append(got.get(k, {"active": 0})["active"] / size)
                per.append(got.get(k, {"net": 0})["net"] / 100 / size)
        out[f"{c // 12:04d}-{c % 12 + 1:02d}"] = (size, share, per)
    return out


def sheet_rows(wb, name):
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def read_regions(wb) -> dict:
    rows = sheet_rows(wb, "地区")
    head = next(i for i, r in enumerate(rows) if r and r[0] == "省份")
    cols = rows[head]
    out = {}
    for r in rows[head + 1 :]:
        if not r or r[0] in (None, "合计"):
            continue
        rec = dict(zip(cols, r))
        out[r[0]] = {
            "customers": rec["客户数"],
            **{t: rec.get(f"{t}类", 0) or 0 for t in "ABC"},
            "revenue": rec["消费金额"],
        }
    return out


def read_cohorts(wb) -> tuple[dict, dict]:
    rows = sheet_rows(wb, "同期群")
    heads = [i for i, r in enumerate(rows) if r and r[0] == "首单月份"]
    assert len(heads) == 2, f"two 首单月份 header rows expected, found {len(heads)}"
    blocks = []
    for h in heads:
        block = {}
        for r in rows[h + 1 :]:
            if not r or r[0] is None:
                break
            block[r[0]] = (r[1], r[2:14])
        blocks.append(block)
    return blocks[0], blocks[1]


def close(a, b, tol):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), abs_tol=tol)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tierbook", default=str(ROOT / "target" / "debug" / "tierbook"))
    ap.add_argument("--orders", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    tools = find_tools()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        export, truth_path, out = tmp / "orders.csv", tmp / "truth.csv", tmp / "tiers.xlsx"
        subprocess.run(
            [sys.executable, str(tools / "gen_orders.py"), "--seed", str(args.seed), "--orders", str(args.orders),
             "--format", "csv", "--out", str(export), "--truth", str(truth_path), "--end-date", str(AS_OF)],
            check=True, stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [args.tierbook, "classify", str(export), "--as-of", str(AS_OF), "--out", str(out)],
            check=True, stdout=subprocess.DEVNULL,
        )
        orders = valid_orders(export)
        truth = pl.read_csv(truth_path, infer_schema=False)
        wb = openpyxl.load_workbook(out, read_only=True)

        want, got = expected_regions(orders, truth), read_regions(wb)
        if set(want) != set(got):
            failures.append(f"provinces differ: only expected {set(want) - set(got)}, only in sheet {set(got) - set(want)}")
        for p in sorted(set(want) & set(got)):
            w, g = want[p], got[p]
            for field in ["customers", "A", "B", "C"]:
                if w[field] != g[field]:
                    failures.append(f"地区 {p} {field}: expected {w[field]}, sheet {g[field]}")
            if not close(w["revenue"] / 100, g["revenue"], 0.005):
                failures.append(f"地区 {p} revenue: expected {w['revenue'] / 100:.2f}, sheet {g['revenue']}")
        print(f"地区: {len(want)} provinces, {sum(r['customers'] for r in want.values())} customers compared")

        want_c = expected_cohorts(orders)
        share_sheet, per_sheet = read_cohorts(wb)
        if set(want_c) != set(share_sheet) or set(want_c) != set(per_sheet):
            failures.append(f"cohort months differ: expected {sorted(want_c)}, sheet {sorted(share_sheet)}")
        cells = 0
        for month, (size, share, per) in want_c.items():
            for block, values, tol, what in [(share_sheet, share, 1e-9, "share"), (per_sheet, per, 0.005, "per customer")]:
                if month not in block:
                    continue
                g_size, g_values = block[month]
                if g_size != size:
                    failures.append(f"同期群 {month} size: expected {size}, sheet {g_size}")
                for k, (w, g) in enumerate(zip(values, g_values)):
                    cells += 1
                    if not close(w, g, tol):
                        failures.append(f"同期群 {month} M+{k} {what}: expected {w}, sheet {g}")
        blanks = sum(v is None for _, s, _ in want_c.values() for v in s)
        print(f"同期群: {len(want_c)} cohorts, {cells} cells compared ({blanks * 2} blank after the as-of month)")
    for f in failures[:40]:
        print("FAIL", f)
    print("PASS" if not failures else f"{len(failures)} difference(s)")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
