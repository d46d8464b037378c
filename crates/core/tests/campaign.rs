//! Campaigns on a real workspace built here: a November export is imported and classified, a
//! campaign with a holdout is created at the end of November, a December export (written after the
//! campaign, with more orders from contacted customers) is imported, and every figure of the report
//! is computed again by hand from the orders this test wrote. Also: the holdout draw is
//! reproducible, audiences by tier and segment, refusals, deletion, and the per-customer tier
//! history from the snapshots.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use tierbook_core::campaign::{self, Audience, CampaignSpec, Verdict};
use tierbook_core::classify::{classify, ClassifyParams};
use tierbook_core::import::ImportOptions;
use tierbook_core::store::Workspace;
use tierbook_core::{Error, NoProgress, Tier};

/// One order row of the exports this test writes (amounts in fen).
#[derive(Clone)]
struct Row {
    id: String,
    key: String,
    placed: NaiveDateTime,
    paid: i64,
    refund: i64,
}

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

fn key(i: usize) -> String {
    format!("oCust{i:03}")
}

/// A 微信小店-style CSV (UTF-8 with BOM) of `rows`.
fn write_export(path: &Path, rows: &[Row]) {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut bytes);
        w.write_record(["订单号", "下单时间", "订单状态", "买家昵称", "买家ID", "实付金额", "退款金额"]).unwrap();
        for r in rows {
            let t = r.placed.format("%Y-%m-%d %H:%M:%S").to_string();
            let yuan = |f: i64| format!("{}.{:02}", f / 100, f % 100);
            w.write_record([&r.id, &t, "已完成", &format!("昵称{}", r.key), &r.key, &yuan(r.paid), &yuan(r.refund)])
                .unwrap();
        }
        w.flush().unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

fn import(ws: &mut Workspace, path: &Path) {
    let now = at(2026, 1, 5, 9);
    ws.import(&[path.to_path_buf()], &ImportOptions::default(), now, &NoProgress).unwrap();
}

/// November: 100 customers; customer i orders (i % 3 + 1) times, (50 + i) yuan each.
fn november() -> Vec<Row> {
    let mut rows = Vec::new();
    for i in 0..100 {
        for n in 0..(i % 3 + 1) {
            rows.push(Row {
                id: format!("N{i:03}{n}"),
                key: key(i),
                placed: at(2025, 11, 1 + (i as u32 + 7 * n as u32) % 28, 10),
                paid: (50 + i as i64) * 100,
                refund: 0,
            });
        }
    }
    rows
}

/// The hand rule for "in the window": placed on one of the 30 days after 2025-11-30.
fn in_window(placed: NaiveDateTime, date: NaiveDate, days: i64) -> bool {
    let d = placed.date();
    d > date && d <= date + Duration::days(days)
}

/// Figures of one group by hand: (customers, buyers, orders, revenue).
fn by_hand(members: &[String], rows: &[Row], date: NaiveDate, days: i64) -> (u64, u64, u64, i64) {
    let mut buyers = std::collections::BTreeSet::new();
    let (mut orders, mut revenue) = (0, 0);
    for r in rows.iter().filter(|r| members.contains(&r.key) && in_window(r.placed, date, days)) {
        buyers.insert(r.key.clone());
        orders += 1;
        revenue += r.paid - r.refund;
    }
    (members.len() as u64, buyers.len() as u64, orders, revenue)
}

fn spec(name: &str, share: f64, seed: u32, cost: Option<i64>) -> CampaignSpec {
    CampaignSpec {
        name: name.into(),
        date: NaiveDate::from_ymd_opt(2025, 11, 30).unwrap(),
        channel: "企业微信".into(),
        cost_per_contact: cost,
        holdout_share: share,
        seed,
        audience: "全部客户".into(),
    }
}

