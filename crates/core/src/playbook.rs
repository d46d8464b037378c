//! Service actions per tier and per segment (defaults from the seed articles), and the suggestion
//! for each customer: action, channel, priority, next-contact date.
//!
//! The playbook is data the user edits; this module only supplies the defaults and picks the
//! action for a customer. Persisting edits is the store's job.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::classify::{canonical_segment, Classification};
use crate::model::{Text, Tier};

/// What to do for a group of customers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Action {
    /// What to do.
    pub action: Text,
    /// How to reach the customer.
    pub channel: Text,
    /// 1 = most urgent.
    pub priority: u8,
    /// Days from the as-of date to the next contact.
    pub contact_in_days: u32,
}

/// The editable playbook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Playbook {
    /// The action per tier.
    pub tiers: BTreeMap<Tier, Action>,
    /// By canonical segment name; a segment action takes precedence over the tier action.
    pub segments: BTreeMap<String, Action>,
}

/// The suggestion for one customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Suggestion {
    /// What to do.
    pub action: Text,
    /// How to reach the customer.
    pub channel: Text,
    /// 1 = most urgent.
    pub priority: u8,
    /// When to contact the customer next.
    pub next_contact: NaiveDate,
}

fn act(zh: &str, en: &str, channel: (&str, &str), priority: u8, contact_in_days: u32) -> Action {
    Action { action: Text::new(zh, en), channel: Text::new(channel.0, channel.1), priority, contact_in_days }
}

const ONE_TO_ONE: (&str, &str) = ("电话 / 企业微信 1:1", "Phone / WeCom 1:1");
const WECOM_SMS: (&str, &str) = ("企业微信 / 短信", "WeCom / SMS");
const AUTOMATED: (&str, &str) = ("短信 / 邮件 / 公众号推送（自动）", "SMS / email / official-account push (automated)");

/// The action for a customer who fell from tier A since the last snapshot (history view):
/// call back now with a personal win-back coupon, within 3 days.
pub fn win_back_action() -> Action {
    act(
        "从 A 类降级：3 天内专人电话回访，了解原因并发放专属挽回券，恢复 VIP 权益",
        "Fell from tier A: personal call within 3 days to learn why, a personal win-back coupon, VIP benefits restored",
        ONE_TO_ONE,
        1,
        3,
    )
}

/// One default action as data: Chinese, English, channel, priority (1 = most urgent), days to the
/// next contact.
struct Seed(&'static str, &'static str, (&'static str, &'static str), u8, u32);

impl Seed {
    fn action(&self) -> Action {
        act(self.0, self.1, self.2, self.3, self.4)
    }
}

/// The seed articles' service strategy per tier.
const TIER_SEEDS: [(Tier, Seed); 4] = [
            (
                Tier::A,
                Seed(
                    "专属客服一对一服务；建立专属档案与完整服务记录；需求第一时间响应；VIP 活动与专属优惠；个性化定制；每月定期回访",
                    "Dedicated one-to-one service; a personal file and full service record; respond to needs first; VIP events and exclusive offers; personalised products; monthly check-in call",
                    ONE_TO_ONE,
                    1,
                    30,
                ),
            ),
            (
                Tier::B,
                Seed(
                    "定期促销与折扣；节日/生日关怀消息；优化购物体验；不定期跟进需求；满额升级礼，激励升级为 A 类",
                    "Regular promotions and discounts; holiday and birthday care messages; a better shopping experience; follow up on needs from time to time; a spend-more upgrade gift to move up to tier A",
                    WECOM_SMS,
                    2,
                    60,
                ),
            ),
            (
                Tier::C,
                Seed(
                    "基础服务；自动化低成本触达（短信、邮件、公众号推送）；低门槛活动；内容营销与客户教育；自助服务 FAQ",
                    "Basic service; automated low-cost outreach (SMS, email, official-account posts); low-threshold events; content marketing and customer education; self-service FAQ",
                    AUTOMATED,
                    3,
                    90,
                ),
            ),
            (
                Tier::D,
                Seed(
                    "仅自动化触达（公众号内容、大促通知），不投入人工",
                    "Automated outreach only (posts, big-sale notices); no staff time",
                    AUTOMATED,
                    3,
                    180,
                ),
            ),
];

