//! Classification rules of DESIGN §5, one test per rule, plus a cross-check against the
//! independent Python truth (`/work/shared/tools/gen_orders.py`) when Python is available.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use tierbook_core::classify::{
    self, classify, classify_tiers, default_segment_rules, method_defaults, pareto, rf_matrix, Classifier,
    ClassifyParams, CubeBasis, Measure, Method, SegmentRule, Weights, ZeroRevenue,
};
use tierbook_core::{Customer, Error, Tier};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn customer(key: &str, orders: u32, yuan: f64, first: &str, last: &str) -> Customer {
    Customer {
        key: key.to_string(),
        name: format!("客户{key}"),
        phone: None,
        orders,
        revenue: (yuan * 100.0).round() as i64,
        first_order: day(first),
        last_order: day(last),
        interactions: None,
        // Every method of the catalogue runs on these customers, ABC by profit included.
        profit: Some((yuan * 30.0).round() as i64),
    }
}

fn params(method: Method) -> ClassifyParams {
    ClassifyParams { method, ..Default::default() }
}

fn tiers(c: &classify::Classification) -> Vec<Tier> {
    c.assignments.iter().map(|a| a.tier).collect()
}

// ------------------------------------------------------------------------------ every method

fn arb_customers() -> impl Strategy<Value = Vec<Customer>> {
    prop::collection::vec((1u32..40, 0i64..2_000_000, 0i64..500, 0i64..300), 1..120).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (orders, cents, last_ago, span))| {
                let last = day("2025-06-30") - chrono::Duration::days(last_ago);
                Customer {
                    key: format!("k{:04}", (i * 7919) % 10007),
                    name: String::new(),
                    phone: None,
                    orders,
                    revenue: cents,
                    first_order: last - chrono::Duration::days(span),
                    last_order: last,
                    interactions: if i % 3 == 0 { Some((i % 11) as f64) } else { None },
                    // Some lose money, some cost is unknown: ABC by profit copes with both.
                    profit: (i % 7 != 3).then(|| cents * 3 / 10 - (i as i64 % 4) * 1000),
                }
            })
            .collect()
    })
}

fn all_methods() -> Vec<Method> {
    let mut m = method_defaults();
    m.push(Method::AbcCustomers { a_pct: 20.0, b_pct: 70.0, zero_revenue: ZeroRevenue::D });
    m.push(Method::Thresholds { measure: Measure::Aov, a_min: 500.0, b_min: 100.0, c_min: Some(20.0) });
    m.push(Method::Thresholds { measure: Measure::Orders, a_min: 5.0, b_min: 2.0, c_min: None });
    m.push(Method::RfmScores { bins: 3, a_min: 7, b_min: 5 });
    m.push(Method::RfmScores { bins: 4, a_min: 10, b_min: 7 });
    m.push(Method::RfmCube { basis: CubeBasis::Median });
    m.push(Method::RfmCube { basis: CubeBasis::Fixed { r_days: 30.0, f: 3.0, m_yuan: 200.0 } });
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn tiers_partition_customers_and_revenue_shares_sum_to_one(customers in arb_customers()) {
        for method in all_methods() {
            let c = classify(&customers, &params(method.clone())).unwrap();
            prop_assert_eq!(c.assignments.len(), customers.len());
            let counted: u64 = c.tiers.iter().map(|t| t.customers).sum();
            prop_assert_eq!(counted, customers.len() as u64, "{:?}", method);
            for t in &c.tiers {
                let n = c.assignments.iter().filter(|a| a.tier.letter() == t.group).count() as u64;
                prop_assert_eq!(n, t.customers);
            }
            let total: i64 = customers.iter().map(|c| c.revenue).sum();
            if total > 0 {
                let share: f64 = c.tiers.iter().map(|t| t.revenue_share).sum();
                prop_assert!((share - 1.0).abs() < 1e-9, "{:?}: {}", method, share);
                if !c.segments.is_empty() {
                    let share: f64 = c.segments.iter().map(|t| t.revenue_share).sum();
                    prop_assert!((share - 1.0).abs() < 1e-9);
                }
            }
            let letters: Vec<&str> = c.tiers.iter().map(|t| t.group.as_str()).collect();
            prop_assert_eq!(&letters[..3], &["A", "B", "C"][..]);
            for a in &c.assignments {
                prop_assert!((1..=5).contains(&a.r_score) && (1..=5).contains(&a.f_score) && (1..=5).contains(&a.m_score));
                prop_assert!(!a.reason.zh.is_empty() && !a.reason.en.is_empty());
            }
        }
    }

    /// The classifier keeps the method-independent facts between calls; what it returns must be what
    /// a fresh `classify` / `classify_tiers` returns, to the last bit (compared through `Debug`, which
    /// prints every float exactly), for every method, as-of date and bin count, whether the kept facts
    /// are reused (second round, a copy) or the customers changed under it (a renamed key, a
    /// new profit, a re-import).
    #[test]
    fn a_classifier_reusing_its_facts_gives_what_classify_gives_bit_for_bit(
        customers in arb_customers(),
        back in 0i64..400,
        changed in 0usize..120,
    ) {
        let as_ofs = [None, Some(day("2025-06-30") - chrono::Duration::days(back))];
        let mut reimported = customers.clone();
        let k = changed % reimported.len();
        reimported[k].orders += 1;
        reimported[k].revenue += 12_345;
        reimported[k].last_order = day("2025-06-30");
        // The same customers in another allocation (recognised by their text), and one key
        // rewritten to another of the same length with every number kept (a tie may now break
        // the other way, so the kept facts must not be reused).
        let copied = customers.clone();
        let mut renamed = customers.clone();
        renamed[k].key = renamed[k].key.chars().rev().collect();
        // A cost table arrived: only a profit changed (the kept profit order must follow).
        let mut costed = customers.clone();
        costed[k].profit = Some(costed[k].profit.unwrap_or(0) + 987_654);
        let mut classifier = Classifier::new();
        for list in [&customers, &customers, &copied, &costed, &renamed, &reimported] {
            for as_of in as_ofs {
                for method in all_methods() {
                    let p = ClassifyParams { method, as_of, ..Default::default() };
                    let fresh = format!("{:?}", classify(list, &p).unwrap());
                    prop_assert_eq!(format!("{:?}", classifier.classify(list, &p).unwrap()), fresh, "{:?}", p.method);
                    let fresh = format!("{:?}", classify_tiers(list, &p).unwrap());
                    prop_assert_eq!(format!("{:?}", classifier.classify_tiers(list, &p).unwrap()), fresh);
                }
            }
        }
        prop_assert!(matches!(classifier.classify(&[], &ClassifyParams::default()), Err(Error::NoCustomers)));
    }

    #[test]
    fn classification_does_not_depend_on_input_order(customers in arb_customers()) {
        let mut reversed = customers.clone();
        reversed.reverse();
        for method in all_methods() {
            let a = classify(&customers, &params(method.clone())).unwrap();
            let b = classify(&reversed, &params(method)).unwrap();
            let mut ta: Vec<(String, Tier)> = customers.iter().zip(&a.assignments).map(|(c, x)| (c.key.clone(), x.tier)).collect();
            let mut tb: Vec<(String, Tier)> = reversed.iter().zip(&b.assignments).map(|(c, x)| (c.key.clone(), x.tier)).collect();
            ta.sort();
            tb.sort();
            prop_assert_eq!(ta, tb);
        }
    }
}

