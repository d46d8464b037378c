// A stand-in backend for `npm run dev:ui` in a plain browser (development builds only; api.ts never
// loads it inside Tauri or in a production bundle). Generated data, simple ABC/threshold logic: enough
// to lay out and look at the screens, not a second implementation of the core.

import type {
  ClassifyParams,
  CustomerDetail,
  CustomerRow,
  ImportOutcome,
  ImportReport,
  Migration,
  ParetoPoint,
  Preview,
  ProgressEvent,
  RfCell,
  SegmentFlow,
  Settings,
  SnapshotInfo,
  SourceInfo,
  Tier,
  TierView,
} from "./types";
import { defaultForm, buildParams } from "./logic/methods";
import type { Catalogue } from "./types";
// The core's catalogue as `catalogue` returns it (dumped by src-tauri/bindings.rs).
import catalogueJson from "./bindings/catalogue.json";

const catalogue = catalogueJson as unknown as Catalogue;
const cube = catalogue.cube_types.map((c) => c.name);
const defaultParams = () => buildParams(defaultForm(catalogue), catalogue);

let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴霞", "微信用户", "小明", "李女士", "=1+1", "🌸花花"];

interface Base {
  key: string;
  name: string;
  phone: string;
  orders: number;
  revenue: number;
  first: string;
  last: string;
}
let customers: Base[] = [];
let loaded = false;
const snapshots: SnapshotInfo[] = [];
let lastRows: CustomerRow[] = [];
/** What the last classify used: a snapshot saves the current classification, as in the shell. */
let lastParams: ClassifyParams | null = null;

const day = (offset: number) => new Date(Date.UTC(2025, 5, 30) - offset * 86400000).toISOString().slice(0, 10);