/// The seed articles' service strategy per RFM type (Chinese cube) and named segment (English).
const SEGMENT_SEEDS: [(&str, Seed); 19] = [
    // The Chinese RFM 8-type cube.
    (
        "重要价值客户",
        Seed(
            "保持现有高品质服务：VIP 专属权益、新品优先体验、一对一维护",
            "Keep the premium service: VIP benefits, early access to new products, one-to-one care",
            ONE_TO_ONE,
            1,
            30,
        ),
    ),
    (
        "重要保持客户",
        Seed(
            "主动联系保持：电话或企业微信回访了解近况，推送专属优惠，防止流失",
            "Reach out to keep them: call or WeCom check-in, a personal offer, before they drift away",
            ONE_TO_ONE,
            1,
            7,
        ),
    ),
    (
        "重要发展客户",
        Seed(
            "提高购买频次：邀请加入会员、发放复购券",
            "Raise purchase frequency: membership invitation and repeat-purchase coupons",
            WECOM_SMS,
            2,
            14,
        ),
    ),
    (
        "重要挽留客户",
        Seed(
            "立即回访 + 专属挽回券，了解不再购买的原因",
            "Call back now with a personal win-back coupon; find out why they stopped buying",
            ONE_TO_ONE,
            1,
            3,
        ),
    ),
    (
        "一般价值客户",
        Seed(
            "推荐新品 / 搭配套餐，提高客单价",
            "Recommend new products and bundles to raise the order value",
            WECOM_SMS,
            2,
            30,
        ),
    ),
    (
        "一般发展客户",
        Seed(
            "新客关怀：首单回访，复购券引导第二单",
            "New-customer care: first-order follow-up, a coupon for the second order",
            WECOM_SMS,
            3,
            30,
        ),
    ),
    (
        "一般保持客户",
        Seed("定期推送促销活动唤醒，低成本维系", "Wake them with regular promotions; keep costs low", AUTOMATED, 3, 60),
    ),
    (
        "一般挽留客户",
        Seed(
            "低成本自动触达（短信 / 公众号），不投入人工",
            "Low-cost automated outreach (SMS / official account); no staff time",
            AUTOMATED,
            3,
            90,
        ),
    ),
    // The English named segments.
    (
        "Champions",
        Seed(
            "奖励与尊享：VIP 专属权益、新品抢先体验，邀请推荐新客户",
            "Reward them: VIP benefits, early access, invite them to refer friends",
            ONE_TO_ONE,
            1,
            30,
        ),
    ),
    (
        "Loyal Customers",
        Seed(
            "会员升级与积分加倍，征求评价，推荐高价值商品",
            "Membership upgrade and double points, ask for reviews, upsell higher-value products",
            WECOM_SMS,
            1,
            30,
        ),
    ),
    (
        "Potential Loyalist",
        Seed(
            "邀请加入会员，推荐相关商品，提高复购",
            "Offer membership and related products to build repeat purchases",
            WECOM_SMS,
            2,
            30,
        ),
    ),
    (
        "New Customers",
        Seed(
            "新客欢迎与使用指导，首单回访，复购券",
            "Welcome and onboarding, first-order follow-up, a repeat-purchase coupon",
            WECOM_SMS,
            2,
            14,
        ),
    ),
    (
        "Promising",
        Seed(
            "品牌与产品介绍，小额优惠券引导再次购买",
            "Build awareness with product stories and a small coupon for the next order",
            AUTOMATED,
            3,
            30,
        ),
    ),
    (
        "Need Attention",
        Seed(
            "限时优惠，按购买记录推荐商品，重新激活",
            "Limited-time offers and recommendations from their history to re-engage",
            WECOM_SMS,
            2,
            30,
        ),
    ),
    (
        "About To Sleep",
        Seed(
            "推送热门商品与折扣，唤醒兴趣",
            "Share popular products and discounts to rekindle interest",
            AUTOMATED,
            3,
            30,
        ),
    ),
    (
        "At Risk",
        Seed(
            "个性化关怀与挽回优惠，了解近况",
            "Personal outreach and a win-back offer; ask how they are doing",
            ONE_TO_ONE,
            1,
            7,
        ),
    ),
    (
        "Can't Lose Them",
        Seed(
            "立即专人回访 + 专属挽回券，了解流失原因",
            "Call now with a personal win-back coupon; learn why they left",
            ONE_TO_ONE,
            1,
            3,
        ),
    ),
    (
        "Hibernating",
        Seed(
            "推送相关商品与特价，低成本唤醒",
            "Relevant products and special prices, low-cost reactivation",
            AUTOMATED,
            3,
            90,
        ),
    ),
    (
        "Lost",
        Seed(
            "低成本自动触达，大促时尝试召回，不投入人工",
            "Low-cost automated outreach, try to recall them at big sales; no staff time",
            AUTOMATED,
            3,
            180,
        ),
    ),
];

impl Default for Playbook {
    /// The seed articles' service strategy per tier and per RFM type, in Chinese and English.
    fn default() -> Self {
        Playbook {
            tiers: TIER_SEEDS.iter().map(|(tier, seed)| (*tier, seed.action())).collect(),
            segments: SEGMENT_SEEDS.iter().map(|(name, seed)| (name.to_string(), seed.action())).collect(),
        }
    }
}

impl Playbook {
    /// The action for a segment (canonical or display name; built-in names in either language
    /// are recognised) falling back to the tier's action, then to tier C's.
    pub fn action_for(&self, segment: Option<&str>, tier: Tier) -> Option<&Action> {
        let by_segment = segment.and_then(|name| {
            self.segments.get(name).or_else(|| canonical_segment(name).and_then(|c| self.segments.get(c)))
        });
        by_segment.or_else(|| self.tiers.get(&tier)).or_else(|| self.tiers.get(&Tier::C))
    }
}