#[test]
fn no_customers_is_an_error_not_an_empty_result() {
    assert!(matches!(classify(&[], &ClassifyParams::default()), Err(Error::NoCustomers)));
}

// ---------------------------------------------------------------------------- ABC by revenue

#[test]
fn abc_customer_crossing_the_80_percent_line_is_a() {
    // 50 + 25 = 75% before the third customer, who takes the cumulative share to 90%.
    let customers = vec![
        customer("a", 1, 500.0, "2025-01-01", "2025-01-01"),
        customer("b", 1, 250.0, "2025-01-01", "2025-01-01"),
        customer("c", 1, 150.0, "2025-01-01", "2025-01-01"),
        customer("d", 1, 60.0, "2025-01-01", "2025-01-01"),
        customer("e", 1, 40.0, "2025-01-01", "2025-01-01"),
    ];
    let c = classify(&customers, &ClassifyParams::default()).unwrap();
    assert_eq!(tiers(&c), [Tier::A, Tier::A, Tier::A, Tier::B, Tier::C]);
    assert!(c.assignments[2].reason.zh.contains("跨过"), "{}", c.assignments[2].reason.zh);
    assert_eq!(c.assignments[0].reason.zh, "累计消费 ¥500，占总销售额前 80%（累计 50%）");
    assert_eq!(c.assignments[0].reason.en, "Spent ¥500, within the first 80% of revenue (cumulative 50%)");
    // The ABC class is the same field whatever the method.
    assert_eq!(c.assignments.iter().map(|a| a.abc).collect::<Vec<_>>(), tiers(&c));
}

#[test]
fn abc_equal_revenue_is_ordered_by_key() {
    let customers = vec![
        customer("z", 1, 100.0, "2025-01-01", "2025-01-01"),
        customer("a", 1, 100.0, "2025-01-01", "2025-01-01"),
        customer("m", 1, 100.0, "2025-01-01", "2025-01-01"),
        customer("q", 1, 100.0, "2025-01-01", "2025-01-01"),
        customer("b", 1, 100.0, "2025-01-01", "2025-01-01"),
    ];
    let c = classify(&customers, &params(Method::AbcRevenue { a_pct: 40.0, b_pct: 80.0 })).unwrap();
    // Sorted a, b, m, q, z: before a 0%, before b 20% → A; m 40%, q 60% → B; z 80% → C.
    assert_eq!(tiers(&c), [Tier::C, Tier::A, Tier::B, Tier::B, Tier::A]);
}

#[test]
fn abc_gap_is_what_it_takes_to_pass_the_lowest_customer_of_the_tier_above() {
    let customers = vec![
        customer("a", 1, 800.0, "2025-01-01", "2025-01-01"),
        customer("b", 1, 100.0, "2025-01-01", "2025-01-01"),
        customer("c", 1, 60.0, "2025-01-01", "2025-01-01"),
        customer("d", 1, 40.0, "2025-01-01", "2025-01-01"),
    ];
    let c = classify(&customers, &ClassifyParams::default()).unwrap();
    assert_eq!(tiers(&c), [Tier::A, Tier::B, Tier::B, Tier::C]);
    let gap = c.assignments[1].gap.as_ref().unwrap();
    // ¥800 − ¥100 + ¥0.01, rounded up to whole yuan.
    assert_eq!(gap.zh, "再消费 ¥701 升至 A 类");
    assert_eq!(gap.en, "Spend ¥701 more to reach tier A");
    assert_eq!(c.assignments[3].gap.as_ref().unwrap().zh, "再消费 ¥21 升至 B 类");
    assert!(c.assignments[0].gap.is_none());
    // Spending the gap really lifts the customer.
    let mut richer = customers.clone();
    richer[1].revenue += 70_100;
    assert_eq!(classify(&richer, &ClassifyParams::default()).unwrap().assignments[1].tier, Tier::A);
}

// ----------------------------------------------------------------------- ABC by customer share

#[test]
fn abc_by_customer_share_takes_the_top_fifth_and_puts_zero_spend_in_d_when_asked() {
    let mut customers: Vec<Customer> =
        (0..10).map(|i| customer(&format!("k{i}"), 1, 100.0 * (10 - i) as f64, "2025-01-01", "2025-01-01")).collect();
    customers[9].revenue = 0;
    let c =
        classify(&customers, &params(Method::AbcCustomers { a_pct: 20.0, b_pct: 30.0, zero_revenue: ZeroRevenue::D }))
            .unwrap();
    let t = tiers(&c);
    assert_eq!(&t[..2], [Tier::A, Tier::A]);
    assert_eq!(&t[2..5], [Tier::B, Tier::B, Tier::B]);
    assert_eq!(t[9], Tier::D);
    assert_eq!(c.tiers.iter().map(|g| g.group.as_str()).collect::<Vec<_>>(), ["A", "B", "C", "D"]);
    let with_c =
        classify(&customers, &params(Method::AbcCustomers { a_pct: 20.0, b_pct: 30.0, zero_revenue: ZeroRevenue::C }))
            .unwrap();
    assert_eq!(with_c.assignments[9].tier, Tier::C);
    assert_eq!(with_c.tiers.len(), 3, "D only when used");
}

