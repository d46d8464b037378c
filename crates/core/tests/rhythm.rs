//! Purchase rhythm and the contact list against an independent computation written here (it never
//! calls `tierbook_core::rhythm`): on a generated export (in memory and through a workspace) and on
//! an xlsx written by rust_xlsxwriter with the edge cases — one order, two orders on one day, a
//! refunded order between two paid ones.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use rust_xlsxwriter::Workbook;
use tierbook_core::classify::{classify, ClassifyParams};
use tierbook_core::contacts::{contact_list, ContactOptions, Period};
use tierbook_core::customers::aggregate;
use tierbook_core::generate::{generate, FileFormat, GenerateOptions, Layout};
use tierbook_core::import::{import_files, ImportOptions};
use tierbook_core::playbook::Playbook;
use tierbook_core::rhythm::{compute, GapBasis, OrderDays, RhythmState, RhythmThresholds};
use tierbook_core::store::Workspace;
use tierbook_core::{Customer, NoProgress, Order, Tier};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// What the test expects for one customer, worked out by hand rules.
#[derive(Debug, PartialEq)]
struct Expected {
    gap: f64,
    shop_basis: bool,
    expected_next: NaiveDate,
    days_overdue: i64,
    ratio: f64,
    state: &'static str,
}

/// The independent computation: distinct order days per key, median of consecutive gaps, the shop's
/// median first-to-second gap for one-time buyers, ceil for the expected day, states at 1×/2×/4×.
fn independent(orders: &[Order], as_of: NaiveDate, cuts: (f64, f64, f64)) -> BTreeMap<String, Expected> {
    let mut days: BTreeMap<&str, BTreeSet<NaiveDate>> = BTreeMap::new();
    for o in orders {
        assert_eq!(o.order_count, 1, "order-level data only here");
        days.entry(&o.customer_key).or_default().insert(o.placed_at.date());
    }
    let median = |mut v: Vec<f64>| -> Option<f64> {
        if v.is_empty() {
            return None;
        }
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let n = v.len();
        Some(if n.is_multiple_of(2) { (v[n / 2 - 1] + v[n / 2]) / 2.0 } else { v[n / 2] })
    };
    let firsts: Vec<f64> = days
        .values()
        .filter(|d| d.len() > 1)
        .map(|d| {
            let mut it = d.iter();
            let (a, b) = (it.next().unwrap(), it.next().unwrap());
            (*b - *a).num_days() as f64
        })
        .collect();
    let shop = median(firsts);
    let mut out = BTreeMap::new();
    for (key, d) in &days {
        let list: Vec<NaiveDate> = d.iter().copied().collect();
        let gaps: Vec<f64> = list.windows(2).map(|w| (w[1] - w[0]).num_days() as f64).collect();
        let (gap, shop_basis) = match median(gaps) {
            Some(g) => (g, false),
            None => match shop {
                Some(s) => (s, true),
                None => continue,
            },
        };
        let last = *list.last().unwrap();
        let expected_next = last + Duration::days(gap.ceil() as i64);
        let since = (as_of - last).num_days().max(0);
        let ratio = since as f64 / gap;
        let state = if ratio >= cuts.2 {
            "已流失"
        } else if ratio >= cuts.1 {
            "流失预警"
        } else if ratio >= cuts.0 {
            "该联系了"
        } else {
            "未到期"
        };
        out.insert(
            key.to_string(),
            Expected { gap, shop_basis, expected_next, days_overdue: (as_of - expected_next).num_days(), ratio, state },
        );
    }
    out
}

/// The core's rhythm in the same shape as `Expected`.
fn from_core(
    customers: &[Customer],
    days: &OrderDays,
    as_of: NaiveDate,
    t: RhythmThresholds,
) -> BTreeMap<String, Expected> {
    let rhythms = compute(customers, days, as_of, t).unwrap();
    assert_eq!(rhythms.customers.len(), customers.len());
    customers
        .iter()
        .zip(&rhythms.customers)
        .filter_map(|(c, r)| {
            let r = r.as_ref()?;
            Some((
                c.key.clone(),
                Expected {
                    gap: r.gap_days,
                    shop_basis: r.basis == GapBasis::Shop,
                    expected_next: r.expected_next,
                    days_overdue: r.days_overdue,
                    ratio: r.overdue_ratio,
                    state: r.state.label(tierbook_core::Lang::Zh),
                },
            ))
        })
        .collect()
}

