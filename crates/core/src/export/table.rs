//! The customer table shared by the tier sheets and the CSV files: which columns, their headers in
//! both languages, the row order (revenue, highest first) and each cell's value.
//!
//! It knows nothing of xlsx or CSV; `workbook` and `csv` turn its `Value`s into cells.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use chrono::NaiveDate;

use super::labels::{self, pick};
use super::text::mask_phone;
use super::{ExportInput, ExportOptions};
use crate::classify::Assignment;
use crate::error::{Error, Result};
use crate::model::{Cents, Customer, Lang, Region, Tier};
use crate::playbook::{self, Suggestion};
use crate::products::Purchases;
use crate::rhythm::Rhythm;

/// One column of a tier sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Key,
    Name,
    Phone,
    Province,
    City,
    Orders,
    Revenue,
    Aov,
    FirstOrder,
    LastOrder,
    Recency,
    R,
    F,
    M,
    Tier,
    Abc,
    RfmType,
    Segment,
    Score,
    Reason,
    Gap,
    Action,
    Channel,
    Priority,
    NextContact,
    /// Purchase rhythm (`rhythm`): only when the export is given one.
    RhythmGap,
    RhythmBasis,
    ExpectedNext,
    DaysOverdue,
    OverdueRatio,
    RhythmState,
    /// The tier in the previous snapshot (history per customer).
    PreviousTier,
    /// The as-of date of the snapshot in which the tier last changed.
    TierChangedOn,
    /// Net profit (`Customer::profit`): only when some customer's cost is known.
    Profit,
    /// The customer's top products by revenue and the product of their latest order (`products`):
    /// only when the orders named products.
    Favourites,
    LastProduct,
}