fn suggestion(action: Option<&Action>, as_of: NaiveDate) -> Suggestion {
    match action {
        Some(a) => Suggestion {
            action: a.action.clone(),
            channel: a.channel.clone(),
            priority: a.priority,
            next_contact: as_of.checked_add_days(Days::new(u64::from(a.contact_in_days))).unwrap_or(as_of),
        },
        // An emptied playbook: say so rather than invent an action.
        None => Suggestion {
            action: Text::new("（服务策略未设置）", "(no action set)"),
            channel: Text::default(),
            priority: 3,
            next_contact: as_of,
        },
    }
}

/// The suggestion for a customer: the segment's action if the playbook has one, else the tier's;
/// next contact = `as_of` + the action's interval.
///
/// The segment is looked up by the assignment's (display) name, then by its canonical name when
/// it is a built-in name in either language. For user renames use [`suggest_in`].
pub fn suggest(playbook: &Playbook, assignment: &crate::classify::Assignment, as_of: NaiveDate) -> Suggestion {
    suggestion(playbook.action_for(assignment.segment.as_deref(), assignment.tier), as_of)
}

/// [`suggest`] for customer `index` of a classification, undoing the user's segment renames
/// (`classification.params.segment_names`) so that a renamed segment keeps its action.
pub fn suggest_in(playbook: &Playbook, classification: &Classification, index: usize) -> Option<Suggestion> {
    let a = classification.assignments.get(index)?;
    let canonical = a.segment.as_deref().map(|shown| {
        classification
            .params
            .segment_names
            .iter()
            .find(|(_, display)| display.as_str() == shown)
            .map_or(shown, |(canonical, _)| canonical.as_str())
    });
    Some(suggestion(playbook.action_for(canonical, a.tier), classification.as_of))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Assignment;

    fn assignment(tier: Tier, segment: Option<&str>) -> Assignment {
        Assignment {
            tier,
            segment: segment.map(Into::into),
            recency_days: 10,
            r_score: 3,
            f_score: 3,
            m_score: 3,
            abc: tier,
            rfm_type: "一般发展客户".into(),
            score: None,
            reason: Text::default(),
            gap: None,
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_tier_gets_one_to_one_service_and_a_monthly_contact() {
        let s = suggest(&Playbook::default(), &assignment(Tier::A, None), day("2025-06-30"));
        assert!(s.action.zh.contains("专属客服"));
        assert!(s.channel.zh.contains("企业微信"));
        assert_eq!(s.priority, 1);
        assert_eq!(s.next_contact, day("2025-07-30"));
    }

    #[test]
    fn segment_action_beats_the_tier_action() {
        let s = suggest(&Playbook::default(), &assignment(Tier::B, Some("重要挽留客户")), day("2025-06-30"));
        assert!(s.action.zh.contains("立即回访") && s.action.zh.contains("挽回券"));
        assert_eq!(s.priority, 1);
        assert_eq!(s.next_contact, day("2025-07-03"));
    }

    #[test]
    fn chinese_display_names_of_english_segments_find_their_action() {
        let pb = Playbook::default();
        let by_zh = suggest(&pb, &assignment(Tier::A, Some("冠军客户")), day("2025-01-01"));
        let by_en = suggest(&pb, &assignment(Tier::A, Some("Champions")), day("2025-01-01"));
        assert_eq!(by_zh, by_en);
    }

    #[test]
    fn renamed_segment_keeps_its_action_through_suggest_in() {
        let customers = vec![crate::model::Customer {
            key: "k".into(),
            name: String::new(),
            phone: None,
            orders: 1,
            revenue: 100,
            first_order: day("2025-01-01"),
            last_order: day("2025-01-01"),
            interactions: None,
            profit: None,
        }];
        let mut params = crate::classify::ClassifyParams {
            method: crate::classify::Method::RfmCube { basis: crate::classify::CubeBasis::Mean },
            ..Default::default()
        };
        params.segment_names.insert("一般挽留客户".into(), "沉睡老客".into());
        let c = crate::classify::classify(&customers, &params).unwrap();
        assert_eq!(c.assignments[0].segment.as_deref(), Some("沉睡老客"));
        let s = suggest_in(&Playbook::default(), &c, 0).unwrap();
        assert_eq!(s.action, Playbook::default().segments["一般挽留客户"].action);
    }

    #[test]
    fn unknown_segment_falls_back_to_the_tier() {
        let s = suggest(&Playbook::default(), &assignment(Tier::C, Some("我的分群")), day("2025-01-01"));
        assert_eq!(s.action, Playbook::default().tiers[&Tier::C].action);
    }

    #[test]
    fn every_default_action_is_bilingual_with_priority_1_to_3() {
        let pb = Playbook::default();
        for a in pb.tiers.values().chain(pb.segments.values()).chain([&win_back_action()]) {
            assert!(!a.action.zh.is_empty() && !a.action.en.is_empty() && !a.channel.zh.is_empty());
            assert!((1..=3).contains(&a.priority));
        }
    }

    #[test]
    fn every_built_in_segment_has_an_action() {
        let pb = Playbook::default();
        for name in crate::classify::default_segment_tiers().keys().filter(|n| *n != crate::classify::OTHERS) {
            assert!(pb.segments.contains_key(name), "{name}");
        }
    }
}