// -------------------------------------------------------------------------------- thresholds

#[test]
fn monthly_average_of_exactly_1000_yuan_is_a() {
    // One month or less of history counts as one month.
    let customers = vec![
        customer("exact", 2, 1000.0, "2025-06-10", "2025-06-30"),
        customer("below", 1, 999.99, "2025-06-10", "2025-06-30"),
        customer("b", 1, 500.0, "2025-06-10", "2025-06-30"),
        customer("c", 1, 499.99, "2025-06-10", "2025-06-30"),
    ];
    let c = classify(&customers, &params(method_defaults()[2].clone())).unwrap();
    assert_eq!(tiers(&c), [Tier::A, Tier::B, Tier::B, Tier::C]);
    assert_eq!(c.assignments[1].gap.as_ref().unwrap().zh, "再消费 ¥1 升至 A 类");
    assert!(c.assignments[0].reason.zh.starts_with("月均消费 ¥1,000（按 1 个月）"), "{}", c.assignments[0].reason.zh);
}

#[test]
fn monthly_average_divides_by_months_since_the_first_order() {
    // 2024-12-30 → 2025-06-30 is 182 days = 5.98 months: ¥6,000 is ¥1,003 a month.
    let customers = vec![
        customer("a", 6, 6000.0, "2024-12-30", "2025-06-30"),
        customer("b", 6, 5900.0, "2024-12-30", "2025-06-30"),
    ];
    let c = classify(&customers, &params(method_defaults()[2].clone())).unwrap();
    assert_eq!(tiers(&c), [Tier::A, Tier::B]);
    // The gap is the spend that lifts the monthly average to ¥1,000 over the same months.
    let gap = c.assignments[1].gap.as_ref().unwrap();
    let need = (1000.0 * 182.0 / 30.4375 - 5900.0_f64).ceil();
    assert_eq!(gap.zh, format!("再消费 ¥{need} 升至 A 类"));
}

#[test]
fn order_thresholds_give_an_order_gap_and_a_fourth_tier_below_c_min() {
    let customers = vec![
        customer("a", 5, 10.0, "2025-01-01", "2025-06-30"),
        customer("b", 3, 10.0, "2025-01-01", "2025-06-30"),
        customer("c", 1, 10.0, "2025-01-01", "2025-06-30"),
    ];
    let m = Method::Thresholds { measure: Measure::Orders, a_min: 5.0, b_min: 3.0, c_min: Some(2.0) };
    let c = classify(&customers, &params(m)).unwrap();
    assert_eq!(tiers(&c), [Tier::A, Tier::B, Tier::D]);
    assert_eq!(c.assignments[1].gap.as_ref().unwrap().zh, "再下 2 单升至 A 类");
    assert_eq!(c.assignments[2].gap.as_ref().unwrap().en, "Place 1 more order to reach tier C");
}

// ------------------------------------------------------------------------------- RFM scores

#[test]
fn mostly_one_time_buyers_get_a_note_and_count_bins_not_a_silent_collapse() {
    let mut customers: Vec<Customer> =
        (0..60).map(|i| customer(&format!("o{i:02}"), 1, 10.0 + i as f64, "2025-01-01", "2025-03-01")).collect();
    for (i, f) in [2, 2, 3, 4, 5, 8, 13, 21, 34, 55].iter().enumerate() {
        customers.push(customer(&format!("r{i}"), *f, 500.0 + i as f64, "2025-01-01", "2025-06-01"));
    }
    let c = classify(&customers, &params(Method::RfmScores { bins: 5, a_min: 12, b_min: 8 })).unwrap();
    assert!(c.notes.iter().any(|n| n.zh.contains("F（购买次数）的分位点重合")), "{:?}", c.notes);
    assert!(c.thresholds.iter().any(|t| t.name.zh.contains("按次数分档")));
    let f_of = |orders: u32| c.assignments[customers.iter().position(|x| x.orders == orders).unwrap()].f_score;
    assert_eq!([f_of(1), f_of(2), f_of(3), f_of(4), f_of(5), f_of(55)], [1, 2, 3, 4, 5, 5]);

    // The same shop tiered by revenue or by named segments: the tiers say nothing about F's bins
    // unless they come from the scores, but every customer's F score is still explained.
    let by_revenue = classify(&customers, &params(Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 })).unwrap();
    assert!(!by_revenue.notes.iter().any(|n| n.zh.contains("分位点重合")), "{:?}", by_revenue.notes);
    assert!(by_revenue.score_notes.iter().any(|n| n.zh.contains("F（购买次数）的分位点重合")));
    assert_eq!(
        by_revenue.assignments.iter().map(|a| a.f_score).collect::<Vec<_>>(),
        c.assignments.iter().map(|a| a.f_score).collect::<Vec<_>>()
    );
    let named = classify(&customers, &params(Method::RfmSegments { rules: default_segment_rules() })).unwrap();
    assert!(named.notes.iter().any(|n| n.zh.contains("F（购买次数）的分位点重合")), "{:?}", named.notes);
}

#[test]
fn identical_customers_all_get_equal_scores_and_a_note() {
    let customers: Vec<Customer> =
        (0..20).map(|i| customer(&format!("k{i:02}"), 2, 99.0, "2025-01-01", "2025-05-01")).collect();
    let c = classify(&customers, &params(Method::RfmScores { bins: 5, a_min: 12, b_min: 8 })).unwrap();
    let first = (&c.assignments[0].r_score, &c.assignments[0].f_score, &c.assignments[0].m_score);
    assert!(c.assignments.iter().all(|a| (&a.r_score, &a.f_score, &a.m_score) == first));
    assert_eq!(c.notes.iter().filter(|n| n.zh.contains("都相同")).count(), 3);
}