fn generated(dir: &Path) -> PathBuf {
    let path = dir.join("orders.csv");
    let options = GenerateOptions {
        layout: Layout::Wechat,
        format: FileFormat::Csv,
        orders: 3000,
        customers: Some(600),
        seed: 11,
        ..GenerateOptions::default()
    };
    let truth = generate(&path, &options).unwrap();
    assert!(truth.customers.iter().filter(|c| c.orders >= 3).count() > 50, "the export needs repeat buyers");
    path
}

#[test]
fn rhythm_of_a_generated_export_equals_the_independent_computation() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path());
    let ds = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap();
    let customers = aggregate(&ds.orders);
    let days = OrderDays::from_orders(&ds.orders);
    let last = customers.iter().map(|c| c.last_order).max().unwrap();
    let mut states = BTreeSet::new();
    // As-of at the last order, and half a year later, where most customers are overdue.
    for (as_of, t) in [
        (last, RhythmThresholds::default()),
        (last + Duration::days(180), RhythmThresholds::default()),
        (last + Duration::days(40), RhythmThresholds { due: 0.8, at_risk: 1.5, lapsed: 3.0 }),
    ] {
        let mine = independent(&ds.orders, as_of, (t.due, t.at_risk, t.lapsed));
        let core = from_core(&customers, &days, as_of, t);
        assert_eq!(core.len(), customers.len(), "every customer has a rhythm in a shop with repeat buyers");
        assert_eq!(core.len(), mine.len());
        for (key, want) in &mine {
            let got = &core[key];
            assert_eq!(got.gap, want.gap, "{key} gap");
            assert_eq!(got.shop_basis, want.shop_basis, "{key}");
            assert_eq!(got.expected_next, want.expected_next, "{key}");
            assert_eq!(got.days_overdue, want.days_overdue, "{key}");
            assert!((got.ratio - want.ratio).abs() < 1e-12, "{key} ratio {} vs {}", got.ratio, want.ratio);
            assert_eq!(got.state, want.state, "{key} state");
            states.insert(want.state);
        }
        assert!(mine.values().any(|e| e.shop_basis) && mine.values().any(|e| !e.shop_basis));
    }
    assert_eq!(states.len(), 4, "every state occurs: {states:?}");
}

/// An as-of date inside the data (an analysis window's end): the orders after it are not known yet,
/// so the rhythm is that of a file holding only the orders up to it (the independent computation).
#[test]
fn rhythm_at_an_earlier_as_of_date_ignores_the_later_orders() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path());
    let ds = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap();
    let first = ds.orders.iter().map(|o| o.placed_at.date()).min().unwrap();
    let last = ds.orders.iter().map(|o| o.placed_at.date()).max().unwrap();
    let as_of = first + (last - first) / 2;
    let before: Vec<Order> = ds.orders.iter().filter(|o| o.placed_at.date() <= as_of).cloned().collect();
    assert!(before.len() < ds.orders.len() && before.len() > 100);
    // The customers of the orders up to the as-of date (what the window hands over), the days of all.
    let customers = aggregate(&before);
    let core = from_core(&customers, &OrderDays::from_orders(&ds.orders), as_of, RhythmThresholds::default());
    let t = RhythmThresholds::default();
    let mine = independent(&before, as_of, (t.due, t.at_risk, t.lapsed));
    assert_eq!(core.len(), mine.len());
    for (key, want) in &mine {
        let got = &core[key];
        assert_eq!(
            (got.gap, got.expected_next, got.days_overdue, got.state),
            (want.gap, want.expected_next, want.days_overdue, want.state),
            "{key}"
        );
    }
}

#[test]
fn the_workspace_gives_the_same_order_days_as_the_orders() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path());
    let ds = import_files(std::slice::from_ref(&path), &ImportOptions::default(), &NoProgress).unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    let at = day("2026-01-02").and_hms_opt(9, 0, 0).unwrap();
    ws.import(&[path], &ImportOptions::default(), at, &NoProgress).unwrap();
    let customers = ws.customers().unwrap();
    let as_of = customers.iter().map(|c| c.last_order).max().unwrap() + Duration::days(30);
    let from_store = from_core(&customers, &ws.order_days().unwrap(), as_of, RhythmThresholds::default());
    assert_eq!(from_store, independent(&ds.orders, as_of, (1.0, 2.0, 4.0)));
}

