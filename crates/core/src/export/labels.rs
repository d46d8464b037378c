//! The words of the export in Chinese and English: sheet names, column headers, the method in a
//! sentence and import roles (skip reasons are worded by `report`). Only wording; no layout and no numbers.

use std::borrow::Cow;

use crate::classify::{self, CubeBasis, Measure, Method, ZeroRevenue};
use crate::mapping::{KeySpec, Level, Role};
use crate::model::{Lang, Tier};

/// Picks the Chinese or English wording.
pub(crate) fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The name of a tier's sheet: "A类客户" / "Tier A".
pub(crate) fn tier_sheet(tier: Tier, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}类客户", tier.letter()),
        Lang::En => format!("Tier {}", tier.letter()),
    }
}

/// The value of the tier column: "A类" / "A".
pub(crate) fn tier_cell(tier: Tier, lang: Lang) -> String {
    match lang {
        Lang::Zh => tier.label(lang),
        Lang::En => tier.letter().to_string(),
    }
}

/// A segment or RFM type as shown in `lang`: built-in names (either language) get that language's
/// wording via `classify`'s vocabulary; a user's own or renamed segment is shown as it is.
pub(crate) fn segment_name(name: &str, lang: Lang) -> Cow<'_, str> {
    match classify::canonical_segment(name).and_then(classify::segment_text) {
        Some(text) if text.get(lang) != name => Cow::Owned(text.get(lang).to_string()),
        _ => Cow::Borrowed(name),
    }
}

pub(crate) fn role(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::CustomerKey => pick(lang, "客户标识", "customer key"),
        Role::OrderId => pick(lang, "订单号", "order id"),
        Role::SubOrderId => pick(lang, "子订单号", "sub-order id"),
        Role::Date => pick(lang, "下单时间", "order date"),
        Role::PaidAt => pick(lang, "支付时间", "paid at"),
        Role::Amount => pick(lang, "金额", "amount"),
        Role::Refund => pick(lang, "退款金额", "refund"),
        Role::Status => pick(lang, "订单状态", "status"),
        Role::AfterSales => pick(lang, "售后状态", "after-sales status"),
        Role::Quantity => pick(lang, "数量", "quantity"),
        Role::Name => pick(lang, "客户名称", "name"),
        Role::Phone => pick(lang, "手机号", "phone"),
        Role::Receiver => pick(lang, "收货人", "receiver"),
        Role::OrderCount => pick(lang, "消费次数", "order count"),
        Role::FirstDate => pick(lang, "首次消费时间", "first order date"),
        Role::RecencyDays => pick(lang, "距上次消费天数", "days since last purchase"),
        Role::Interactions => pick(lang, "互动次数", "interactions"),
        Role::UnitPrice => pick(lang, "单价", "unit price"),
        Role::Address => pick(lang, "收货地址", "address"),
        Role::Province => pick(lang, "省份", "province"),
        Role::City => pick(lang, "城市", "city"),
        Role::Product => pick(lang, "商品名称", "product"),
        Role::Sku => pick(lang, "商品编码", "product code"),
        Role::UnitCost => pick(lang, "成本价", "unit cost"),
        Role::Cost => pick(lang, "成本", "cost"),
        Role::Profit => pick(lang, "毛利", "profit"),
    }
}

pub(crate) fn key_spec(key: &KeySpec, lang: Lang) -> String {
    match key {
        KeySpec::Column(column) => column.clone(),
        KeySpec::Combined(columns) => columns.join(pick(lang, " + ", " + ")),
    }
}

pub(crate) fn level(level: Level, lang: Lang) -> &'static str {
    match level {
        Level::Orders => pick(lang, "订单明细（每行一笔订单）", "orders (one row per order)"),
        Level::Customers => pick(lang, "客户汇总（每行一位客户）", "customers (one row per customer)"),
    }
}

/// The R/F/M cut points in words: quantiles, or the user's own with the boundary rule.
pub(crate) fn score_cuts_words(cuts: &crate::window::ScoreCuts, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let list = |p: &[f64]| p.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("/");
    let mut parts = Vec::new();
    for (name, points, unit_zh, unit_en) in
        [("R", &cuts.r, "天", "days"), ("F", &cuts.f, "单", "orders"), ("M", &cuts.m, "元", "yuan")]
    {
        if !points.is_empty() {
            parts.push(if zh {
                format!("{name} {} {unit_zh}", list(points))
            } else {
                format!("{name} {} {unit_en}", list(points))
            });
        }
    }
    match (parts.is_empty(), zh) {
        (true, true) => "按分位数（数据自身的分位点）。".to_string(),
        (true, false) => "Quantiles of the data.".to_string(),
        (false, true) => format!("自定义：{}；其余按分位数。取值等于分界值时计入较好的一档（R ≤ 分界值、F/M ≥ 分界值）。", parts.join("，")),
        (false, false) => format!("Own: {}; the rest by quantiles. A value equal to a cut point counts on the better side (R ≤ cut, F/M ≥ cut).", parts.join(", ")),
    }
}