#[test]
fn quintile_scores_spread_distinct_values_evenly() {
    // 100 customers with distinct recency, orders and spend: 20 per score.
    let customers: Vec<Customer> = (0..100)
        .map(|i| {
            let last = day("2025-06-30") - chrono::Duration::days(i);
            let mut c = customer(&format!("k{i:03}"), 1 + i as u32, 10.0 * (i + 1) as f64, "2024-01-01", "2025-01-01");
            c.last_order = last;
            c
        })
        .collect();
    let c = classify(&customers, &params(Method::RfmScores { bins: 5, a_min: 12, b_min: 8 })).unwrap();
    for s in 1..=5u8 {
        assert_eq!(c.assignments.iter().filter(|a| a.m_score == s).count(), 20);
        assert_eq!(c.assignments.iter().filter(|a| a.r_score == s).count(), 20);
    }
    // Most recent has the highest R.
    assert_eq!(c.assignments[0].r_score, 5);
    assert_eq!(c.assignments[99].r_score, 1);
    assert!(!c.notes.iter().any(|n| n.zh.contains("分位点重合")), "{:?}", c.notes);
}

#[test]
fn rfm_scores_support_three_and_four_bins() {
    let customers: Vec<Customer> = (0..30)
        .map(|i| {
            let mut c = customer(&format!("k{i:02}"), 1 + i, 10.0 * (i + 1) as f64, "2024-01-01", "2025-01-01");
            c.last_order = day("2025-06-30") - chrono::Duration::days(i as i64);
            c
        })
        .collect();
    for bins in [3u8, 4] {
        let (a, b) = classify::rfm_score_defaults(bins);
        let c = classify(&customers, &params(Method::RfmScores { bins, a_min: a, b_min: b })).unwrap();
        assert_eq!(c.assignments.iter().map(|a| a.m_score).max(), Some(bins));
        assert_eq!(c.thresholds.iter().filter(|t| t.name.en.starts_with("M ")).count(), usize::from(bins) - 1);
    }
}

#[test]
fn rfm_score_gap_is_one_order_worth_enough_to_reach_the_next_total() {
    let customers: Vec<Customer> = (0..50)
        .map(|i| {
            let mut c = customer(&format!("k{i:02}"), 1 + i % 7, 10.0 * (i + 1) as f64, "2024-01-01", "2025-01-01");
            c.last_order = day("2025-06-30") - chrono::Duration::days(3 * i as i64);
            c
        })
        .collect();
    let p = params(Method::RfmScores { bins: 5, a_min: 12, b_min: 8 });
    let c = classify(&customers, &p).unwrap();
    for (i, a) in c.assignments.iter().enumerate() {
        let Some(gap) = &a.gap else { continue };
        // Apply the gap as one order today and check the tier really rises.
        let digits: String = gap.zh.chars().filter(|ch| ch.is_ascii_digit()).collect();
        let mut moved = customers.clone();
        moved[i].orders += 1;
        moved[i].last_order = day("2025-06-30");
        if gap.zh.starts_with("下一单消费") {
            moved[i].revenue += digits.parse::<i64>().unwrap() * 100;
        } else {
            assert!(gap.zh.starts_with("再下 1 单"), "{}", gap.zh);
            moved[i].revenue += 1;
        }
        let after = classify(&moved, &ClassifyParams { as_of: Some(day("2025-06-30")), ..p.clone() }).unwrap();
        assert!(after.assignments[i].tier < a.tier, "{} did not lift customer {i}", gap.zh);
    }
}

#[test]
fn composite_gap_is_one_order_worth_enough_to_reach_the_next_score() {
    let customers: Vec<Customer> = (0..60)
        .map(|i| {
            let mut c =
                customer(&format!("k{i:02}"), 1 + i % 5, 10.0 * ((i * 7) % 60 + 1) as f64, "2024-01-01", "2025-01-01");
            c.last_order = day("2025-06-30") - chrono::Duration::days(2 * i as i64);
            c
        })
        .collect();
    let p = ClassifyParams { as_of: Some(day("2025-06-30")), ..params(method_defaults()[6].clone()) };
    let c = classify(&customers, &p).unwrap();
    let mut checked = 0;
    for (i, a) in c.assignments.iter().enumerate() {
        let Some(gap) = &a.gap else { continue };
        let digits: String = gap.zh.chars().filter(|ch| ch.is_ascii_digit()).collect();
        let mut moved = customers.clone();
        moved[i].orders += 1;
        moved[i].last_order = day("2025-06-30");
        moved[i].revenue +=
            if gap.zh.starts_with("下一单消费") { digits.parse::<i64>().unwrap() * 100 } else { 1 };
        let after = classify(&moved, &p).unwrap();
        assert!(after.assignments[i].tier < a.tier, "{} did not lift customer {i}", gap.zh);
        checked += 1;
    }
    assert!(checked > 10, "only {checked} gaps");
}

// ------------------------------------------------------------------------------- RFM 8-type

/// Two reference customers fix the mean, median; the probe sits in one corner.
fn cube_probe(recent: bool, frequent: bool, big: bool) -> Vec<Customer> {
    vec![
        customer("ref1", 2, 200.0, "2025-01-01", "2025-05-01"), // 60 days before as-of
        customer("ref2", 4, 400.0, "2025-01-01", "2025-06-20"), // 10 days
        customer(
            "zprobe",
            if frequent { 9 } else { 1 },
            if big { 2000.0 } else { 10.0 },
            "2025-01-01",
            if recent { "2025-06-30" } else { "2025-01-01" },
        ),
    ]
}

#[test]
fn every_corner_of_the_cube_maps_to_its_type_on_mean_median_and_fixed() {
    let corners = [
        ((true, true, true), "重要价值客户", Tier::A),
        ((true, false, true), "重要发展客户", Tier::B),
        ((false, true, true), "重要保持客户", Tier::A),
        ((false, false, true), "重要挽留客户", Tier::B),
        ((true, true, false), "一般价值客户", Tier::B),
        ((true, false, false), "一般发展客户", Tier::C),
        ((false, true, false), "一般保持客户", Tier::C),
        ((false, false, false), "一般挽留客户", Tier::C),
    ];
    let bases = [CubeBasis::Mean, CubeBasis::Median, CubeBasis::Fixed { r_days: 30.0, f: 3.0, m_yuan: 300.0 }];
    for ((r, f, m), name, tier) in corners {
        for basis in &bases {
            let customers = cube_probe(r, f, m);
            let c = classify(
                &customers,
                &ClassifyParams { as_of: Some(day("2025-06-30")), ..params(Method::RfmCube { basis: basis.clone() }) },
            )
            .unwrap();
            let probe = &c.assignments[2];
            assert_eq!(probe.segment.as_deref(), Some(name), "{basis:?} {r} {f} {m}");
            assert_eq!(probe.tier, tier);
            assert_eq!(&*probe.rfm_type, name, "the mean-basis type agrees on the probe");
        }
    }
}