/// 订单号, 下单时间, 订单状态, 买家ID, 实付金额, 退款金额 — written as a real xlsx.
fn write_orders(path: &Path, rows: &[(&str, &str, &str, &str, f64, f64)]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["订单号", "下单时间", "订单状态", "买家ID", "实付金额", "退款金额"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (id, at, status, buyer, paid, refund)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, *at).unwrap();
        ws.write_string(r, 2, *status).unwrap();
        ws.write_string(r, 3, *buyer).unwrap();
        ws.write_number(r, 4, *paid).unwrap();
        ws.write_number(r, 5, *refund).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn edge_cases_one_order_same_day_and_a_refund_between_paid_orders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edge.xlsx");
    write_orders(
        &path,
        &[
            // once: a single order → the shop's median first-to-second gap.
            ("100001", "2025-03-01 10:00:00", "已完成", "once", 80.0, 0.0),
            // sameday: two orders on 03-01 are one purchase day; then 03-21 → one gap of 20.
            ("100002", "2025-03-01 09:00:00", "已完成", "sameday", 50.0, 0.0),
            ("100003", "2025-03-01 18:30:00", "已完成", "sameday", 60.0, 0.0),
            ("100004", "2025-03-21 12:00:00", "已完成", "sameday", 70.0, 0.0),
            // refund: paid 02-01, refunded 02-11, paid 03-03 → one gap of 30, not 10 + 20.
            ("100005", "2025-02-01 12:00:00", "已完成", "refund", 100.0, 0.0),
            ("100006", "2025-02-11 12:00:00", "已退款", "refund", 100.0, 100.0),
            ("100007", "2025-03-03 12:00:00", "已完成", "refund", 100.0, 0.0),
            // steady: 01-01, 01-11, 01-31, 02-10 → gaps 10, 20, 10 → median 10.
            ("100008", "2025-01-01 08:00:00", "已完成", "steady", 30.0, 0.0),
            ("100009", "2025-01-11 08:00:00", "已完成", "steady", 30.0, 0.0),
            ("100010", "2025-01-31 08:00:00", "已完成", "steady", 30.0, 0.0),
            ("100011", "2025-02-10 08:00:00", "已完成", "steady", 30.0, 0.0),
        ],
    );
    let ds = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap();
    let customers = aggregate(&ds.orders);
    let as_of = day("2025-04-01");
    let core = from_core(&customers, &OrderDays::from_orders(&ds.orders), as_of, RhythmThresholds::default());
    assert_eq!(core, independent(&ds.orders, as_of, (1.0, 2.0, 4.0)));

    // And the hand-worked numbers, so that both sides agree with the rules as written.
    assert_eq!(core["sameday"].gap, 20.0);
    assert_eq!(core["sameday"].expected_next, day("2025-04-10"));
    assert_eq!(core["sameday"].state, "未到期");
    assert_eq!(core["refund"].gap, 30.0);
    assert_eq!(core["refund"].expected_next, day("2025-04-02"));
    assert_eq!(core["refund"].days_overdue, -1);
    assert_eq!(core["steady"].gap, 10.0);
    assert_eq!(core["steady"].ratio, 5.0);
    assert_eq!(core["steady"].state, "已流失");
    // First-to-second gaps: sameday 20, refund 30, steady 10 → median 20.
    let once = &core["once"];
    assert!(once.shop_basis);
    assert_eq!(once.gap, 20.0);
    assert_eq!(once.ratio, 31.0 / 20.0);
    assert_eq!(once.state, "该联系了");
}

#[test]
fn a_shop_without_repeat_buyers_gives_one_time_buyers_no_rhythm() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("once.xlsx");
    write_orders(
        &path,
        &[
            ("1", "2025-03-01 10:00:00", "已完成", "a", 80.0, 0.0),
            ("2", "2025-03-02 10:00:00", "已完成", "b", 80.0, 0.0),
        ],
    );
    let ds = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap();
    let customers = aggregate(&ds.orders);
    let r = compute(&customers, &OrderDays::from_orders(&ds.orders), day("2025-04-01"), RhythmThresholds::default())
        .unwrap();
    assert_eq!(r.shop_gap_days, None);
    assert!(r.customers.iter().all(Option::is_none));
}

