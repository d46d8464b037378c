#!/usr/bin/env python3
"""Benchmark opponent: the same job as `tierbook classify` done the usual Python way.

    python3 scripts/bench_polars.py ORDERS.xlsx OUT.xlsx

read the 微信小店 export with fastexcel (calamine under polars), drop closed / unpaid / fully
refunded orders, group by customer (买家ID), ABC by revenue (80 / 95, the customer crossing a line
belongs to the upper tier, as TierBook does), write a summary sheet and one sheet per tier with
xlsxwriter in constant-memory mode. Prints the time of each stage.
"""
import sys
import time

import fastexcel
import polars as pl
import xlsxwriter

EXCLUDED = ["已关闭", "已退款", "待付款", "已取消", "交易关闭"]


def main(src, out):
    t0 = time.perf_counter()
    reader = fastexcel.read_excel(src)
    sheet = reader.load_sheet(0, dtypes={"订单号": "string", "买家ID": "string", "联系电话": "string"})
    df = sheet.to_polars()
    t1 = time.perf_counter()

    cents = lambda c: (pl.col(c).cast(pl.Float64) * 100).round(0).cast(pl.Int64)
    orders = (
        df.select(
            pl.col("订单号"), pl.col("买家ID").alias("key"), pl.col("买家昵称").alias("name"),
            pl.col("联系电话").alias("phone"), pl.col("订单状态").alias("status"),
            pl.col("下单时间").str.slice(0, 10).str.to_date("%Y-%m-%d").alias("day"),
            cents("实付金额").alias("paid"), cents("退款金额").fill_null(0).alias("refund"),
        )
        .filter(~pl.col("status").is_in(EXCLUDED) & (pl.col("refund") < pl.col("paid")))
        .unique(subset=["订单号"], keep="first", maintain_order=True)
    )
    customers = (
        orders.sort("day")
        .group_by("key")
        .agg(pl.col("name").last(), pl.col("phone").last(), pl.len().alias("orders"),
             (pl.col("paid") - pl.col("refund")).sum().alias("revenue"),
             pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))
    )
    as_of = customers.get_column("last").max()
    total = customers.get_column("revenue").sum()
    customers = (
        customers.sort(["revenue", "key"], descending=[True, False])
        .with_columns(before=(pl.col("revenue").cum_sum() - pl.col("revenue")) / total)
        .with_columns(tier=pl.when(pl.col("before") < 0.80).then(pl.lit("A"))
                      .when(pl.col("before") < 0.95).then(pl.lit("B")).otherwise(pl.lit("C")),
                      recency=(pl.lit(as_of) - pl.col("last")).dt.total_days(),
                      aov=pl.col("revenue") / pl.col("orders") / 100.0)
    )
    t2 = time.perf_counter()

    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    money = wb.add_format({"num_format": "¥#,##0.00"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    summary = wb.add_worksheet("概览")
    summary.write_row(0, 0, ["分层", "客户数", "消费金额", "金额占比"])
    per_tier = customers.group_by("tier").agg(pl.len().alias("n"), pl.col("revenue").sum()).sort("tier")
    for i, (tier, n, rev) in enumerate(per_tier.iter_rows(), start=1):
        summary.write_row(i, 0, [tier + "类", n, rev / 100.0, rev / total])
    head = ["买家ID", "买家昵称", "联系电话", "订单数", "消费金额", "客单价", "首次下单日期", "最近下单日期", "距今天数"]
    for tier in ["A", "B", "C"]:
        ws = wb.add_worksheet(f"{tier}类客户")
        ws.write_row(0, 0, head)
        part = customers.filter(pl.col("tier") == tier)
        for r, (key, name, phone, n, rev, first, last, rec, aov) in enumerate(
                part.select("key", "name", "phone", "orders", "revenue", "first", "last", "recency", "aov")
                .iter_rows(), start=1):
            ws.write_string(r, 0, key)
            ws.write_string(r, 1, name or "")
            ws.write_string(r, 2, (phone[:3] + "****" + phone[-4:]) if phone else "")
            ws.write_number(r, 3, n)
            ws.write_number(r, 4, rev / 100.0, money)
            ws.write_number(r, 5, aov, money)
            ws.write_datetime(r, 6, first, date)
            ws.write_datetime(r, 7, last, date)
            ws.write_number(r, 8, rec)
    wb.close()
    t3 = time.perf_counter()
    print(f"polars: read {t1 - t0:.2f} s, classify {t2 - t1:.2f} s, write {t3 - t2:.2f} s, "
          f"total {t3 - t0:.2f} s; {df.height} rows, {customers.height} customers")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