#[test]
fn cube_comparisons_are_strict_on_the_mean_and_inclusive_on_fixed_values() {
    // Mean F = (1 + 2 + 3) / 3 = 2: F = 2 is not high. Fixed F ≥ 2: F = 2 is high.
    let customers = vec![
        customer("a", 1, 100.0, "2025-01-01", "2025-06-30"),
        customer("b", 2, 100.0, "2025-01-01", "2025-06-30"),
        customer("c", 3, 100.0, "2025-01-01", "2025-06-30"),
    ];
    let mean = classify(&customers, &params(Method::RfmCube { basis: CubeBasis::Mean })).unwrap();
    assert_eq!(mean.assignments[1].segment.as_deref(), Some("一般挽留客户"), "R = mean is not recent either");
    let fixed = Method::RfmCube { basis: CubeBasis::Fixed { r_days: 0.0, f: 2.0, m_yuan: 100.0 } };
    let fixed = classify(&customers, &params(fixed)).unwrap();
    assert_eq!(fixed.assignments[1].segment.as_deref(), Some("重要价值客户"));
}

#[test]
fn cube_gap_names_the_orders_or_spend_to_the_next_type() {
    let customers = cube_probe(true, false, true); // 重要发展: recent, big, infrequent
    let c = classify(
        &customers,
        &ClassifyParams { as_of: Some(day("2025-06-30")), ..params(Method::RfmCube { basis: CubeBasis::Mean }) },
    )
    .unwrap();
    // Mean F = (2 + 4 + 1) / 3 = 2.33: two more orders make 3 > 2.33.
    assert_eq!(c.assignments[2].gap.as_ref().unwrap().zh, "再下 2 单升至重要价值客户");
    assert_eq!(c.assignments[2].gap.as_ref().unwrap().en, "Place 2 more orders to become Important value");
    let small = cube_probe(true, true, false); // 一般价值: needs spend
    let c = classify(
        &small,
        &ClassifyParams { as_of: Some(day("2025-06-30")), ..params(Method::RfmCube { basis: CubeBasis::Mean }) },
    )
    .unwrap();
    // Mean M = (200 + 400 + 10) / 3 = 203.33: spend ¥193.34 more, rounded up to ¥194.
    assert_eq!(c.assignments[2].gap.as_ref().unwrap().zh, "再消费 ¥194 升至重要价值客户");
}

#[test]
fn renamed_segments_show_the_users_name_and_keep_the_tier() {
    let mut p = params(Method::RfmCube { basis: CubeBasis::Mean });
    p.segment_names = BTreeMap::from([("一般发展客户".to_string(), "新客户".to_string())]);
    p.segment_tiers.insert("一般发展客户".into(), Tier::B);
    let customers = cube_probe(true, false, false);
    let c = classify(&customers, &ClassifyParams { as_of: Some(day("2025-06-30")), ..p }).unwrap();
    assert_eq!(c.assignments[2].segment.as_deref(), Some("新客户"));
    assert_eq!(&*c.assignments[2].rfm_type, "新客户");
    assert_eq!(c.assignments[2].tier, Tier::B);
    assert!(c.segments.iter().any(|s| s.group == "新客户" && s.customers == 1));
}

// --------------------------------------------------------------------------- named segments

#[test]
fn named_segments_first_matching_rule_wins_and_the_rest_are_others() {
    let customers: Vec<Customer> = (0..25)
        .map(|i| {
            let mut c = customer(&format!("k{i:02}"), 1 + i, 10.0 * (i + 1) as f64, "2024-01-01", "2025-01-01");
            c.last_order = day("2025-06-30") - chrono::Duration::days(i as i64);
            c
        })
        .collect();
    let rule = |s: &str, r: (u8, u8), f: (u8, u8), m: (u8, u8)| SegmentRule { segment: s.into(), r, f, m };
    // Everything matches "Wide", but "Narrow" comes first for its box.
    let rules = vec![rule("Narrow", (1, 5), (5, 5), (5, 5)), rule("Wide", (1, 5), (3, 5), (1, 5))];
    let c = classify(&customers, &params(Method::RfmSegments { rules })).unwrap();
    for a in &c.assignments {
        let expected = if a.f_score == 5 && a.m_score == 5 {
            "Narrow"
        } else if a.f_score >= 3 {
            "Wide"
        } else {
            "Others"
        };
        assert_eq!(a.segment.as_deref(), Some(expected));
    }
    assert_eq!(c.segments.iter().map(|s| s.group.as_str()).collect::<Vec<_>>(), ["Narrow", "Wide", "Others"]);
}

#[test]
fn default_named_rules_reach_every_segment_in_order() {
    // Every (R, F, M) score box: each default segment must win somewhere under first-match.
    let rules = default_segment_rules();
    let mut won = std::collections::BTreeSet::new();
    for r in 1..=5u8 {
        for f in 1..=5u8 {
            for m in 1..=5u8 {
                let hit = rules.iter().find(|x| {
                    (x.r.0..=x.r.1).contains(&r) && (x.f.0..=x.f.1).contains(&f) && (x.m.0..=x.m.1).contains(&m)
                });
                if let Some(hit) = hit {
                    won.insert(hit.segment.clone());
                }
            }
        }
    }
    assert_eq!(
        won.len(),
        rules.len(),
        "unreachable rules: {:?}",
        rules.iter().filter(|r| !won.contains(&r.segment)).collect::<Vec<_>>()
    );
    assert_eq!(classify::segment_text("Champions").unwrap().zh, "冠军客户");
    assert_eq!(classify::canonical_segment("冠军客户"), Some("Champions"));
}

