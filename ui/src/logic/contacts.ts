// The 本周该联系 screen and the rhythm columns: words and numbers for the purchase rhythm, the
// summary above the contact list, and the threshold form's check. Who is on the list and in which
// order is the core's decision (crates/core/src/contacts.rs); nothing here re-ranks it.

import {
  TIERS,
  type Contact,
  type Period,
  type Rhythm,
  type RhythmState,
  type RhythmThresholds,
  type Tier,
} from "../types";

/** Periods in picker order. */
export const PERIODS: Period[] = ["week", "2weeks", "month"];

/** States in order of urgency, for tags and counts. */
export const STATES: RhythmState[] = ["NotDue", "Due", "AtRisk", "Lapsed"];

/** The i18n key of a state's name (rhythm.state.Due → 该联系了). */
export const stateKey = (s: RhythmState) => `rhythm.state.${s}`;

/** Naive UI tag type per state: calm, attention, warning, gone. */
export function stateTagType(s: RhythmState): "default" | "info" | "warning" | "error" {
  switch (s) {
    case "NotDue":
      return "default";
    case "Due":
      return "info";
    case "AtRisk":
      return "warning";
    default:
      return "error";
  }
}

/** A gap in days as people say it: whole days without decimals, a half day with one. */
export function formatGap(days: number): string {
  return Number.isInteger(days) ? String(days) : days.toFixed(1);
}

/**
 * An overdue ratio, truncated to one decimal ("0.9×" for 0.96): rounding would show "1.0×" for a
 * customer not due yet, exactly where the state changes.
 */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 10) / 10).toFixed(1)}×`;
}

/** The short rhythm cell of the customer table: "30 天 · 1.5×", or "" without a rhythm. */
export function rhythmCell(r: Rhythm | null, dayUnit: (n: string) => string): string {
  if (!r) return "";
  return `${dayUnit(formatGap(r.gap_days))} · ${formatRatio(r.overdue_ratio)}`;
}

export interface ContactSummary {
  total: number;
  /** Customers per tier, every tier present (0 when none). */
  byTier: Record<Tier, number>;
  /** Customers per state. */
  byState: Record<RhythmState, number>;
  /** Sum of the value at stake, in fen. */
  valueAtStake: number;
  /** Contacts due today or earlier (contact on the first day of the period). */
  today: number;
}

/** Counts for the chips above the list. */
export function summarize(contacts: Contact[], asOf: string): ContactSummary {
  const byTier = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>;
  const byState = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<RhythmState, number>;
  let valueAtStake = 0;
  let today = 0;
  for (const c of contacts) {
    byTier[c.tier]++;
    byState[c.state]++;
    valueAtStake += c.value_at_stake;
    if (c.contact_on <= asOf) today++;
  }
  return { total: contacts.length, byTier, byState, valueAtStake, today };
}

/** The contacts of the chosen tiers (all when none is chosen), keeping the core's order. */
export function contactsOfTiers(contacts: Contact[], tiers: Tier[]): Contact[] {
  if (!tiers.length) return contacts;
  const wanted = new Set(tiers);
  return contacts.filter((c) => wanted.has(c.tier));
}

/** The contacts of the chosen tiers and states (a filter with nothing chosen keeps all), in the core's order. */
export function contactsOf(contacts: Contact[], tiers: Tier[], states: RhythmState[]): Contact[] {
  const byTier = contactsOfTiers(contacts, tiers);
  if (!states.length) return byTier;
  const wanted = new Set(states);
  return byTier.filter((c) => wanted.has(c.state));
}

/**
 * The campaign's audience in words when it is the contact list on screen: the period, then the chosen
 * tiers and states as the user picked them ("本周该联系 · A类 · 该联系了"), so the campaign list says
 * which rows were marked.
 */
export function contactsAudience(period: string, tiers: string[], states: string[]): string {
  return [period, tiers.join("、"), states.join("、")].filter((x) => x).join(" · ");
}

/** What is wrong with the threshold form, as i18n keys (empty when it can be saved). */
export function thresholdProblems(t: RhythmThresholds): string[] {
  const values = [t.due, t.at_risk, t.lapsed];
  if (values.some((v) => typeof v !== "number" || !Number.isFinite(v))) return ["contacts.thresholdsMissing"];
  if (t.due <= 0) return ["contacts.thresholdsPositive"];
  if (!(t.due < t.at_risk && t.at_risk < t.lapsed)) return ["contacts.thresholdsOrder"];
  return [];
}

/** The default file name of the CSV: 本周该联系_2025-12-31.csv. */
export function csvName(title: string, asOf: string): string {
  return `${title}_${asOf}.csv`;
}