impl Column {
    pub(crate) fn header(self, lang: Lang) -> &'static str {
        match self {
            Column::Key => pick(lang, "客户ID", "Customer ID"),
            Column::Name => pick(lang, "客户名称", "Name"),
            Column::Phone => pick(lang, "手机号", "Phone"),
            Column::Province => pick(lang, "省份", "Province"),
            Column::City => pick(lang, "城市", "City"),
            Column::Orders => pick(lang, "订单数", "Orders"),
            Column::Revenue => pick(lang, "消费金额", "Revenue"),
            Column::Aov => pick(lang, "客单价", "AOV"),
            Column::FirstOrder => pick(lang, "首次下单日期", "First order"),
            Column::LastOrder => pick(lang, "最近下单日期", "Last order"),
            Column::Recency => pick(lang, "距今天数", "Recency (days)"),
            Column::R => pick(lang, "R分", "R"),
            Column::F => pick(lang, "F分", "F"),
            Column::M => pick(lang, "M分", "M"),
            Column::Tier => pick(lang, "分层", "Tier"),
            Column::Abc => pick(lang, "ABC分类", "ABC class"),
            // The checker (and people) read 客户类型 as the RFM 8-type, so the method's own segment
            // gets a header of its own.
            Column::RfmType => pick(lang, "客户类型", "Customer type"),
            Column::Segment => pick(lang, "细分群组", "Segment"),
            Column::Score => pick(lang, "综合得分", "Score"),
            Column::Reason => pick(lang, "原因", "Reason"),
            Column::Gap => pick(lang, "距下一层差距", "Gap to next tier"),
            Column::Action => pick(lang, "建议动作", "Action"),
            Column::Channel => pick(lang, "渠道", "Channel"),
            Column::Priority => pick(lang, "优先级", "Priority"),
            Column::NextContact => pick(lang, "下次联系日期", "Next contact"),
            Column::RhythmGap => pick(lang, "回购周期（天）", "Typical gap (days)"),
            Column::RhythmBasis => pick(lang, "周期依据", "Gap basis"),
            Column::ExpectedNext => pick(lang, "预计下次下单", "Expected next order"),
            Column::DaysOverdue => pick(lang, "逾期天数", "Days overdue"),
            Column::OverdueRatio => pick(lang, "逾期倍数", "Overdue ratio"),
            Column::RhythmState => pick(lang, "回购状态", "Rhythm state"),
            Column::PreviousTier => pick(lang, "上次分层", "Previous tier"),
            Column::TierChangedOn => pick(lang, "分层变化日期", "Tier changed on"),
            Column::Profit => pick(lang, "毛利", "Profit"),
            Column::Favourites => pick(lang, "常买商品", "Favourite products"),
            Column::LastProduct => pick(lang, "最近购买商品", "Last product"),
        }
    }

    /// The rhythm columns, in sheet order (after 距今天数).
    pub(crate) const RHYTHM: [Column; 6] = [
        Column::RhythmGap,
        Column::RhythmBasis,
        Column::ExpectedNext,
        Column::DaysOverdue,
        Column::OverdueRatio,
        Column::RhythmState,
    ];

    /// Short codes and labels, shown centred so they do not run into their neighbours: the
    /// rhythm's basis and state follow right-aligned numbers ("9本人", "5.56已流失" in print).
    /// Numbers stay right-aligned.
    pub(crate) fn is_short(self) -> bool {
        matches!(self, Column::Tier | Column::Abc | Column::PreviousTier | Column::RhythmBasis | Column::RhythmState)
    }

    /// Width in Excel character units for columns whose content has a fixed shape; `None` for
    /// free text, which is measured.
    pub(crate) fn fixed_width(self) -> Option<f64> {
        match self {
            Column::Orders | Column::Recency | Column::Priority | Column::Score => Some(10.0),
            // Its header, 回购周期（天）, is 14 wide: at 10 it wrapped before its bracket.
            Column::RhythmGap => Some(16.0),
            Column::DaysOverdue | Column::OverdueRatio => Some(10.0),
            // 按全店中位数 is 12 wide.
            Column::RhythmBasis => Some(13.0),
            Column::ExpectedNext => Some(13.0),
            Column::RhythmState => Some(10.0),
            Column::Revenue | Column::Aov | Column::Profit => Some(14.0),
            Column::FirstOrder | Column::LastOrder | Column::NextContact | Column::TierChangedOn => Some(13.0),
            Column::R | Column::F | Column::M => Some(6.0),
            Column::Tier | Column::Abc | Column::Province | Column::PreviousTier => Some(9.0),
            Column::Phone => Some(14.0),
            _ => None,
        }
    }
}

/// The value of one cell, before it becomes xlsx or CSV.
#[derive(Debug, PartialEq)]
pub(crate) enum Value<'a> {
    /// Customer or generated text; always written as text.
    Text(Cow<'a, str>),
    Int(i64),
    Money(Cents),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

/// One customer with the results the export shows for them.
pub(crate) struct Row<'a> {
    pub customer: &'a Customer,
    pub assignment: &'a Assignment,
    pub suggestion: &'a Suggestion,
    /// The customer's purchase rhythm, when the export has rhythms and the customer has one.
    pub rhythm: Option<&'a Rhythm>,
    /// The customer's region and products, when known: looked up once per row rather than once
    /// per column (each is a hash of the key, and a million-order export has ~240k rows).
    region: Option<&'a Region>,
    purchases: Option<&'a Purchases>,
}

/// The customers, their columns and their order.
pub(crate) struct Table<'a> {
    pub input: &'a ExportInput<'a>,
    pub lang: Lang,
    pub keep_phones: bool,
    pub columns: Vec<Column>,
    /// Customer indices per tier, each sorted by revenue (highest first), ties by key.
    pub tiers: BTreeMap<Tier, Vec<usize>>,
    /// Segment and RFM-type names as shown in `lang`, worked out once per distinct name rather
    /// than once per row.
    segment_names: FxHashMap<&'a str, Cow<'a, str>>,
    /// The playbook's suggestion per (segment, tier): it depends on nothing else, so it is worked
    /// out once per pair instead of once per customer.
    suggestions: FxHashMap<(Option<&'a str>, Tier), Suggestion>,
    /// Each customer's region and products (by customer index), looked up once, on all cores: a
    /// lookup by key misses the cache several times over (~1 µs each at a quarter of a million
    /// customers), and the province filter, the tier rows and the 商品 and 地区 sheets need them.
    /// Empty when the input has neither.
    looked_up: Vec<(Option<&'a Region>, Option<&'a Purchases>)>,
}