#[test]
fn campaign_report_equals_the_hand_computation_after_the_next_months_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    let nov = november();
    write_export(&dir.path().join("11月.csv"), &nov);
    import(&mut ws, &dir.path().join("11月.csv"));
    let customers = ws.customers().unwrap();
    assert_eq!(customers.len(), 100);

    // The campaign: everybody, 30 % holdout, seed 7, a ¥20 coupon per contact.
    let keys: Vec<String> = (0..100).map(key).collect();
    let created = ws.create_campaign(&spec("双12回访", 0.3, 7, Some(2000)), &keys).unwrap();
    assert_eq!((created.contacted, created.holdout), (70, 30));
    let members = ws.campaign_members(created.id).unwrap();
    let contacted: Vec<String> = members.iter().filter(|m| !m.holdout).map(|m| m.key.clone()).collect();
    let holdout: Vec<String> = members.iter().filter(|m| m.holdout).map(|m| m.key.clone()).collect();
    assert_eq!((contacted.len(), holdout.len()), (70, 30));

    // December, written after the campaign: contacted customers come back more often.
    let mut dec = Vec::new();
    for (j, k) in contacted.iter().enumerate() {
        if j % 5 != 4 {
            dec.push(Row {
                id: format!("DC{j:03}"),
                key: k.clone(),
                placed: at(2025, 12, 1 + j as u32 % 30, 12),
                paid: (100 + j as i64) * 100,
                refund: 0,
            });
        } else {
            // The 31st is the day after the 30-day window.
            dec.push(Row {
                id: format!("DC{j:03}"),
                key: k.clone(),
                placed: at(2025, 12, 31, 9),
                paid: 8000,
                refund: 0,
            });
        }
        if j % 7 == 0 {
            // A second order in the window, partly refunded.
            dec.push(Row {
                id: format!("DR{j:03}"),
                key: k.clone(),
                placed: at(2025, 12, 15, 20),
                paid: 5000,
                refund: 2000,
            });
        }
    }
    for (k_i, k) in holdout.iter().enumerate() {
        match k_i % 4 {
            0 => dec.push(Row {
                id: format!("DH{k_i:03}"),
                key: k.clone(),
                placed: at(2025, 12, 2 + k_i as u32 % 28, 8),
                paid: 9000,
                refund: 0,
            }),
            // On the campaign day itself: before the window.
            1 => dec.push(Row {
                id: format!("DH{k_i:03}"),
                key: k.clone(),
                placed: at(2025, 11, 30, 23),
                paid: 7000,
                refund: 0,
            }),
            _ => {}
        }
    }
    // A new customer who was never in the campaign.
    dec.push(Row { id: "DNEW".into(), key: "oNew".into(), placed: at(2025, 12, 10, 10), paid: 30000, refund: 0 });
    write_export(&dir.path().join("12月.csv"), &dec);
    import(&mut ws, &dir.path().join("12月.csv"));

    let date = NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let report = ws.campaign_report(created.id, 30).unwrap();
    let c = by_hand(&contacted, &dec, date, 30);
    let h = by_hand(&holdout, &dec, date, 30);
    // By hand: 56 of 70 contacted ordered in the window (j % 5 != 4), plus j = 14 and 49 whose only
    // order in the window is the second one (j % 7 == 0, 10 of those); 8 of 30 held out (k % 4 == 0).
    // Revenue: Σ (100 + j) yuan over j < 70 with j % 5 != 4 = ¥7504, plus 10 × (¥50 − ¥20 refunded).
    assert_eq!(c, (70, 58, 66, 750_400 + 30_000));
    assert_eq!(h, (30, 8, 8, 8 * 9000));
    let got = |g: &campaign::GroupResult| (g.customers, g.buyers, g.orders, g.revenue);
    assert_eq!(got(&report.contacted), c);
    let held = report.holdout.as_ref().unwrap();
    assert_eq!(got(held), h);
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    close(report.contacted.repurchase_rate, 58.0 / 70.0);
    close(held.repurchase_rate, 8.0 / 30.0);
    close(report.contacted.revenue_per_customer, c.3 as f64 / 70.0);
    close(report.uplift_points.unwrap(), (58.0 / 70.0 - 8.0 / 30.0) * 100.0);
    // Cost: 70 contacted × ¥20.
    assert_eq!(report.cost, Some(140_000));
    close(report.return_on_cost.unwrap(), c.3 as f64 / 140_000.0);
    let incremental = c.3 as f64 - (h.3 as f64 / 30.0) * 70.0;
    close(report.incremental_revenue.unwrap(), incremental);
    close(report.incremental_return.unwrap(), incremental / 140_000.0);
    // Two-proportion z by hand: pooled rate 66/100.
    let pooled: f64 = 66.0 / 100.0;
    let z = (58.0 / 70.0 - 8.0 / 30.0) / (pooled * (1.0 - pooled) * (1.0 / 70.0 + 1.0 / 30.0)).sqrt();
    close(report.z.unwrap(), z);
    assert!(z > 1.96);
    assert_eq!(report.verdict, Verdict::Better);
    assert!(report.window_complete);
    assert_eq!(report.data_until, NaiveDate::from_ymd_opt(2025, 12, 31));
    assert_eq!(report.window_start, NaiveDate::from_ymd_opt(2025, 12, 1).unwrap());
    assert_eq!(report.window_end, NaiveDate::from_ymd_opt(2025, 12, 30).unwrap());
    assert!(report.conclusion.zh.contains("活动有效"), "{}", report.conclusion.zh);

    // N = 31 takes in the orders of the 31st too; N = 60 runs past the data and says so.
    let r31 = ws.campaign_report(created.id, 31).unwrap();
    assert_eq!(got(&r31.contacted), by_hand(&contacted, &dec, date, 31));
    assert_eq!(r31.contacted.buyers, 70);
    let r60 = ws.campaign_report(created.id, 60).unwrap();
    assert!(!r60.window_complete);
    assert!(r60.conclusion.zh.contains("观察期到 2026-01-29 结束"), "{}", r60.conclusion.zh);
    assert!(matches!(ws.campaign_report(created.id, 0), Err(Error::InvalidParams(_))));

    // Stored: the campaign survives reopening, listed with its spec.
    drop(ws);
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    let listed = ws.campaigns().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].spec, spec("双12回访", 0.3, 7, Some(2000)));
    ws.delete_campaign(created.id).unwrap();
    assert!(ws.campaigns().unwrap().is_empty());
    assert!(matches!(ws.delete_campaign(created.id), Err(Error::InvalidParams(_))));
    ws.check_integrity().unwrap();
}

