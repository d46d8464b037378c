#!/usr/bin/env python3
"""Independent check of TierBook's 商品 (top products per tier) sheet.

Generates an order export with the shared generator (../shared/tools/gen_orders.py, which writes
商品名称 and 商品数量, one product per order), runs `tierbook classify` on it, reads the workbook's
商品 sheet back and compares it with its own polars computation over the same file. Shares no code
with TierBook: validity of orders follows the generator's documented rules (已关闭 and 已退款 are
not orders; a refund of the whole amount is no order), the tiers are ABC by revenue (80/95)
computed here and checked against the generator's truth file, and each tier's top 10 products are
ranked by net revenue (ties: more customers first, then the name).

    python3 tests/analysis/check_products.py --tierbook target/debug/tierbook

Exit status 0 when every figure agrees, 1 otherwise (each difference is printed).
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import polars as pl

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2025-06-30"
TOP = 10
TIER_LABEL = {"A": "A类", "B": "B类", "C": "C类"}


def find_tools() -> Path:
    for candidate in [os.environ.get("TIERBOOK_SHARED_TOOLS"), ROOT.parent / "shared" / "tools", Path("/work/shared/tools")]:
        if candidate and (Path(candidate) / "gen_orders.py").exists():
            return Path(candidate)
    sys.exit("gen_orders.py not found: set TIERBOOK_SHARED_TOOLS to the folder of ../shared/tools")


def valid_orders(export: Path) -> pl.DataFrame:
    raw = pl.read_csv(export, infer_schema=False, encoding="utf8-lossy")
    money = lambda c: (pl.col(c).str.strip_chars().cast(pl.Float64) * 100).round(0).cast(pl.Int64)  # noqa: E731
    orders = raw.select(
        pl.col("订单号").alias("order_id"),
        pl.col("买家ID").alias("key"),
        pl.col("订单状态").alias("status"),
        money("实付金额").alias("paid"),
        money("退款金额").fill_null(0).alias("refund"),
        pl.col("商品名称").str.strip_chars().alias("product"),
        pl.col("商品数量").cast(pl.Float64).alias("pieces"),
    )
    orders = orders.filter(~pl.col("status").is_in(["已关闭", "已退款"]) & (pl.col("refund") < pl.col("paid")))
    return orders.with_columns((pl.col("paid") - pl.col("refund")).alias("net"))


def abc(orders: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """ABC by revenue share: A while the revenue before a customer is under 80 % (the one crossing is A), B under 95 %."""
    customers = orders.group_by("key").agg(pl.col("net").sum().alias("revenue"))
    total = customers.get_column("revenue").sum()
    ranked = customers.sort(["revenue", "key"], descending=[True, False])
    before = (pl.col("revenue").cum_sum() - pl.col("revenue")) / total
    tiers = ranked.with_columns(
        pl.when(before < 0.80).then(pl.lit("A")).when(before < 0.95).then(pl.lit("B")).otherwise(pl.lit("C")).alias("tier")
    )
    theirs = tiers.join(truth.select(pl.col("customer_key").alias("key"), pl.col("abc").alias("truth")), on="key")
    agree = (theirs.get_column("tier") == theirs.get_column("truth")).mean()
    assert agree >= 0.99, f"ABC here and the generator's truth agree for only {agree:.1%} of customers"
    return tiers.select("key", "tier")


def expected(orders: pl.DataFrame, tiers: pl.DataFrame) -> dict:
    """Per tier: the top products with customers, orders, pieces and net revenue."""
    o = orders.join(tiers, on="key")
    per = o.group_by("tier", "product").agg(
        pl.col("key").n_unique().alias("customers"),
        pl.col("order_id").n_unique().alias("orders"),
        pl.col("pieces").sum(),
        pl.col("net").sum().alias("revenue"),
    )
    out = {}
    for tier in sorted(per.get_column("tier").unique().to_list()):
        rows = per.filter(pl.col("tier") == tier).to_dicts()
        rows.sort(key=lambda r: (-r["revenue"], -r["customers"], r["product"]))
        out[TIER_LABEL[tier]] = rows[:TOP]
    return out


def read_sheet(wb) -> dict:
    rows = [list(r) for r in wb["商品"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r and r[0] == "分层")
    cols = rows[head]
    out: dict = {}
    for r in rows[head + 1 :]:
        if not r or r[0] is None:
            break
        rec = dict(zip(cols, r))
        out.setdefault(rec["分层"], []).append(rec)
    return out


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
             "--format", "csv", "--out", str(export), "--truth", str(truth_path), "--end-date", AS_OF],
            check=True, stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [args.tierbook, "classify", str(export), "--as-of", AS_OF, "--out", str(out)],
            check=True, stdout=subprocess.DEVNULL,
        )
        orders = valid_orders(export)
        tiers = abc(orders, pl.read_csv(truth_path, infer_schema=False))
        want, got = expected(orders, tiers), read_sheet(openpyxl.load_workbook(out, read_only=True))
        if set(want) != set(got):
            failures.append(f"tiers differ: expected {sorted(want)}, sheet {sorted(got)}")
        compared = 0
        for tier in sorted(set(want) & set(got)):
            w, g = want[tier], got[tier]
            if len(w) != len(g):
                failures.append(f"{tier}: expected {len(w)} products, sheet {len(g)}")
            for rank, (a, b) in enumerate(zip(w, g), start=1):
                compared += 1
                if b["排名"] != rank or b["商品名称"] != a["product"]:
                    failures.append(f"{tier} #{rank}: expected {a['product']}, sheet #{b['排名']} {b['商品名称']}")
                    continue
                for field, col in [("customers", "购买客户数"), ("orders", "订单数"), ("pieces", "件数")]:
                    if a[field] != b[col]:
                        failures.append(f"{tier} {a['product']} {col}: expected {a[field]}, sheet {b[col]}")
                if not math.isclose(a["revenue"] / 100, b["销售额"], abs_tol=0.005):
                    failures.append(f"{tier} {a['product']} 销售额: expected {a['revenue'] / 100:.2f}, sheet {b['销售额']}")
        print(f"商品: {len(want)} tiers, {compared} top products compared (customers, orders, pieces, revenue)")
    for f in failures[:40]:
        print("FAIL", f)
    print("PASS" if not failures else f"{len(failures)} difference(s)")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