/// The contact list of the generated export, checked rule by rule against the rhythm and the tiers.
#[test]
fn the_contact_list_holds_exactly_the_customers_due_in_the_period_in_value_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path());
    let ds = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap();
    let customers = aggregate(&ds.orders);
    let class = classify(&customers, &ClassifyParams::default()).unwrap();
    let as_of = class.as_of;
    let mine = independent(&ds.orders, as_of, (1.0, 2.0, 4.0));
    let rhythms = compute(&customers, &OrderDays::from_orders(&ds.orders), as_of, RhythmThresholds::default()).unwrap();
    let playbook = Playbook::default();
    let mut sizes = Vec::new();
    for period in Period::ALL {
        let list =
            contact_list(&customers, &class, &rhythms, &playbook, ContactOptions { period, include_lapsed: false })
                .unwrap();
        let until = as_of + Duration::days(period.days() as i64 - 1);
        assert_eq!(list.until, until);
        // Who: not lapsed, and the expected next order day (ratio 1×) falls on or before the period's end.
        let want: BTreeSet<&str> = mine
            .iter()
            .filter(|(_, e)| e.state != "已流失" && e.expected_next <= until)
            .map(|(k, _)| k.as_str())
            .collect();
        let got: BTreeSet<&str> = list.keys().into_iter().collect();
        assert_eq!(got, want, "{period:?}");
        sizes.push(got.len());
        for (i, c) in list.contacts.iter().enumerate() {
            let e = &mine[&c.key];
            let customer = customers.iter().find(|x| x.key == c.key).unwrap();
            assert_eq!(c.rank as usize, i + 1);
            assert_eq!(c.contact_on, e.expected_next.max(as_of), "{}", c.key);
            assert_eq!(c.follow_up_on, c.contact_on + Duration::days(e.gap.ceil() as i64));
            let aov = (customer.revenue as f64 / customer.orders as f64).round();
            assert_eq!(c.value_at_stake, (aov * e.ratio).round() as i64);
            assert!(c.reason.zh.contains(&format!("已 {} 天未下单", (as_of - customer.last_order).num_days())));
            let on_contact_day = (c.contact_on - customer.last_order).num_days() as f64 / e.gap;
            let want_state = if on_contact_day >= 4.0 {
                RhythmState::Lapsed
            } else if on_contact_day >= 2.0 {
                RhythmState::AtRisk
            } else {
                RhythmState::Due
            };
            assert_eq!(c.state, want_state, "{}", c.key);
            assert_ne!(c.state, RhythmState::Lapsed);
        }
        // Order: tier first, then value at stake (highest first).
        for w in list.contacts.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            assert!(a.tier < b.tier || (a.tier == b.tier && a.value_at_stake >= b.value_at_stake), "{a:?} / {b:?}");
        }
        assert!(list.contacts.iter().any(|c| c.tier == Tier::A));
    }
    assert!(sizes[0] <= sizes[1] && sizes[1] <= sizes[2] && sizes[0] > 0, "{sizes:?}");
    let with_lapsed = contact_list(
        &customers,
        &class,
        &rhythms,
        &playbook,
        ContactOptions { period: Period::Week, include_lapsed: true },
    )
    .unwrap();
    let lapsed = mine.values().filter(|e| e.state == "已流失").count();
    assert_eq!(with_lapsed.contacts.len(), sizes[0] + lapsed);
}

/// Mid-rank percentile written here: (values below + half the equal ones) / n.
fn mid_rank(values: &[f64], x: f64) -> f64 {
    let below = values.iter().filter(|v| **v < x).count() as f64;
    let equal = values.iter().filter(|v| **v == x).count() as f64;
    (below + 0.5 * equal) / values.len() as f64
}