#[test]
fn small_groups_and_no_holdout_say_so_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    write_export(&dir.path().join("11月.csv"), &november());
    import(&mut ws, &dir.path().join("11月.csv"));
    let ten: Vec<String> = (0..10).map(key).collect();
    let small = ws.create_campaign(&spec("小范围", 0.2, 1, None), &ten).unwrap();
    assert_eq!((small.contacted, small.holdout), (8, 2));
    let report = ws.campaign_report(small.id, 30).unwrap();
    assert_eq!(report.verdict, Verdict::TooSmall);
    assert!(report.conclusion.zh.contains("每组至少需要 30 位客户"), "{}", report.conclusion.zh);
    // No cost given: no cost and no return.
    assert_eq!((report.cost, report.return_on_cost), (None, None));
    // Nothing after November yet: the window is not over.
    assert!(!report.window_complete);

    let all = ws.create_campaign(&spec("全员", 0.0, 1, Some(500)), &ten).unwrap();
    let report = ws.campaign_report(all.id, 30).unwrap();
    assert_eq!((report.contacted.customers, report.holdout.is_none()), (10, true));
    assert_eq!(report.verdict, Verdict::NoHoldout);
    assert_eq!(report.cost, Some(5000));
    assert!(report.conclusion.zh.contains("没有留对照组"));
}

#[test]
fn the_holdout_draw_is_reproducible_from_the_seed_whatever_the_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    write_export(&dir.path().join("11月.csv"), &november());
    import(&mut ws, &dir.path().join("11月.csv"));
    let keys: Vec<String> = (0..100).map(key).collect();
    let mut reversed = keys.clone();
    reversed.reverse();
    let held = |ws: &Workspace, id| {
        ws.campaign_members(id).unwrap().into_iter().filter(|m| m.holdout).map(|m| m.key).collect::<Vec<_>>()
    };
    let a = ws.create_campaign(&spec("甲", 0.2, 7, None), &keys).unwrap();
    let b = ws.create_campaign(&spec("乙", 0.2, 7, None), &reversed).unwrap();
    let c = ws.create_campaign(&spec("丙", 0.2, 8, None), &keys).unwrap();
    assert_eq!(held(&ws, a.id).len(), 20);
    assert_eq!(held(&ws, a.id), held(&ws, b.id));
    assert_ne!(held(&ws, a.id), held(&ws, c.id));
    // Repeated keys count once.
    let twice: Vec<String> = keys.iter().chain(&keys).cloned().collect();
    assert_eq!(ws.create_campaign(&spec("丁", 0.2, 7, None), &twice).unwrap().contacted, 80);
}

