// The 营销 screen's logic: the campaign form → the core's CampaignSpec, the holdout preview, the
// report's figures as table rows and a bar chart, and the customer list's 降级客户 filter.
// The report's numbers come from the core (campaign_report); nothing here recomputes them.

import type { Audience, CampaignReport, CampaignSpec, CustomerRow, GroupResult, Lang, Tier, Verdict } from "../types";
import { formatFen, formatInt, formatShare } from "./format";

/** What the user fills in on the 营销 screen. */
export interface CampaignForm {
  name: string;
  /** YYYY-MM-DD */
  date: string;
  channel: string;
  /** Yuan per contacted customer; null = no cost. */
  costYuan: number | null;
  /** Held out, 0–90 (%). */
  holdoutPct: number;
  /** null = a new random seed, stored with the campaign so the draw can be repeated. */
  seed: number | null;
}

/** Today in the user's time zone as YYYY-MM-DD. */
export function today(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export const defaultCampaignForm = (now: Date = new Date()): CampaignForm => ({
  name: "",
  date: today(now),
  channel: "企业微信",
  costYuan: null,
  holdoutPct: 20,
  seed: null,
});

/** Problems with the form, as i18n keys under `campaigns.errors` (empty when it can be sent). */
export function validateCampaignForm(form: CampaignForm): string[] {
  const errors: string[] = [];
  if (!form.name.trim()) errors.push("name");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.date)) errors.push("date");
  if (!(form.holdoutPct >= 0 && form.holdoutPct <= 90)) errors.push("holdout");
  if (form.costYuan !== null && !(form.costYuan >= 0)) errors.push("cost");
  return errors;
}

/** The spec the core stores: cost in fen, holdout as a share, a seed (random when none was given). */
export function specFromForm(form: CampaignForm, audience = "", random: () => number = Math.random): CampaignSpec {
  return {
    name: form.name.trim(),
    date: form.date,
    channel: form.channel.trim(),
    cost_per_contact: form.costYuan === null ? null : Math.round(form.costYuan * 100),
    holdout_share: form.holdoutPct / 100,
    seed: form.seed ?? Math.floor(random() * 0xffffffff),
    // Empty: the shell describes the audience in words (a tier, a segment by its catalogue name, a count of keys).
    audience: audience.trim(),
  };
}

/** How many of `members` the core holds out at `pct` % (round, at least one contacted): a preview. */
export function holdoutPreview(members: number, pct: number): { contacted: number; holdout: number } {
  const holdout = Math.min(Math.round((members * pct) / 100), Math.max(members - 1, 0));
  return { contacted: members - holdout, holdout };
}

/** Members an audience stands for among the rows on screen (a tier, a segment or RFM type, or keys). */
export function audienceSize(audience: Audience, rows: CustomerRow[]): number {
  switch (audience.kind) {
    case "keys":
      return new Set(audience.value.map((k) => k.trim()).filter((k) => k)).size;
    case "tier":
      return rows.filter((r) => r.tier === audience.value).length;
    case "segment":
      return rows.filter((r) => r.segment === audience.value || r.rfm_type === audience.value).length;
  }
}

/** A tier audience (the tiers screen) and a key audience (the customer list's selection). */
export const tierAudience = (tier: Tier): Audience => ({ kind: "tier", value: tier });
export const keysAudience = (rows: CustomerRow[]): Audience => ({ kind: "keys", value: rows.map((r) => r.key) });

/** One line of the report table: a measure for contacted and holdout. */
export interface ReportLine {
  id: string;
  contacted: string;
  holdout: string;
}

const line = (id: string, g: (x: GroupResult) => string, r: CampaignReport): ReportLine => ({
  id,
  contacted: g(r.contacted),
  holdout: r.holdout ? g(r.holdout) : "—",
});

