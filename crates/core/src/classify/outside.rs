//! Customers with no order in the analysis window, when the parameters keep them as their own
//! group (`window::Outside::Group`): `window::apply` hands them over with 0 orders; here they are
//! split off before the method runs — they take no part in any cut point, quantile or share — and
//! put back afterwards in tier D with the segment [`OUTSIDE`], their recency from the as-of date and
//! scores of 0 (not scored).
//!
//! It knows no method: the method classifies the customers inside the window only.

use super::types::{Assignment, Classification, ClassifyParams, GroupSummary};
use crate::model::{Customer, Text, Tier};
use crate::window::Outside;

/// The group (tier D's segment and customer type) of customers with no order in the window.
pub const OUTSIDE: &str = "窗口内无订单";

/// The customers inside the window, when some given ones are outside it and are to be grouped.
pub(super) struct Split {
    /// Customers with orders in the window, in input order.
    pub inside: Vec<Customer>,
    /// For each input customer, whether it is inside.
    is_inside: Vec<bool>,
}

/// `None` when nothing is to be split off (no grouping asked, or every customer has orders).
pub(super) fn split(customers: &[Customer], params: &ClassifyParams) -> Option<Split> {
    if params.window.outside != Outside::Group || customers.iter().all(|c| c.orders > 0) {
        return None;
    }
    let is_inside: Vec<bool> = customers.iter().map(|c| c.orders > 0).collect();
    let inside = customers.iter().filter(|c| c.orders > 0).cloned().collect();
    Some(Split { inside, is_inside })
}

impl Split {
    /// The entries of `all` (one per input customer) that belong to the customers inside.
    pub fn inside_only<T: Clone>(&self, all: &[T]) -> Vec<T> {
        all.iter().zip(&self.is_inside).filter(|(_, inside)| **inside).map(|(x, _)| x.clone()).collect()
    }

    /// `class` (of `self.inside`) with the outside customers of `customers` put back in input
    /// order, counted in tier D (and in the segments, when the method has some), with a note.
    pub fn merge(self, mut class: Classification, customers: &[Customer], wordings: bool) -> Classification {
        let n = customers.len();
        let mut inside = std::mem::take(&mut class.assignments).into_iter();
        let mut outside = 0u64;
        class.assignments = customers
            .iter()
            .zip(&self.is_inside)
            .map(|(c, &is_in)| {
                if is_in {
                    return inside.next().expect("one assignment per inside customer");
                }
                outside += 1;
                outside_assignment(c, class.as_of, wordings)
            })
            .collect();
        let group = |name: &str| GroupSummary {
            group: name.to_string(),
            customers: outside,
            customer_share: 0.0,
            orders: 0,
            revenue: 0,
            revenue_share: 0.0,
            aov: 0,
        };
        match class.tiers.iter_mut().find(|t| t.group == Tier::D.letter()) {
            Some(d) => d.customers += outside,
            None => class.tiers.push(group(Tier::D.letter())),
        }
        if !class.segments.is_empty() {
            class.segments.push(group(OUTSIDE));
        }
        for g in class.tiers.iter_mut().chain(class.segments.iter_mut()) {
            g.customer_share = g.customers as f64 / n as f64;
        }
        class.notes.push(Text::new(
            format!("{outside} 位客户在分析窗口内没有订单，单列为 D 类「{OUTSIDE}」：不参与分界值、分位点和占比的计算，R/F/M 分记为 0。"),
            format!("{outside} customers have no order in the analysis window and form their own group D ({OUTSIDE}, no order in window): they take no part in cut points, quantiles or shares, and their R/F/M scores are 0."),
        ));
        class
    }
}

fn outside_assignment(c: &Customer, as_of: chrono::NaiveDate, wordings: bool) -> Assignment {
    let days = c.recency_days(as_of);
    let reason = if wordings {
        Text::new(
            format!("分析窗口内没有订单（最近一次购买在 {}，{days} 天前），单列为 D 类，不参与分层", c.last_order),
            format!(
                "No order in the analysis window (last order {}, {days} days ago): own group D, not tiered",
                c.last_order
            ),
        )
    } else {
        Text::default()
    };
    Assignment {
        tier: Tier::D,
        segment: Some(OUTSIDE.into()),
        recency_days: days,
        r_score: 0,
        f_score: 0,
        m_score: 0,
        abc: Tier::D,
        rfm_type: OUTSIDE.into(),
        score: None,
        reason,
        gap: None,
    }
}