// -------------------------------------------------------------------------------- composite

#[test]
fn composite_with_value_weight_only_ranks_by_spend() {
    let customers: Vec<Customer> = (0..10)
        .map(|i| customer(&format!("k{i}"), 10 - i, 100.0 * (i + 1) as f64, "2025-01-01", "2025-06-01"))
        .collect();
    let m = Method::Composite {
        weights: Weights { value: 1.0, frequency: 0.0, recency: 0.0, interactions: 0.0, rhythm: None },
        a_min: 80.0,
        b_min: 50.0,
    };
    let c = classify(&customers, &params(m)).unwrap();
    let scores: Vec<f64> = c.assignments.iter().map(|a| a.score.unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] < w[1]), "{scores:?}");
    // Mid-rank percentiles: the top customer is (9 + 0.5) / 10 = 95.
    assert!((scores[9] - 95.0).abs() < 1e-9);
    assert_eq!(tiers(&c)[8..], [Tier::A, Tier::A]);
}

#[test]
fn composite_without_interaction_data_redistributes_that_weight() {
    let customers: Vec<Customer> = (0..10)
        .map(|i| customer(&format!("k{i}"), 1 + i, 100.0 * (i + 1) as f64, "2025-01-01", "2025-06-01"))
        .collect();
    let c = classify(&customers, &params(method_defaults()[6].clone())).unwrap();
    assert!(c.notes.iter().any(|n| n.zh.contains("没有互动次数")));
    let weight = |name: &str| c.thresholds.iter().find(|t| t.name.en.contains(name)).unwrap().value;
    assert!((weight("value") - 40.0 / 0.9).abs() < 1e-9);
    assert_eq!(weight("interactions"), 0.0);
    // With interaction counts present, the interactions change the score.
    let mut chatty = customers.clone();
    for (i, c) in chatty.iter_mut().enumerate() {
        c.interactions = Some(i as f64);
    }
    let with = classify(&chatty, &params(method_defaults()[6].clone())).unwrap();
    assert!(with.thresholds.iter().any(|t| t.name.en.contains("interactions") && (t.value - 10.0).abs() < 1e-9));
    assert!(!with.notes.iter().any(|n| n.zh.contains("没有互动次数")));
}

// --------------------------------------------------------------------------- invalid params

#[test]
fn invalid_parameters_say_what_to_fix() {
    let cases = [
        (Method::AbcRevenue { a_pct: 95.0, b_pct: 80.0 }, "80 和 95"),
        (Method::AbcRevenue { a_pct: 80.0, b_pct: 120.0 }, "≤ 100"),
        (Method::AbcCustomers { a_pct: 60.0, b_pct: 50.0, zero_revenue: ZeroRevenue::C }, "不超过 100"),
        (Method::Thresholds { measure: Measure::MonthlyRevenue, a_min: 500.0, b_min: 1000.0, c_min: None }, "月均消费"),
        (Method::Thresholds { measure: Measure::Revenue, a_min: 1000.0, b_min: 500.0, c_min: Some(600.0) }, "C 类门槛"),
        (Method::RfmScores { bins: 6, a_min: 12, b_min: 8 }, "3、4 或 5"),
        (Method::RfmScores { bins: 5, a_min: 8, b_min: 12 }, "B 类门槛 < A 类门槛"),
        (Method::RfmCube { basis: CubeBasis::Fixed { r_days: -1.0, f: 3.0, m_yuan: 200.0 } }, "不小于 0"),
        (Method::RfmSegments { rules: vec![] }, "规则表是空的"),
        (
            Method::RfmSegments { rules: vec![SegmentRule { segment: "X".into(), r: (4, 2), f: (1, 5), m: (1, 5) }] },
            "第 1 条规则",
        ),
        (
            Method::Composite {
                weights: Weights { value: 0.0, frequency: 0.0, recency: 0.0, interactions: 0.0, rhythm: None },
                a_min: 70.0,
                b_min: 40.0,
            },
            "不能全为 0",
        ),
        (
            Method::Composite {
                weights: Weights { value: 1.0, frequency: 0.0, recency: 0.0, interactions: 0.0, rhythm: None },
                a_min: 40.0,
                b_min: 70.0,
            },
            "B 类门槛 < A 类门槛",
        ),
    ];
    let customers = vec![customer("a", 1, 1.0, "2025-01-01", "2025-01-01")];
    for (method, hint) in cases {
        match classify(&customers, &params(method.clone())) {
            Err(e @ Error::InvalidParams(_)) => {
                assert!(e.to_string().contains(hint), "{method:?}: {e}");
                assert_eq!(e.code(), "invalid_params");
            }
            other => panic!("{method:?} gave {other:?}"),
        }
    }
}

// ------------------------------------------------------------------------ re-classification

#[test]
fn reclassifying_the_same_customers_with_new_params_needs_no_reimport() {
    let customers: Vec<Customer> = (0..200)
        .map(|i| customer(&format!("k{i:03}"), 1 + i % 9, (i * i % 997) as f64 + 1.0, "2025-01-01", "2025-06-01"))
        .collect();
    let before = customers.clone();
    let abc = classify(&customers, &ClassifyParams::default()).unwrap();
    let rfm = classify(&customers, &params(method_defaults()[3].clone())).unwrap();
    assert_eq!(customers, before, "classification never changes the customers");
    assert_ne!(tiers(&abc), tiers(&rfm));
    // The shared facts do not depend on the method.
    for (a, b) in abc.assignments.iter().zip(&rfm.assignments) {
        assert_eq!(
            (a.abc, &a.rfm_type, a.r_score, a.f_score, a.m_score),
            (b.abc, &b.rfm_type, b.r_score, b.f_score, b.m_score)
        );
    }
    assert_eq!(classify(&customers, &ClassifyParams::default()).unwrap(), abc, "deterministic");
}