/// The method and its parameters in one or two sentences a shop owner can check.
pub(crate) fn method_words(method: &Method, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match method {
        Method::AbcRevenue { a_pct, b_pct } => {
            if zh {
                format!("按消费额从高到低排序：累计消费额占总额前 {a_pct}% 的客户为 A 类，{a_pct}%–{b_pct}% 为 B 类，其余为 C 类。")
            } else {
                format!("Customers sorted by revenue: those making up the first {a_pct}% of revenue are A, up to {b_pct}% B, the rest C.")
            }
        }
        Method::AbcProfit { a_pct, b_pct } => {
            if zh {
                format!("按毛利（消费额 − 商品成本）从高到低排序：累计毛利占总毛利前 {a_pct}% 的客户为 A 类，{a_pct}%–{b_pct}% 为 B 类，其余为 C 类。")
            } else {
                format!("Customers sorted by profit (revenue − cost of goods): those making up the first {a_pct}% of profit are A, up to {b_pct}% B, the rest C.")
            }
        }
        Method::AbcCustomers { a_pct, b_pct, zero_revenue } => {
            let zero = match (zero_revenue, zh) {
                (ZeroRevenue::C, true) => "零消费客户归入 C 类。",
                (ZeroRevenue::D, true) => "零消费客户单独归入 D 类。",
                (ZeroRevenue::C, false) => "Zero-revenue customers go to C.",
                (ZeroRevenue::D, false) => "Zero-revenue customers form their own group D.",
            };
            if zh {
                format!("按消费额排序：前 {a_pct}% 的客户为 A 类，其后 {b_pct}% 为 B 类，其余为 C 类。{zero}")
            } else {
                format!("Customers sorted by revenue: the top {a_pct}% are A, the next {b_pct}% B, the rest C. {zero}")
            }
        }
        Method::Thresholds { measure: m, a_min, b_min, c_min } => {
            let m = m.label();
            let m = m.get(lang);
            let unit = if matches!(method, Method::Thresholds { measure: Measure::Orders, .. }) { "" } else { "¥" };
            match (c_min, zh) {
                (None, true) => format!("按{m}：≥ {unit}{a_min} 为 A 类，≥ {unit}{b_min} 为 B 类，其余为 C 类。"),
                (Some(c), true) => {
                    format!(
                        "按{m}：≥ {unit}{a_min} 为 A 类，≥ {unit}{b_min} 为 B 类，≥ {unit}{c} 为 C 类，其余为 D 类。"
                    )
                }
                (None, false) => {
                    format!("By {m}: ≥ {unit}{a_min} is A, ≥ {unit}{b_min} B, the rest C.")
                }
                (Some(c), false) => {
                    format!("By {m}: ≥ {unit}{a_min} is A, ≥ {unit}{b_min} B, ≥ {unit}{c} C, the rest D.")
                }
            }
        }
        Method::RfmScores { bins, a_min, b_min } => {
            if zh {
                format!("R、F、M 按分位数各打 1–{bins} 分（R 越近越高），总分 ≥ {a_min} 为 A 类，≥ {b_min} 为 B 类，其余为 C 类。")
            } else {
                format!("R, F and M each scored 1–{bins} by quantiles (recent = high); total ≥ {a_min} is A, ≥ {b_min} B, the rest C.")
            }
        }
        Method::RfmCube { basis } => {
            let line = match (basis, zh) {
                (CubeBasis::Mean, true) => "高低以平均值为界".to_string(),
                (CubeBasis::Median, true) => "高低以中位数为界".to_string(),
                (CubeBasis::Fixed { r_days, f, m_yuan }, true) => {
                    format!("R ≤ {r_days} 天为高，F ≥ {f} 单为高，M ≥ ¥{m_yuan} 为高")
                }
                (CubeBasis::Mean, false) => "high/low against the mean".to_string(),
                (CubeBasis::Median, false) => "high/low against the median".to_string(),
                (CubeBasis::Fixed { r_days, f, m_yuan }, false) => {
                    format!("R high when ≤ {r_days} days, F high when ≥ {f} orders, M high when ≥ ¥{m_yuan}")
                }
            };
            if zh {
                format!("R（最近消费）、F（消费频次）、M（消费金额）各分高低（{line}），组合成八类客户；各类对应的分层见“服务策略”。")
            } else {
                format!("R (recency), F (frequency) and M (monetary) each high or low ({line}), giving eight customer types; each type's tier is on the playbook sheet.")
            }
        }
        Method::RfmSegments { rules } => {
            if zh {
                format!("R、F、M 各打 1–5 分，按 {} 条分群规则依次匹配（先匹配者优先，其余为“其他”）；各群组对应的分层见“服务策略”。", rules.len())
            } else {
                format!("R, F and M scored 1–5; {} segment rules evaluated in order (first match wins, the rest is Others); each segment's tier is on the playbook sheet.", rules.len())
            }
        }
        Method::Composite { weights, a_min, b_min } => {
            let w = weights;
            // The rhythm part is named only when it weighs in (the sentence is as before otherwise).
            let rhythm = match (w.rhythm(), zh) {
                (r, _) if r <= 0.0 => String::new(),
                (r, true) => format!(" + 回购节奏 {r}"),
                (r, false) => format!(" + rhythm {r}"),
            };
            if zh {
                format!(
                    "综合得分 0–100 = 消费额 {} + 频次 {} + 最近消费 {} + 互动 {}{rhythm}（权重归一化）；≥ {a_min} 分为 A 类，≥ {b_min} 分为 B 类，其余为 C 类。",
                    w.value, w.frequency, w.recency, w.interactions
                )
            } else {
                format!(
                    "Score 0–100 = value {} + frequency {} + recency {} + interactions {}{rhythm} (weights normalized); ≥ {a_min} is A, ≥ {b_min} B, the rest C.",
                    w.value, w.frequency, w.recency, w.interactions
                )
            }
        }
    }
}