impl<'a> Table<'a> {
    /// Checks the input and orders the rows.
    ///
    /// # Errors
    /// `NoCustomers` when there is no customer; `InvalidParams` when the classification does not
    /// belong to these customers (a stale result: classify again).
    pub(crate) fn new(input: &'a ExportInput<'a>, options: &ExportOptions) -> Result<Self> {
        let (lang, keep_phones) = (options.lang, options.keep_phones);
        let customers = input.customers;
        let assignments = &input.classification.assignments;
        if customers.is_empty() {
            return Err(Error::NoCustomers);
        }
        if assignments.len() != customers.len() {
            return Err(Error::InvalidParams(format!(
                "分层结果有 {} 位客户，客户列表有 {} 位，两者不一致。请重新分层后再导出。",
                assignments.len(),
                customers.len()
            )));
        }
        // Most revenue first, then by key (then by position, so that the order is total), as the
        // classification orders them for ABC: sorted on all cores, keys compared only when the
        // customers are not in key order already.
        let order = crate::classify::revenue_order(customers).into_iter().map(|i| i as usize);
        // Each customer's region and products, once, on all cores (see `looked_up`).
        let (regions, products) = (input.regions, input.products);
        let looked_up = if regions.is_some() || products.is_some() {
            use rayon::prelude::*;
            customers
                .par_iter()
                .map(|c| (regions.and_then(|r| r.get(&c.key)), products.and_then(|p| p.of(&c.key))))
                .collect()
        } else {
            Vec::new()
        };
        let province = |i: usize| looked_up.get(i).and_then(|(r, _)| *r).map(|r| r.province.as_str());
        let mut tiers: BTreeMap<Tier, Vec<usize>> = BTreeMap::new();
        // A province filter keeps that province's customers in the lists (tiers stay the whole shop's).
        let only = options.region.as_deref().map(|p| (p, regions));
        let order = order.filter(|&i| match only {
            Some((wanted, regions)) => regions.is_some() && province(i).unwrap_or(crate::region::UNKNOWN) == wanted,
            None => true,
        });
        for i in order {
            tiers.entry(assignments[i].tier).or_default().push(i);
        }
        // A, B and C always get a sheet (an empty one says "nobody here" clearly); D only when used.
        for tier in [Tier::A, Tier::B, Tier::C] {
            tiers.entry(tier).or_default();
        }

        let has_segments = assignments.iter().any(|a| a.segment.is_some());
        let has_score = assignments.iter().any(|a| a.score.is_some());
        // A name that only repeats the key, or a phone column nobody has (public data sets, plain
        // id lists), would be an empty or duplicate column on every printed page.
        let has_names = customers.iter().any(|c| !c.name.is_empty() && c.name != c.key);
        let has_phones = customers.iter().any(|c| c.phone.as_deref().is_some_and(|p| !p.is_empty()));
        let mut columns = vec![Column::Key];
        if has_names {
            columns.push(Column::Name);
        }
        if has_phones {
            columns.push(Column::Phone);
        }
        if input.regions.is_some_and(|r| !r.is_empty()) {
            columns.extend([Column::Province, Column::City]);
        }
        columns.extend([Column::Orders, Column::Revenue]);
        if customers.iter().any(|c| c.profit.is_some()) {
            columns.push(Column::Profit);
        }
        columns.extend([Column::Aov, Column::FirstOrder, Column::LastOrder]);
        if input.products.is_some_and(|p| !p.is_empty()) {
            columns.extend([Column::Favourites, Column::LastProduct]);
        }
        columns.extend([Column::Recency, Column::R, Column::F, Column::M, Column::Tier]);
        // History per customer, once there is an earlier snapshot to compare with.
        if input.tier_changes.is_some_and(|t| t.previous_as_of.is_some()) {
            columns.extend([Column::PreviousTier, Column::TierChangedOn]);
        }
        columns.extend([Column::Abc, Column::RfmType]);
        if has_segments {
            columns.push(Column::Segment);
        }
        if has_score {
            columns.push(Column::Score);
        }
        columns.extend([
            Column::Reason,
            Column::Gap,
            Column::Action,
            Column::Channel,
            Column::Priority,
            Column::NextContact,
        ]);
        if let Some(rhythms) = input.rhythm {
            if rhythms.customers.len() != customers.len() {
                return Err(Error::InvalidParams(format!(
                    "回购节奏有 {} 位客户，客户列表有 {} 位，两者不一致。请重新分层后再导出。",
                    rhythms.customers.len(),
                    customers.len()
                )));
            }
            let at = columns.iter().position(|c| *c == Column::Recency).map_or(columns.len(), |p| p + 1);
            columns.splice(at..at, Column::RHYTHM);
        }
        let class = input.classification;
        let mut suggestions = FxHashMap::default();
        for (i, a) in assignments.iter().enumerate() {
            suggestions.entry((a.segment.as_deref(), a.tier)).or_insert_with(|| {
                // `suggest_in` undoes the user's segment renames so a renamed segment keeps its action.
                playbook::suggest_in(input.playbook, class, i)
                    .unwrap_or_else(|| playbook::suggest(input.playbook, a, class.as_of))
            });
        }
        let mut segment_names = FxHashMap::default();
        for a in assignments {
            for name in std::iter::once(&*a.rfm_type).chain(a.segment.as_deref()) {
                segment_names.entry(name).or_insert_with(|| labels::segment_name(name, lang));
            }
        }
        Ok(Table { input, lang, keep_phones, columns, tiers, segment_names, suggestions, looked_up })
    }