#[test]
fn classify_tiers_matches_classify_without_the_wording() {
    let customers: Vec<Customer> = (0..300)
        .map(|i| customer(&format!("k{i:03}"), 1 + i % 7, ((i * 37) % 1000) as f64 + 1.0, "2025-01-01", "2025-06-01"))
        .collect();
    for method in all_methods() {
        let p = params(method);
        let full = classify(&customers, &p).unwrap();
        let fast = classify::classify_tiers(&customers, &p).unwrap();
        assert_eq!((&full.tiers, &full.segments, &full.thresholds), (&fast.tiers, &fast.segments, &fast.thresholds));
        for (a, b) in full.assignments.iter().zip(&fast.assignments) {
            assert_eq!(
                (a.tier, &a.segment, a.score, a.abc, &a.rfm_type),
                (b.tier, &b.segment, b.score, b.abc, &b.rfm_type)
            );
            assert!(b.reason.zh.is_empty() && b.gap.is_none());
        }
    }
}

#[test]
fn as_of_defaults_to_the_latest_order_and_can_be_given() {
    let customers =
        vec![customer("a", 1, 10.0, "2025-01-01", "2025-03-01"), customer("b", 1, 10.0, "2025-01-01", "2025-06-30")];
    let c = classify(&customers, &ClassifyParams::default()).unwrap();
    assert_eq!(c.as_of, day("2025-06-30"));
    assert_eq!(c.assignments[1].recency_days, 0);
    let c = classify(&customers, &ClassifyParams { as_of: Some(day("2025-07-01")), ..Default::default() }).unwrap();
    assert_eq!(c.assignments[0].recency_days, 122);
}

// ------------------------------------------------------------------------------------ charts

#[test]
fn pareto_is_downsampled_monotone_and_marks_tier_changes() {
    let customers: Vec<Customer> = (0..1000)
        .map(|i| customer(&format!("k{i:04}"), 1, 1.0 + (i * 37 % 1000) as f64, "2025-01-01", "2025-06-01"))
        .collect();
    let c = classify(&customers, &ClassifyParams::default()).unwrap();
    let points = pareto(&customers, Some(&c.assignments), 50);
    assert!(points.len() <= 50 && points.len() >= 10);
    assert_eq!((points[0].customer_share, points[0].revenue_share), (0.0, 0.0));
    let last = points.last().unwrap();
    assert!((last.customer_share - 1.0).abs() < 1e-12 && (last.revenue_share - 1.0).abs() < 1e-12);
    assert!(points
        .windows(2)
        .all(|w| w[0].customer_share <= w[1].customer_share && w[0].revenue_share <= w[1].revenue_share));
    // The last A customer is a point of its own.
    let a_count = c.tiers[0].customers as f64;
    assert!(points.iter().any(|p| (p.customer_share - a_count / 1000.0).abs() < 1e-12 && p.tier == Some(Tier::A)));
}

#[test]
fn rf_matrix_has_25_cells_that_add_up() {
    let customers: Vec<Customer> = (0..100)
        .map(|i| customer(&format!("k{i:03}"), 1 + i % 6, 10.0 * (i + 1) as f64, "2025-01-01", "2025-06-01"))
        .collect();
    let c = classify(&customers, &params(method_defaults()[3].clone())).unwrap();
    let cells = rf_matrix(&customers, &c.assignments);
    assert_eq!(cells.len(), 25);
    assert_eq!(cells.iter().map(|x| x.customers).sum::<u64>(), 100);
    assert_eq!(cells.iter().map(|x| x.revenue).sum::<i64>(), customers.iter().map(|c| c.revenue).sum::<i64>());
    for cell in &cells {
        let members: Vec<usize> =
            (0..100).filter(|&i| c.assignments[i].r_score == cell.r && c.assignments[i].f_score == cell.f).collect();
        assert_eq!(members.len() as u64, cell.customers);
    }
}

// ------------------------------------------------------------------ docs/methods.md example

/// The five customers of docs/methods.md; the document's numbers must stay true.
fn docs_example() -> (Vec<Customer>, ClassifyParams) {
    let customers = vec![
        customer("甲", 8, 5000.0, "2024-09-01", "2025-06-25"),
        customer("乙", 3, 2500.0, "2024-09-01", "2025-06-10"),
        customer("丙", 2, 1500.0, "2024-09-01", "2025-04-01"),
        customer("丁", 1, 600.0, "2025-06-20", "2025-06-20"),
        customer("戊", 1, 400.0, "2025-01-15", "2025-01-15"),
    ];
    (customers, ClassifyParams { as_of: Some(day("2025-06-30")), ..Default::default() })
}

#[test]
fn docs_worked_example_holds_for_every_method() {
    let (customers, base) = docs_example();
    let run = |m: Method| classify(&customers, &ClassifyParams { method: m, ..base.clone() }).unwrap();

    let abc = run(Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 });
    assert_eq!(tiers(&abc), [Tier::A, Tier::A, Tier::A, Tier::B, Tier::C]);
    assert_eq!(abc.assignments[0].reason.zh, "累计消费 ¥5,000，占总销售额前 80%（累计 50%）");
    // 丁 sorts before 丙 (U+4E01 < U+4E19), so equal spend is enough.
    assert_eq!(abc.assignments[3].gap.as_ref().unwrap().zh, "再消费 ¥900 升至 A 类");
    assert_eq!(abc.assignments[3].gap.as_ref().unwrap().en, "Spend ¥900 more to reach tier A");
    assert_eq!(abc.assignments[4].gap.as_ref().unwrap().zh, "再消费 ¥201 升至 B 类");

    let share = run(Method::AbcCustomers { a_pct: 20.0, b_pct: 30.0, zero_revenue: ZeroRevenue::C });
    assert_eq!(tiers(&share), [Tier::A, Tier::B, Tier::B, Tier::C, Tier::C]);

    let cube = run(Method::RfmCube { basis: CubeBasis::Mean });
    let segs: Vec<&str> = cube.assignments.iter().map(|a| a.segment.as_deref().unwrap()).collect();
    assert_eq!(segs, ["重要价值客户", "重要发展客户", "一般挽留客户", "一般发展客户", "一般挽留客户"]);
    assert_eq!(cube.thresholds[0].value, 58.2);
    assert_eq!(cube.assignments[1].gap.as_ref().unwrap().zh, "再下 1 单升至重要价值客户");
    assert_eq!(cube.assignments[2].gap.as_ref().unwrap().zh, "再消费 ¥501 升至重要发展客户");

    let composite = run(method_defaults()[6].clone());
    let scores: Vec<f64> = composite.assignments.iter().map(|a| a.score.unwrap()).collect();
    assert!((scores[0] - 90.0).abs() < 1e-9 && (scores[1] - 59.0 / 0.9).abs() < 1e-9, "{scores:?}");
    assert_eq!(composite.assignments[0].tier, Tier::A);
    assert_eq!(composite.assignments[1].tier, Tier::B);

    // Method 3's example: ¥4,200 since 2025-03-01 is ¥1,056.51 a month over 3.98 months.
    let monthly = vec![customer("x", 4, 4200.0, "2025-03-01", "2025-06-30")];
    let c = classify(&monthly, &ClassifyParams { method: method_defaults()[2].clone(), ..base.clone() }).unwrap();
    assert_eq!(c.assignments[0].tier, Tier::A);
    assert!(
        c.assignments[0].reason.zh.starts_with("月均消费 ¥1,056.51（按 3.98 个月）"),
        "{}",
        c.assignments[0].reason.zh
    );
}