function generate(n: number) {
  customers = [];
  for (let i = 0; i < n; i++) {
    const orders = 1 + Math.floor(Math.pow(rnd(), 3) * 20);
    const revenue = Math.round(orders * (30 + Math.exp(rnd() * 6)) * 100) / 100;
    const lastOff = Math.floor(rnd() * 400);
    customers.push({
      key: "o" + Math.floor(rnd() * 1e12).toString(36) + i,
      name: names[i % names.length],
      phone: `13${Math.floor(rnd() * 10)}****${String(1000 + Math.floor(rnd() * 9000))}`,
      orders,
      revenue,
      first: day(lastOff + Math.floor(rnd() * 200)),
      last: day(lastOff),
    });
  }
  loaded = true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runJob(ch: unknown) {
  const send = (p: ProgressEvent) => (ch as { onmessage?: (p: ProgressEvent) => void })?.onmessage?.(p);
  for (let i = 0; i <= 10; i++) {
    send({ stage: "reading", done: i * 400, total: 4000 });
    await sleep(60);
  }
}

function report(file: string): ImportReport {
  return {
    file,
    format: "xlsx",
    mapping: preview(file).mapping,
    rows_read: 4123,
    orders_kept: 3890,
    skipped: [
      { reason: "closed", count: 121, example_rows: [5, 9, 31] },
      { reason: "refunded", count: 98, example_rows: [12, 40] },
      { reason: "totals_row", count: 1, example_rows: [4126] },
    ],
    first_date: "2024-01-01",
    last_date: "2025-06-30",
    warnings: [{ code: "masked_phone", text: { zh: "联系电话为打码手机号，未用作客户标识。", en: "Phones are masked; not used as the key." }, suggestion: null }],
  };
}

function source(path: string): SourceInfo {
  const file_name = path.split("/").pop() ?? path;
  return { id: 1, file_name, path, size: 1024, sha256: "0".repeat(64), imported_at: "2025-07-01T10:00:00", rows: 4123, orders_added: 3890, orders_known: 0, mapping_reused: false, layout: null, report: report(file_name) };
}

function outcome(file: string): ImportOutcome {
  const view = classify(defaultParams());
  return {
    files: [file],
    reports: [report(file)],
    new_orders: 3890,
    known_orders: 0,
    updated_orders: 0,
    withdrawn_orders: 0,
    unchanged_files: [],
    sources: [source(file)],
    orders: view.kpis.orders,
    customers: view.kpis.customers,
    view,
  };
}

function preview(file: string): Preview {
  const headers = ["订单号", "下单时间", "支付时间", "订单状态", "买家昵称", "买家ID", "收货人", "联系电话", "商品名称", "实付金额", "退款金额"];
  const roles = ["order_id", "date", null, "status", "name", "customer_key", "receiver", "phone", null, "amount", "refund"] as const;
  const rows = [["订单导出 2024-01-01 至 2025-06-30"], headers];
  for (let i = 0; i < 12; i++) {
    rows.push([`372${i}8812345678901${i}`, `2025-0${1 + (i % 6)}-1${i % 9} 14:22:10`, "", i % 5 ? "已完成" : "已关闭", names[i % names.length], `oAbC${i}x9`, "王**", "138****1234", "保湿面霜", (99 + i * 13.5).toFixed(2), "0.00"]);
  }
  return {
    file,
    format: "xlsx",
    sheets: ["订单列表", "说明"],
    mapping: {
      sheet: "订单列表",
      header_row: 1,
      columns: headers.map((h, i) => ({ index: i, header: h, role: roles[i] })),
      key: { kind: "column", columns: "买家ID" },
      level: "orders",
      alternatives: [],
    },
    rows,
    warnings: [],
  };
}

function classify(params: ClassifyParams): TierView {
  lastParams = params;
  const sorted = customers.slice().sort((a, b) => b.revenue - a.revenue);
  const total = sorted.reduce((s, c) => s + c.revenue, 0);
  const m = params.method;
  const tierOf = new Map<string, Tier>();
  let cum = 0;
  sorted.forEach((c, i) => {
    let tier: Tier = "C";
    if (m.kind === "abc_revenue") {
      const before = cum / total;
      tier = before < m.a_pct / 100 ? "A" : before < m.b_pct / 100 ? "B" : "C";
    } else if (m.kind === "thresholds") {
      tier = c.revenue >= m.a_min ? "A" : c.revenue >= m.b_min ? "B" : m.c_min !== null && c.revenue < m.c_min ? "D" : "C";
    } else {
      const q = i / sorted.length;
      tier = q < 0.2 ? "A" : q < 0.5 ? "B" : "C";
    }
    cum += c.revenue;
    tierOf.set(c.key, tier);
  });
  const rows: CustomerRow[] = sorted.map((c, i) => {
    const rec = Math.round((Date.parse("2025-06-30") - Date.parse(c.last)) / 86400000);
    const tier = tierOf.get(c.key) ?? "C";
    return {
      key: c.key,
      name: c.name,
      phone: c.phone,
      orders: c.orders,
      revenue: c.revenue,
      aov: Math.round((c.revenue / c.orders) * 100) / 100,
      first_order: c.first,
      last_order: c.last,
      recency_days: rec,
      r_score: 5 - Math.min(4, Math.floor(rec / 80)),
      f_score: Math.min(5, c.orders),
      m_score: 5 - Math.min(4, Math.floor((i / sorted.length) * 5)),
      tier,
      segment: m.kind === "rfm_cube" ? [cube[0], cube[5], cube[3], cube[7]][i % 4] : null,
      abc: tier,
      rfm_type: cube[0],
      score: null,
      action: { zh: tier === "A" ? "专属客服一对一回访" : tier === "B" ? "节日关怀+满减券" : "公众号推送低门槛活动", en: "Action" },
      channel: { zh: tier === "A" ? "电话 / 企业微信 1:1" : "短信 / 公众号推送", en: tier === "A" ? "Phone / WeCom" : "SMS / official account" },
      priority: tier === "A" ? 1 : tier === "B" ? 2 : 3,
      next_contact: "2025-07-30",
      gap: tier === "A" ? null : { zh: `再消费 ¥${Math.round(100 + (i % 50) * 10)} 升至 ${tier === "B" ? "A" : "B"} 类`, en: "gap" },
    };
  });
  lastRows = rows;
  const tiers = (["A", "B", "C", "D"] as Tier[])
    .map((t) => {
      const rs = rows.filter((r) => r.tier === t);
      const rev = rs.reduce((s, r) => s + r.revenue, 0);
      const ord = rs.reduce((s, r) => s + r.orders, 0);
      return { group: t, customers: rs.length, customer_share: rs.length / rows.length, orders: ord, revenue: Math.round(rev * 100), revenue_share: rev / total, aov: ord ? Math.round((rev / ord) * 100) : 0 };
    })
    .filter((g) => g.customers > 0);
  const pareto: ParetoPoint[] = [];
  let acc = 0;
  for (let i = 0; i < sorted.length; i++) {
    acc += sorted[i].revenue;
    if (i % 10 === 0 || i === sorted.length - 1) pareto.push({ customer_share: (i + 1) / sorted.length, revenue_share: acc / total, tier: tierOf.get(sorted[i].key) ?? null });
  }
  const rf: RfCell[] = [];
  for (let r = 1; r <= 5; r++)
    for (let f = 1; f <= 5; f++) {
      const cs = rows.filter((x) => x.r_score === r && x.f_score === f);
      const revenue = Math.round(cs.reduce((s, x) => s + x.revenue, 0) * 100);
      const orders = cs.reduce((s, x) => s + x.orders, 0);
      rf.push({ r, f, customers: cs.length, revenue, aov: orders ? Math.round(revenue / orders) : 0 });
    }
  const orders = rows.reduce((s, r) => s + r.orders, 0);
  const a = tiers.find((t) => t.group === "A");
  return {
    as_of: "2025-06-30",
    params,
    thresholds: [
      { name: { zh: "A 类最低累计消费", en: "Tier A minimum" }, value: 1280.5, unit: { zh: "¥", en: "¥" } },
      { name: { zh: "B 类最低累计消费", en: "Tier B minimum" }, value: 320, unit: { zh: "¥", en: "¥" } },
    ],
    tiers,
    segments: m.kind === "rfm_cube" ? [cube[0], cube[5], cube[3], cube[7]].map((g, i) => ({ group: g, customers: 250 - i * 20, customer_share: 0.25, orders: 900, revenue: 5000000 - i * 900000, revenue_share: 0.25, aov: 12000 })) : [],
    notes: [{ zh: "大多数客户只购买过一次，F 评分改用数值分档。", en: "Most customers bought once; F uses value bins." }],
    kpis: { customers: rows.length, orders, revenue: Math.round(total * 100), aov: Math.round((total / orders) * 100), a_revenue_share: a?.revenue_share ?? 0, a_customer_share: a?.customer_share ?? 0, repeat_rate: rows.filter((r) => r.orders > 1).length / rows.length, first_order: "2024-01-01", last_order: "2025-06-30" },
    pareto,
    rf_matrix: rf,
    rf_max: 5,
    playbook: {
      tiers: {
        A: { action: { zh: "专属客服一对一服务，VIP 活动与专属优惠，每月回访", en: "1:1 service" }, channel: { zh: "电话 / 企业微信 1:1", en: "Phone / WeCom" }, priority: 1, contact_in_days: 30 },
        B: { action: { zh: "定期促销与折扣，节日/生日关怀，激励升级为 A 类", en: "Promotions" }, channel: { zh: "企业微信群 / 短信", en: "WeCom group / SMS" }, priority: 2, contact_in_days: 60 },
        C: { action: { zh: "自动化低成本触达，低门槛活动，内容营销", en: "Automated reach" }, channel: { zh: "短信 / 公众号推送", en: "SMS / official account" }, priority: 3, contact_in_days: 90 },
      },
      segments: {},
    },
  };
}

let settings: Settings = {
  lang: "zh",
  default_params: defaultParams(),
  playbook: { tiers: {}, segments: {} },
  status_rules: {
    rules: [
      { pattern: "已关闭", effect: "exclude" },
      { pattern: "已取消", effect: "exclude" },
      { pattern: "待付款", effect: "exclude" },
      { pattern: "退款成功", effect: "refunded" },
      { pattern: "已退款", effect: "refunded" },
    ],
  },
  segment_names: {},
};

export async function mockInvoke(cmd: string, args: Record<string, unknown> = {}): Promise<unknown> {
  await sleep(80);
  switch (cmd) {
    case "catalogue":
      return catalogue;
    case "app_info":
      return { version: "0.1.0 (mock)", e2e: false, workspace_path: "/home/user/.local/share/tierbook", has_data: loaded, current_file: null, lang: "zh", open_error: null };
    case "recent_files":
      return [{ path: "/home/user/下载/微信小店订单_2025Q2.xlsx", name: "微信小店订单_2025Q2.xlsx", opened_at: "2025-07-01T10:00:00" }];
    case "preview_source":
      return preview(String(args.path));
    case "import_sources":
    case "open_sample":
      await runJob(args.onProgress);
      generate(1000);
      return outcome(cmd === "open_sample" ? "示例订单.xlsx" : String((args.paths as string[])[0]));
    case "cancel_job":
      return null;
    case "current_view":
      if (!loaded) throw { code: "no_customers", message: "没有可分层的客户。请先导入订单或客户表。" };
      return classify(defaultParams());
    case "classify":
      if (!loaded) throw { code: "no_customers", message: "没有可分层的客户。请先导入订单或客户表。" };
      return classify(args.params as ClassifyParams);
    case "customer_rows":
      return lastRows;
    case "customer_detail": {
      const row = lastRows.find((r) => r.key === args.key);
      if (!row) throw { code: "unknown", message: "no such customer" };
      const d: CustomerDetail = {
        row,
        orders: Array.from({ length: row.orders }, (_, i) => ({ source: 0, row: 10 + i, order_id: `37288123456789${i}`, customer_key: row.key, customer_name: row.name, phone: row.phone, placed_at: `${row.last_order}T14:22:10`, paid: Math.round((row.revenue / row.orders) * 100), refund: 0, quantity: 1, status: "已完成", order_count: 1, first_date: null, interactions: null })),
        reason: { zh: `累计消费 ¥${row.revenue.toFixed(2)}，位于贡献前 80% 的客户中`, en: "reason" },
        gap: row.gap,
        suggestion: { action: row.action, channel: { zh: "企业微信 1:1", en: "WeCom" }, priority: row.priority, next_contact: row.next_contact },
      };
      return d;
    }
    case "export_workbook":
      await runJob(args.onProgress);
      return { path: String(args.path), csv_files: args.csv ? ["/mock/A类客户.csv"] : [] };
    case "get_settings":
      return settings;
    case "save_settings":
      settings = args.settings as Settings;
      return null;
    case "list_sources":
      return loaded ? [source("/sample/示例订单.xlsx")] : [];
    case "remove_source":
      loaded = false;
      return null;
    case "list_snapshots":
      return snapshots;
    case "save_snapshot": {
      const v = classify(lastParams ?? defaultParams());
      const s: SnapshotInfo = { id: snapshots.length + 1, label: (args.label as string) ?? null, as_of: snapshots.length ? "2025-06-30" : "2025-05-31", method: v.params.method, customers: customers.length, orders: v.kpis.orders, revenue: v.kpis.revenue, tiers: v.tiers };
      snapshots.push(s);
      return s;
    }
    case "compare_snapshots": {
      // Segments only when the last classification had them (?demo=history&method=rfm_cube), as the shell does.
      const segs = [...new Set(lastRows.flatMap((r) => (r.segment ? [r.segment] : [])))];
      const pick = (n: number) =>
        lastRows.slice(0, n).map((r, i) => ({
          key: r.key,
          name: r.name,
          from: (["B", "C", "A"] as Tier[])[i % 3],
          to: r.tier,
          from_segment: segs.length ? segs[(i + 1) % segs.length] : null,
          to_segment: r.segment,
          revenue: Math.round(r.revenue * 100),
          action: r.action,
        }));
      const m: Migration = {
        old_snapshot: args.old as number,
        new_snapshot: args.new as number,
        old_as_of: "2025-05-31",
        new_as_of: "2025-06-30",
        flows: [
          { from: "A", to: "A", customers: 80, revenue: 9000000 },
          { from: "A", to: "B", customers: 12, revenue: 500000 },
          { from: "B", to: "A", customers: 15, revenue: 900000 },
          { from: "B", to: "B", customers: 160, revenue: 3000000 },
          { from: "B", to: "C", customers: 30, revenue: 200000 },
          { from: "C", to: "B", customers: 40, revenue: 400000 },
          { from: "C", to: "C", customers: 500, revenue: 1500000 },
          { from: null, to: "C", customers: 90, revenue: 200000 },
          { from: null, to: "B", customers: 10, revenue: 100000 },
          { from: "C", to: null, customers: 60, revenue: 0 },
          { from: "A", to: null, customers: 3, revenue: 0 },
        ],
        upgraded: pick(20),
        downgraded: pick(12),
        new: pick(8).map((m) => ({ ...m, from: null, from_segment: null })),
        lost: pick(5).map((m) => ({ ...m, to: null, to_segment: null })),
        // The same 900 → 937 customers as `flows`, by RFM type (63 lost, 100 new).
        segment_flows: segs.length ? mockSegmentFlows() : [],
      };
      return m;
    }
    case "reveal_path":
      return null;
    default:
      throw { code: "unknown", message: `mock: unknown command ${cmd}` };
  }
}

function mockSegmentFlows(): SegmentFlow[] {
  const [v, d, k, w, gv, gd, gk, gw] = cube;
  const rows: [string | null, string | null, number][] = [
    [v, v, 70], [v, k, 10], [v, w, 6], [v, null, 3],
    [d, v, 12], [d, d, 40], [d, gd, 8],
    [k, k, 60], [k, w, 15],
    [w, w, 30], [w, v, 5],
    [gv, gv, 50], [gv, v, 10],
    [gd, gd, 120], [gd, d, 20], [gd, gk, 40],
    [gk, gk, 150], [gk, gw, 60], [gk, null, 20],
    [gw, gw, 121], [gw, gk, 10], [gw, null, 40],
    [null, gd, 80], [null, d, 10], [null, gv, 10],
  ];
  return rows.map(([from, to, customers]) => ({ from, to, customers, revenue: customers * 3200 }));
}