/** The report's figures as rows (ids are i18n keys under `campaigns.report`). */
export function reportLines(r: CampaignReport): ReportLine[] {
  return [
    line("customers", (g) => formatInt(g.customers), r),
    line("buyers", (g) => formatInt(g.buyers), r),
    line("rate", (g) => formatShare(g.repurchase_rate), r),
    line("orders", (g) => formatInt(g.orders), r),
    line("revenue", (g) => formatFen(g.revenue), r),
    line("perCustomer", (g) => formatFen(Math.round(g.revenue_per_customer)), r),
  ];
}

/** The single figures under the table: uplift, cost, returns (ids are i18n keys). */
export function reportFigures(r: CampaignReport): { id: string; value: string }[] {
  const out: { id: string; value: string }[] = [];
  const ratio = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "—");
  if (r.uplift_points !== null)
    out.push({ id: "uplift", value: `${r.uplift_points >= 0 ? "+" : ""}${r.uplift_points.toFixed(1)}` });
  if (r.cost !== null) out.push({ id: "cost", value: formatFen(r.cost) });
  if (r.return_on_cost !== null) out.push({ id: "roc", value: ratio(r.return_on_cost) });
  if (r.incremental_revenue !== null)
    out.push({ id: "incremental", value: formatFen(Math.round(r.incremental_revenue)) });
  if (r.incremental_return !== null) out.push({ id: "incrementalRoc", value: ratio(r.incremental_return) });
  return out;
}

/** How the conclusion is shown: green when it worked, red when it hurt, amber when it cannot tell. */
export function verdictTone(v: Verdict): "success" | "error" | "warning" | "info" {
  switch (v) {
    case "better":
      return "success";
    case "worse":
      return "error";
    case "too_small":
    case "not_clear":
      return "warning";
    case "no_holdout":
      return "info";
  }
}

/** Repurchase rate of contacted vs holdout as two bars (0–100 %). */
export function reportChart(r: CampaignReport, labels: { contacted: string; holdout: string }) {
  const groups = [{ name: labels.contacted, g: r.contacted, color: "#1677ff" }];
  if (r.holdout) groups.push({ name: labels.holdout, g: r.holdout, color: "#bfbfbf" });
  return {
    grid: { left: 48, right: 16, top: 24, bottom: 32 },
    tooltip: { trigger: "axis", valueFormatter: (v: number) => `${v.toFixed(1)}%` },
    xAxis: { type: "category", data: groups.map((x) => x.name) },
    // The chart's title names the measure; an axis name would sit on top of it.
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      {
        type: "bar",
        barWidth: 48,
        label: { show: true, position: "top", formatter: (p: { value: number }) => `${p.value.toFixed(1)}%` },
        data: groups.map((x) => ({ value: x.g.repurchase_rate * 100, itemStyle: { color: x.color } })),
      },
    ],
  };
}

/** Rows whose tier dropped since the previous snapshot (降级客户). */
export const onlyDropped = (rows: CustomerRow[]): CustomerRow[] => rows.filter((r) => r.dropped);

/** "A → B" for a row with a previous tier, "" otherwise. */
export function tierMove(r: Pick<CustomerRow, "previous_tier" | "tier">): string {
  return r.previous_tier ? `${r.previous_tier} → ${r.tier}` : "";
}

/** The audience in words for the form's header; `description` (the sending screen's words) before the count. */
export function audienceLabel(audience: Audience, size: number, lang: Lang, description: string | null = null): string {
  const n = formatInt(size);
  if (description) return lang === "en" ? `${description} (${n})` : `${description}（${n} 位）`;
  switch (audience.kind) {
    case "tier":
      return lang === "en" ? `Tier ${audience.value} (${n})` : `${audience.value}类（${n} 位）`;
    case "segment":
      return lang === "en" ? `${audience.value} (${n})` : `${audience.value}（${n} 位）`;
    case "keys":
      return lang === "en" ? `${n} selected customer(s)` : `选中的 ${n} 位客户`;
  }
}