#[test]
fn audiences_by_tier_and_segment_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    write_export(&dir.path().join("11月.csv"), &november());
    import(&mut ws, &dir.path().join("11月.csv"));
    let customers = ws.customers().unwrap();
    let class = classify(&customers, &ClassifyParams::default()).unwrap();
    let tier_a: Vec<String> = customers
        .iter()
        .zip(&class.assignments)
        .filter(|(_, a)| a.tier == Tier::A)
        .map(|(c, _)| c.key.clone())
        .collect();
    assert!(!tier_a.is_empty());
    assert_eq!(campaign::audience_keys(&Audience::Tier(Tier::A), &customers, &class).unwrap(), tier_a);
    let seg = class.assignments[0].rfm_type.to_string();
    let in_seg = class.assignments.iter().filter(|a| *a.rfm_type == *seg).count();
    assert_eq!(campaign::audience_keys(&Audience::Segment(seg), &customers, &class).unwrap().len(), in_seg);
    assert!(matches!(
        campaign::audience_keys(&Audience::Segment("没有这个群组".into()), &customers, &class),
        Err(Error::InvalidParams(m)) if m.contains("没有客户")
    ));

    // Refused: unknown keys (named), no keys, an empty name, a holdout over 90 %.
    let err = ws.create_campaign(&spec("x", 0.1, 1, None), &["oGhost".to_string(), key(1)]).unwrap_err();
    assert!(matches!(&err, Error::InvalidParams(m) if m.contains("oGhost")), "{err}");
    assert!(ws.create_campaign(&spec("x", 0.1, 1, None), &[]).is_err());
    assert!(ws.create_campaign(&spec(" ", 0.1, 1, None), &[key(1)]).is_err());
    assert!(ws.create_campaign(&spec("x", 0.95, 1, None), &[key(1)]).is_err());
    assert!(ws.campaigns().unwrap().is_empty());
}

#[test]
fn each_customers_previous_tier_and_last_change_come_from_the_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    write_export(&dir.path().join("11月.csv"), &november());
    import(&mut ws, &dir.path().join("11月.csv"));
    let customers: Vec<_> = ws.customers().unwrap().into_iter().take(4).collect();
    // Three snapshots whose tiers are set here, so the expected history is known by construction.
    let tiers: BTreeMap<&str, [Tier; 3]> = BTreeMap::from([
        ("oCust000", [Tier::A, Tier::B, Tier::B]),
        ("oCust001", [Tier::C, Tier::C, Tier::B]),
        ("oCust002", [Tier::B, Tier::B, Tier::C]),
        ("oCust003", [Tier::A, Tier::A, Tier::A]),
    ]);
    let mut ids = Vec::new();
    for (s, day) in [1u32, 15, 30].into_iter().enumerate() {
        let as_of = NaiveDate::from_ymd_opt(2025, 12, day).unwrap();
        let mut class = classify(&customers, &ClassifyParams { as_of: Some(as_of), ..Default::default() }).unwrap();
        for (c, a) in customers.iter().zip(class.assignments.iter_mut()) {
            a.tier = tiers[c.key.as_str()][s];
        }
        ids.push(ws.save_snapshot(&customers, &class, None).unwrap().id);
    }
    let changes = ws.tier_changes(ids[2]).unwrap();
    let d = |day| NaiveDate::from_ymd_opt(2025, 12, day);
    let get = |k: &str| {
        let c = changes.get(k).unwrap();
        (c.previous, c.changed_on, c.dropped)
    };
    assert_eq!(get("oCust000"), (Some(Tier::B), d(15), false));
    assert_eq!(get("oCust001"), (Some(Tier::C), d(30), false));
    assert_eq!(get("oCust002"), (Some(Tier::B), d(30), true));
    assert_eq!(get("oCust003"), (Some(Tier::A), None, false));
    assert_eq!(changes.dropped(), 1);
    // As of the second snapshot, oCust000 had just dropped.
    let earlier = ws.tier_changes(ids[1]).unwrap();
    assert_eq!(earlier.get("oCust000").map(|c| (c.previous, c.dropped)), Some((Some(Tier::A), true)));
    // The first snapshot has no history yet.
    assert!(ws.tier_changes(ids[0]).unwrap().by_key.values().all(|c| c.previous.is_none() && c.changed_on.is_none()));
    assert!(matches!(ws.tier_changes(999), Err(Error::SnapshotNotFound(_))));
}