/// The composite score with a rhythm weight, against a score computed here from the orders: the gaps
/// and overdue ratios of `independent` (not `tierbook_core::rhythm`), mid-rank percentiles of spend,
/// orders, recency and the overdue ratio, the normalized weights. With the weight at 0 the result is
/// the one `classify` gives, to the byte.
#[test]
fn the_composite_score_weighs_the_overdue_ratio_as_computed_here() {
    use tierbook_core::classify::{classify_with_rhythm, Method, Weights};
    use tierbook_core::rhythm::typical_gaps;

    let dir = tempfile::tempdir().unwrap();
    let path = generated(dir.path());
    let ds = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap();
    let customers = aggregate(&ds.orders);
    assert!(customers.iter().all(|c| c.interactions.is_none()), "the weights below assume no interaction counts");
    let as_of = customers.iter().map(|c| c.last_order).max().unwrap() + Duration::days(20);
    let mine = independent(&ds.orders, as_of, (1.0, 2.0, 4.0));
    // The gaps the classification gets are the ones worked out here; the core's own agree with them.
    let gaps: Vec<Option<f64>> = customers.iter().map(|c| mine.get(&c.key).map(|e| e.gap)).collect();
    assert_eq!(typical_gaps(&customers, &OrderDays::from_orders(&ds.orders)), gaps);

    let composite = |rhythm: Option<f64>| ClassifyParams {
        method: Method::Composite {
            weights: Weights { value: 0.4, frequency: 0.2, recency: 0.2, interactions: 0.0, rhythm },
            a_min: 70.0,
            b_min: 40.0,
        },
        as_of: Some(as_of),
        ..ClassifyParams::default()
    };

    // Weight 0 (or none): exactly what `classify` gives, with or without the gaps.
    let plain = serde_json::to_string(&classify(&customers, &composite(None)).unwrap()).unwrap();
    for rhythm in [None, Some(0.0)] {
        let with = classify_with_rhythm(&customers, &composite(rhythm), &gaps).unwrap();
        assert_eq!(serde_json::to_string(&with).unwrap(), plain, "{rhythm:?}");
    }

    let got = classify_with_rhythm(&customers, &composite(Some(0.2)), &gaps).unwrap();
    let spend: Vec<f64> = customers.iter().map(|c| c.revenue as f64).collect();
    let orders: Vec<f64> = customers.iter().map(|c| f64::from(c.orders)).collect();
    let recency: Vec<f64> = customers.iter().map(|c| (as_of - c.last_order).num_days().max(0) as f64).collect();
    let ratios: Vec<f64> = customers.iter().filter_map(|c| mine.get(&c.key).map(|e| e.ratio)).collect();
    assert!(ratios.len() > customers.len() / 2);
    // value 0.4, frequency 0.2, recency 0.2, rhythm 0.2: they already sum to 1.
    let mut moved = 0;
    for (i, c) in customers.iter().enumerate() {
        let rhythm = mine.get(&c.key).map_or(0.5, |e| 1.0 - mid_rank(&ratios, e.ratio));
        let want = 100.0
            * (0.4 * mid_rank(&spend, spend[i])
                + 0.2 * mid_rank(&orders, orders[i])
                + 0.2 * (1.0 - mid_rank(&recency, recency[i]))
                + 0.2 * rhythm);
        let a = &got.assignments[i];
        let score = a.score.unwrap();
        assert!((score - want).abs() < 1e-9, "{}: core {score}, here {want}", c.key);
        if (want - 70.0).abs() > 1e-9 && (want - 40.0).abs() > 1e-9 {
            let tier = if want >= 70.0 {
                Tier::A
            } else if want >= 40.0 {
                Tier::B
            } else {
                Tier::C
            };
            assert_eq!(a.tier, tier, "{}", c.key);
        }
        let without = serde_json::from_str::<serde_json::Value>(&plain).unwrap()["assignments"][i]["score"].as_f64();
        moved += usize::from(without != Some(score));
    }
    assert!(moved > customers.len() / 2, "the rhythm weight changes the scores ({moved} moved)");
    // The threshold table and the reasons name the rhythm part.
    assert!(got.thresholds.iter().any(|t| t.name.zh.contains("回购节奏")));
    assert!(got.assignments[0].reason.zh.contains("回购节奏"));

    // Without gaps the weight cannot be used: said in a note, and shared out among the others.
    let blind = classify(&customers, &composite(Some(0.2))).unwrap();
    assert!(blind.notes.iter().any(|n| n.zh.contains("回购节奏权重按比例分给")));
}