    /// The province of customer `index` (an index into the customers), [`crate::region::UNKNOWN`] when
    /// not known.
    pub(crate) fn province(&self, index: usize) -> &'a str {
        self.looked_up.get(index).and_then(|(r, _)| *r).map_or(crate::region::UNKNOWN, |r| r.province.as_str())
    }

    /// The products of customer `index` (an index into the customers), when known.
    pub(crate) fn purchases(&self, index: usize) -> Option<&'a Purchases> {
        self.looked_up.get(index).and_then(|(_, p)| *p)
    }

    /// A segment or RFM type of these customers as shown in the export's language.
    pub(crate) fn segment<'s>(&'s self, name: &'s str) -> &'s str {
        self.segment_names.get(name).map_or(name, |shown| shown.as_ref())
    }

    /// Number of customer rows over all tiers.
    pub(crate) fn len(&self) -> usize {
        self.input.customers.len()
    }

    pub(crate) fn row(&self, index: usize) -> Row<'_> {
        let customer = &self.input.customers[index];
        let assignment = &self.input.classification.assignments[index];
        // Every (segment, tier) pair of these assignments was filled in by `new`.
        let suggestion = &self.suggestions[&(assignment.segment.as_deref(), assignment.tier)];
        let rhythm = self.input.rhythm.and_then(|r| r.get(index));
        let (region, purchases) = self.looked_up.get(index).copied().unwrap_or_default();
        Row { customer, assignment, suggestion, rhythm, region, purchases }
    }

    pub(crate) fn value<'r>(&'r self, row: &'r Row<'a>, column: Column) -> Value<'r> {
        let lang = self.lang;
        let (c, a, s) = (row.customer, row.assignment, row.suggestion);
        let text = |t: &'r str| Value::Text(Cow::Borrowed(t));
        match column {
            Column::Key => text(&c.key),
            Column::Name => text(&c.name),
            Column::Phone => match &c.phone {
                Some(p) if self.keep_phones => text(p),
                Some(p) => {
                    let masked = mask_phone(p);
                    if masked.is_empty() {
                        Value::Empty
                    } else {
                        Value::Text(Cow::Owned(masked))
                    }
                }
                None => Value::Empty,
            },
            Column::Province => text(row.region.map_or(crate::region::UNKNOWN, |r| r.province.as_str())),
            Column::City => row.region.and_then(|r| r.city.as_deref()).map_or(Value::Empty, text),
            Column::Orders => Value::Int(i64::from(c.orders)),
            Column::Revenue => Value::Money(c.revenue),
            Column::Aov => Value::Money(c.aov()),
            Column::FirstOrder => Value::Date(c.first_order),
            Column::LastOrder => Value::Date(c.last_order),
            Column::Recency => Value::Int(a.recency_days),
            Column::R => Value::Int(i64::from(a.r_score)),
            Column::F => Value::Int(i64::from(a.f_score)),
            Column::M => Value::Int(i64::from(a.m_score)),
            Column::Tier => Value::Text(Cow::Owned(labels::tier_cell(a.tier, lang))),
            Column::Abc => text(a.abc.letter()),
            Column::RfmType => text(self.segment(&a.rfm_type)),
            Column::Segment => a.segment.as_deref().map_or(Value::Empty, |s| text(self.segment(s))),
            Column::Score => a.score.map_or(Value::Empty, |s| Value::Number((s * 10.0).round() / 10.0)),
            Column::Reason => text(a.reason.get(lang)),
            Column::Gap => a.gap.as_ref().map_or(Value::Empty, |g| text(g.get(lang))),
            Column::Action => text(s.action.get(lang)),
            Column::Channel => text(s.channel.get(lang)),
            Column::Priority => Value::Int(i64::from(s.priority)),
            Column::NextContact => Value::Date(s.next_contact),
            Column::RhythmGap => row.rhythm.map_or(Value::Empty, |r| Value::Number((r.gap_days * 10.0).round() / 10.0)),
            Column::RhythmBasis => row.rhythm.map_or(Value::Empty, |r| text(r.basis.label(lang))),
            Column::ExpectedNext => row.rhythm.map_or(Value::Empty, |r| Value::Date(r.expected_next)),
            Column::DaysOverdue => row.rhythm.map_or(Value::Empty, |r| Value::Int(r.days_overdue)),
            Column::OverdueRatio => {
                row.rhythm.map_or(Value::Empty, |r| Value::Number((r.overdue_ratio * 100.0).round() / 100.0))
            }
            Column::RhythmState => row.rhythm.map_or(Value::Empty, |r| text(r.state.label(lang))),
            Column::PreviousTier => self
                .tier_change(c)
                .and_then(|t| t.previous)
                .map_or(Value::Empty, |t| Value::Text(Cow::Owned(labels::tier_cell(t, lang)))),
            Column::TierChangedOn => self.tier_change(c).and_then(|t| t.changed_on).map_or(Value::Empty, Value::Date),
            Column::Profit => c.profit.map_or(Value::Empty, Value::Money),
            Column::Favourites => row.purchases.map_or(Value::Empty, |p| {
                Value::Text(Cow::Owned(p.favourites(crate::products::FAVOURITES).collect::<Vec<_>>().join("、")))
            }),
            Column::LastProduct => row.purchases.and_then(|p| p.last.as_deref()).map_or(Value::Empty, text),
        }
    }

    fn tier_change(&self, c: &Customer) -> Option<&'a crate::tier_changes::TierChange> {
        self.input.tier_changes.and_then(|t| t.get(&c.key))
    }
}