#[test]
fn absurd_amounts_and_counts_do_not_panic() {
    let mut customers = vec![
        customer("a", u32::MAX, 0.0, "2025-01-01", "2025-06-30"),
        customer("b", 1, 0.0, "2025-06-30", "2025-01-01"),
        customer("c", 0, 0.0, "2025-01-01", "2025-01-01"),
    ];
    customers[0].revenue = i64::MAX;
    customers[1].revenue = i64::MIN;
    customers[0].interactions = Some(f64::NAN);
    customers[2].interactions = Some(1e300);
    let mut methods = all_methods();
    methods.push(Method::RfmCube { basis: CubeBasis::Fixed { r_days: 1e300, f: 1e300, m_yuan: 1e300 } });
    for method in methods {
        let c = classify(&customers, &params(method)).unwrap();
        assert_eq!(c.assignments.len(), 3);
        let _ = pareto(&customers, Some(&c.assignments), 10);
        let _ = rf_matrix(&customers, &c.assignments);
    }
}

// ------------------------------------------------------------ zero-revenue customers (issue 9)

/// Every method on `customers`: a tier per customer, finite shares and scores, a reason each,
/// summaries that add up to the customers and the revenue.
fn check_every_method_copes(customers: &[Customer]) -> Vec<(Method, classify::Classification)> {
    let total: i64 = customers.iter().map(|c| c.revenue).sum();
    let mut out = Vec::new();
    for method in all_methods() {
        let c = classify(customers, &params(method.clone())).unwrap();
        assert_eq!(c.assignments.len(), customers.len(), "{method:?}");
        assert_eq!(c.tiers.iter().map(|t| t.customers).sum::<u64>(), customers.len() as u64, "{method:?}");
        assert_eq!(c.tiers.iter().map(|t| t.revenue).sum::<i64>(), total, "{method:?}");
        for t in c.tiers.iter().chain(&c.segments) {
            assert!(t.revenue_share.is_finite() && t.customer_share.is_finite(), "{method:?}: {t:?}");
            assert!(t.aov >= 0, "{method:?}: {t:?}");
        }
        for th in &c.thresholds {
            assert!(th.value.is_finite(), "{method:?}: {th:?}");
        }
        for a in &c.assignments {
            assert!((1..=5).contains(&a.m_score), "{method:?}: {a:?}");
            assert!(a.score.is_none_or(f64::is_finite), "{method:?}: {a:?}");
            assert!(!a.reason.zh.is_empty() && !a.reason.en.is_empty(), "{method:?}");
        }
        out.push((method, c));
    }
    out
}

#[test]
fn customers_with_only_zero_amount_orders_are_classified_by_every_method() {
    // Six paying customers and four whose only orders were ¥0 (free gifts, trials).
    let mut customers: Vec<Customer> = (0..6)
        .map(|i| customer(&format!("p{i}"), 1 + i, 100.0 * f64::from(6 - i), "2025-01-01", "2025-05-01"))
        .collect();
    for i in 0..4 {
        customers.push(customer(&format!("z{i}"), 1 + i % 2, 0.0, "2025-02-01", "2025-06-01"));
    }
    let zero = |key: &str| key.starts_with('z');
    for (method, c) in check_every_method_copes(&customers) {
        for (cust, a) in customers.iter().zip(&c.assignments) {
            if !zero(&cust.key) {
                continue;
            }
            // The lowest M score: ¥0 is below every paying customer.
            let lowest_m = c.assignments.iter().map(|a| a.m_score).min().unwrap();
            assert_eq!(a.m_score, lowest_m, "{method:?}: {}", cust.key);
            match &method {
                Method::AbcRevenue { .. } => assert_eq!(a.tier, Tier::C, "{}", cust.key),
                Method::AbcCustomers { zero_revenue: ZeroRevenue::D, .. } => assert_eq!(a.tier, Tier::D),
                Method::AbcCustomers { zero_revenue: ZeroRevenue::C, .. } => assert_eq!(a.tier, Tier::C),
                _ => {}
            }
        }
    }
}

#[test]
fn a_data_set_where_every_customer_spent_nothing_classifies_without_dividing_by_zero() {
    let customers: Vec<Customer> =
        (0..5).map(|i| customer(&format!("z{i}"), 1 + i, 0.0, "2025-01-01", &format!("2025-0{}-01", 1 + i))).collect();
    for (method, c) in check_every_method_copes(&customers) {
        for t in &c.tiers {
            assert_eq!(t.revenue_share, 0.0, "{method:?}: {t:?}");
        }
        match &method {
            Method::AbcRevenue { .. } => assert!(c.assignments.iter().all(|a| a.tier == Tier::C)),
            Method::AbcCustomers { zero_revenue: ZeroRevenue::D, .. } => {
                assert!(c.assignments.iter().all(|a| a.tier == Tier::D), "{method:?}")
            }
            Method::AbcCustomers { zero_revenue: ZeroRevenue::C, .. } => {
                assert!(c.assignments.iter().all(|a| a.tier == Tier::C), "{method:?}")
            }
            _ => {}
        }
    }
}