/// The workbook of a job on the workspace: a 活动效果 sheet with the report's figures, and the
/// tier sheets' 上次分层 / 分层变化日期 columns from the snapshots — read back with calamine.
#[test]
fn the_workbook_has_a_campaign_sheet_and_each_customers_tier_history() {
    use calamine::{open_workbook_auto, Data, DataType, Reader};
    use tierbook_core::export::ExportOptions;
    use tierbook_core::job::{self, Job, Outputs};

    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    let nov_path = dir.path().join("11月.csv");
    write_export(&nov_path, &november());
    let outputs =
        |name: &str| Outputs { workbook: dir.path().join(name), csv_dir: None, options: ExportOptions::default() };
    let params = ClassifyParams { as_of: NaiveDate::from_ymd_opt(2025, 11, 30), ..Default::default() };
    let run = |ws: &mut Workspace, files: &[std::path::PathBuf], out: &Outputs, params: &ClassifyParams| {
        let job = Job {
            files,
            import: &ImportOptions::default(),
            imported_at: at(2026, 1, 5, 9),
            params,
            save_snapshot: true,
            outputs: out,
            costs: None,
        };
        job::run(&job, Some(ws), &NoProgress).unwrap()
    };
    let first = run(&mut ws, std::slice::from_ref(&nov_path), &outputs("11月.xlsx"), &params);
    // One snapshot: no history columns, no campaign sheet yet.
    let book = open_workbook_auto(dir.path().join("11月.xlsx")).unwrap();
    assert!(!book.sheet_names().iter().any(|s| s == "活动效果"));

    let keys: Vec<String> = (0..40).map(key).collect();
    let created = ws.create_campaign(&spec("双12回访", 0.25, 7, Some(2000)), &keys).unwrap();
    let held: Vec<String> =
        ws.campaign_members(created.id).unwrap().into_iter().filter(|m| m.holdout).map(|m| m.key).collect();
    let contacted: Vec<String> = keys.iter().filter(|k| !held.contains(k)).cloned().collect();
    // December: every contacted customer orders ¥300 on the 5th; nobody held out does.
    let dec: Vec<Row> = contacted
        .iter()
        .enumerate()
        .map(|(j, k)| Row {
            id: format!("D{j:03}"),
            key: k.clone(),
            placed: at(2025, 12, 5, 10),
            paid: 30_000,
            refund: 0,
        })
        .collect();
    let dec_path = dir.path().join("12月.csv");
    write_export(&dec_path, &dec);
    let params = ClassifyParams { as_of: NaiveDate::from_ymd_opt(2025, 12, 31), ..Default::default() };
    let second = run(&mut ws, std::slice::from_ref(&dec_path), &outputs("12月.xlsx"), &params);

    let mut book = open_workbook_auto(dir.path().join("12月.xlsx")).unwrap();
    let sheet = book.worksheet_range("活动效果").unwrap();
    let header: Vec<String> = sheet.rows().nth(2).unwrap().iter().map(|c| c.to_string()).collect();
    let row = sheet.rows().nth(3).unwrap();
    let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"))].clone();
    assert_eq!(cell("活动名称"), Data::String("双12回访".into()));
    assert_eq!((cell("联系人数"), cell("对照人数")), (Data::Float(30.0), Data::Float(10.0)));
    assert_eq!((cell("联系组回购人数"), cell("对照组回购人数")), (Data::Float(30.0), Data::Float(0.0)));
    assert_eq!(cell("联系组回购率"), Data::Float(1.0));
    // 30 × ¥300 revenue for 30 × ¥20 cost.
    assert_eq!((cell("联系组销售额"), cell("成本")), (Data::Float(9000.0), Data::Float(600.0)));
    assert_eq!(cell("投入产出比"), Data::Float(15.0));
    assert_eq!(cell("回购率提升（百分点）"), Data::Float(100.0));
    assert!(cell("结论").to_string().contains("每组至少需要 30 位客户"));

    // History per customer: each row's 上次分层 is the first snapshot's tier, the change date the
    // second snapshot's as-of date when the tier differs.
    let before: BTreeMap<String, Tier> = {
        let first_id = first.snapshot.unwrap().id;
        ws.snapshot_assignments(first_id).unwrap().into_iter().map(|r| (r.customer.key, r.assignment.tier)).collect()
    };
    let now: BTreeMap<&str, Tier> = second
        .customers
        .iter()
        .zip(&second.classification.assignments)
        .map(|(c, a)| (c.key.as_str(), a.tier))
        .collect();
    let mut seen = 0;
    let mut changed = 0;
    for name in ["A类客户", "B类客户", "C类客户"] {
        let Ok(sheet) = book.worksheet_range(name) else { continue };
        let mut rows = sheet.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        let at_col = |h: &str| header.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h} in {name}"));
        let (k, p, d) = (at_col("客户ID"), at_col("上次分层"), at_col("分层变化日期"));
        for r in rows {
            let key = r[k].to_string();
            let prev = before[&key];
            assert!(r[p].to_string().starts_with(prev.letter()), "{key}: {} vs {prev:?}", r[p]);
            if prev != now[key.as_str()] {
                changed += 1;
                assert_eq!(r[d].as_date(), NaiveDate::from_ymd_opt(2025, 12, 31), "{key}");
            } else {
                assert_eq!(r[d], Data::Empty, "{key}");
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 100);
    assert!(changed > 0, "December's orders move some customers");
}
