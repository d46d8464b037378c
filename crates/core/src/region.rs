//! Regions: the province (and city) of an order, read from 收货地址 / 省份 / 城市 columns and
//! normalised to one name per provincial-level division (广东省 / 广东 → 广东, 内蒙古自治区 → 内蒙古,
//! 北京市 → 北京, 香港特别行政区 → 香港); and the tier mix by province.
//!
//! The table of the 34 divisions and of common large cities is data ([`PROVINCES`], [`CITIES`]); an
//! address that names no province but starts with one of those cities ("深圳市南山区…") is placed
//! in the city's province. Anything else is [`UNKNOWN`]. This module does not read files (`orders`
//! hands it the cell texts) nor store anything (`store`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::classify::Classification;
pub use crate::model::Region;
use crate::model::{Cents, Customer, Order, Shared, Tier};

/// The name used for orders and customers whose province is not known.
pub const UNKNOWN: &str = "未知";

/// One provincial-level division: its normalised (short) name and the spellings an export may use,
/// longest first so that "广西壮族自治区" is consumed whole.
pub struct Province {
    /// The name TierBook shows: 广东, 内蒙古, 北京, 香港.
    pub name: &'static str,
    /// Official and common spellings, the short name last.
    pub spellings: &'static [&'static str],
    /// A municipality (直辖市): its city is itself.
    pub municipality: bool,
}

const fn p(name: &'static str, spellings: &'static [&'static str], municipality: bool) -> Province {
    Province { name, spellings, municipality }
}

/// The 34 provincial-level divisions of China.
pub const PROVINCES: &[Province] = &[
    p("北京", &["北京市", "北京"], true),
    p("天津", &["天津市", "天津"], true),
    p("上海", &["上海市", "上海"], true),
    p("重庆", &["重庆市", "重庆"], true),
    p("河北", &["河北省", "河北"], false),
    p("山西", &["山西省", "山西"], false),
    p("辽宁", &["辽宁省", "辽宁"], false),
    p("吉林", &["吉林省", "吉林"], false),
    p("黑龙江", &["黑龙江省", "黑龙江"], false),
    p("江苏", &["江苏省", "江苏"], false),
    p("浙江", &["浙江省", "浙江"], false),
    p("安徽", &["安徽省", "安徽"], false),
    p("福建", &["福建省", "福建"], false),
    p("江西", &["江西省", "江西"], false),
    p("山东", &["山东省", "山东"], false),
    p("河南", &["河南省", "河南"], false),
    p("湖北", &["湖北省", "湖北"], false),
    p("湖南", &["湖南省", "湖南"], false),
    p("广东", &["广东省", "广东"], false),
    p("海南", &["海南省", "海南"], false),
    p("四川", &["四川省", "四川"], false),
    p("贵州", &["贵州省", "贵州"], false),
    p("云南", &["云南省", "云南"], false),
    p("陕西", &["陕西省", "陕西"], false),
    p("甘肃", &["甘肃省", "甘肃"], false),
    p("青海", &["青海省", "青海"], false),
    p("台湾", &["台湾省", "台湾"], false),
    p("内蒙古", &["内蒙古自治区", "内蒙古"], false),
    p("广西", &["广西壮族自治区", "广西自治区", "广西"], false),
    p("西藏", &["西藏自治区", "西藏"], false),
    p("宁夏", &["宁夏回族自治区", "宁夏自治区", "宁夏"], false),
    p("新疆", &["新疆维吾尔自治区", "新疆维吾尔族自治区", "新疆自治区", "新疆"], false),
    p("香港", &["香港特别行政区", "香港特區", "香港"], false),
    p("澳门", &["澳门特别行政区", "澳門特別行政區", "澳门", "澳門"], false),
];

/// Large cities (names without 市) → province, for addresses that start with the city. Only names
/// that are not also a district or county elsewhere that an address could start with
/// (朝阳 is both a city in 辽宁 and a district of 北京, so it is not here).
pub const CITIES: &[(&str, &str)] = &[
    // Provincial capitals.
    ("石家庄", "河北"),
    ("太原", "山西"),
    ("沈阳", "辽宁"),
    ("长春", "吉林"),
    ("哈尔滨", "黑龙江"),
    ("南京", "江苏"),
    ("杭州", "浙江"),
    ("合肥", "安徽"),
    ("福州", "福建"),
    ("南昌", "江西"),
    ("济南", "山东"),
    ("郑州", "河南"),
    ("武汉", "湖北"),
    ("长沙", "湖南"),
    ("广州", "广东"),
    ("海口", "海南"),
    ("成都", "四川"),
    ("贵阳", "贵州"),
    ("昆明", "云南"),
    ("西安", "陕西"),
    ("兰州", "甘肃"),
    ("西宁", "青海"),
    ("台北", "台湾"),
    ("呼和浩特", "内蒙古"),
    ("南宁", "广西"),
    ("拉萨", "西藏"),
    ("银川", "宁夏"),
    ("乌鲁木齐", "新疆"),
    // Other large cities.
    ("深圳", "广东"),
    ("东莞", "广东"),
    ("佛山", "广东"),
    ("珠海", "广东"),
    ("中山", "广东"),
    ("惠州", "广东"),
    ("汕头", "广东"),
    ("江门", "广东"),
    ("湛江", "广东"),
    ("苏州", "江苏"),
    ("无锡", "江苏"),
    ("常州", "江苏"),
    ("南通", "江苏"),
    ("徐州", "江苏"),
    ("扬州", "江苏"),
    ("宁波", "浙江"),
    ("温州", "浙江"),
    ("嘉兴", "浙江"),
    ("绍兴", "浙江"),
    ("金华", "浙江"),
    ("义乌", "浙江"),
    ("台州", "浙江"),
    ("湖州", "浙江"),
    ("芜湖", "安徽"),
    ("厦门", "福建"),
    ("泉州", "福建"),
    ("赣州", "江西"),
    ("青岛", "山东"),
    ("烟台", "山东"),
    ("潍坊", "山东"),
    ("临沂", "山东"),
    ("淄博", "山东"),
    ("威海", "山东"),
    ("洛阳", "河南"),
    ("宜昌", "湖北"),
    ("襄阳", "湖北"),
    ("株洲", "湖南"),
    ("岳阳", "湖南"),
    ("三亚", "海南"),
    ("绵阳", "四川"),
    ("宜宾", "四川"),
    ("遵义", "贵州"),
    ("大理", "云南"),
    ("丽江", "云南"),
    ("宝鸡", "陕西"),
    ("咸阳", "陕西"),
    ("大连", "辽宁"),
    ("鞍山", "辽宁"),
    ("唐山", "河北"),
    ("保定", "河北"),
    ("邯郸", "河北"),
    ("廊坊", "河北"),
    ("大同", "山西"),
    ("包头", "内蒙古"),
    ("鄂尔多斯", "内蒙古"),
    ("柳州", "广西"),
    ("桂林", "广西"),
    ("北海", "广西"),
    ("喀什", "新疆"),
    ("伊犁", "新疆"),
    ("克拉玛依", "新疆"),
    ("大庆", "黑龙江"),
    ("齐齐哈尔", "黑龙江"),
    ("天水", "甘肃"),
    ("高雄", "台湾"),
];

/// Characters an export puts before or between the parts of an address.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '，' | '、' | '/' | '-' | '|' | ':' | '：' | '\u{3000}' | '\u{200b}')
}

fn trim_separators(s: &str) -> &str {
    s.trim_matches(is_separator)
}

/// The province a text starts with and the rest of the text after its spelling.
fn leading_province(text: &str) -> Option<(&'static Province, &str)> {
    let text = trim_separators(text);
    let text = text.strip_prefix("中华人民共和国").or_else(|| text.strip_prefix("中国")).unwrap_or(text);
    let text = text.trim_start_matches(is_separator);
    // 海南藏族自治州 and 海北/海西 are prefectures of 青海, not 海南.
    if text.starts_with("海南藏族自治州") || text.starts_with("海南州") {
        return PROVINCES.iter().find(|p| p.name == "青海").map(|p| (p, text));
    }
    PROVINCES.iter().find_map(|p| p.spellings.iter().find_map(|s| text.strip_prefix(s)).map(|rest| (p, rest)))
}

/// The normalised name of a province cell ("广东省", "广东", " 内蒙古自治区 " → "广东", "内蒙古"),
/// or `None` when it names no province (the whole text must be the province, give or take 省/市).
pub fn normalize_province(text: &str) -> Option<&'static str> {
    let text = trim_separators(text);
    let (province, rest) = leading_province(text)?;
    let rest = trim_separators(rest);
    (rest.is_empty() || rest == "省" || rest == "市").then_some(province.name)
}

/// The province of a city name ("深圳", "深圳市"), from [`CITIES`].
pub fn province_of_city(city: &str) -> Option<&'static str> {
    let city = trim_separators(city);
    CITIES.iter().find(|(name, _)| city.starts_with(name)).map(|(_, province)| *province)
}

/// The city at the start of `rest` (the address after its province): a name ending in 市, 自治州,
/// 地区 or 盟 within the first few characters, without the 市.
fn leading_city(rest: &str) -> Option<String> {
    let rest = trim_separators(rest);
    if let Some((name, _)) = CITIES.iter().find(|(name, _)| rest.starts_with(name)) {
        return Some((*name).to_string());
    }
    let head: String = rest.chars().take(12).collect();
    for suffix in ["自治州", "地区", "市", "盟"] {
        if let Some(at) = head.find(suffix) {
            let name = &head[..at];
            let chars = name.chars().count();
            if (1..=8).contains(&chars) && !name.contains(is_separator) {
                return Some(if suffix == "市" { name.to_string() } else { format!("{name}{suffix}") });
            }
        }
    }
    None
}

/// Reads a full address ("广东省 深圳市 南山区 科技园路 1 号", "深圳市南山区…", "内蒙古呼和浩特市…").
/// Empty text gives `None`; text that names no province we know gives [`UNKNOWN`].
pub fn parse_address(address: &str) -> Option<Region> {
    let address = trim_separators(address);
    if address.is_empty() {
        return None;
    }
    if let Some((province, rest)) = leading_province(address) {
        let city =
            if province.municipality { Some(province.name.into()) } else { leading_city(rest).map(Shared::from) };
        return Some(Region { province: province.name.into(), city });
    }
    if let Some((name, province)) = CITIES.iter().find(|(name, _)| address.starts_with(name)) {
        return Some(Region { province: (*province).into(), city: Some((*name).into()) });
    }
    Some(Region { province: UNKNOWN.into(), city: None })
}

/// The region of one row from whichever of the province, city and address cells it has: a province
/// cell wins, then the address, then the city's province. `None` when all are empty.
pub fn from_cells(province: Option<&str>, city: Option<&str>, address: Option<&str>) -> Option<Region> {
    fn nonempty(s: Option<&str>) -> Option<&str> {
        s.map(trim_separators).filter(|s| !s.is_empty())
    }
    let (province, city, address) = (nonempty(province), nonempty(city), nonempty(address));
    let from_address = address.and_then(parse_address);
    let city_name = city.map(|c| Shared::from(c.strip_suffix('市').unwrap_or(c)));
    if let Some(name) = province.and_then(normalize_province) {
        let municipal = PROVINCES.iter().any(|p| p.name == name && p.municipality);
        let city = if municipal { Some(name.into()) } else { city_name.or(from_address.and_then(|r| r.city)) };
        return Some(Region { province: name.into(), city });
    }
    if let Some(region) = from_address.filter(|r| r.province != UNKNOWN) {
        return Some(Region { city: city_name.or(region.city), ..region });
    }
    if let Some(city) = city {
        if let Some(region) = parse_address(city).filter(|r| r.province != UNKNOWN) {
            return Some(region);
        }
    }
    if province.is_some() || city.is_some() || address.is_some() {
        return Some(Region { province: UNKNOWN.into(), city: city_name });
    }
    None
}

/// A customer's region: the region of their most recent order that has one (ties by order id, as
/// `customers::aggregate` picks the latest order). Keys without any address are absent.
pub fn customer_regions(orders: &[Order]) -> HashMap<&str, &Region> {
    let mut latest: HashMap<&str, &Order> = HashMap::new();
    for order in orders.iter().filter(|o| o.region.is_some()) {
        let entry = latest.entry(order.customer_key.as_str()).or_insert(order);
        if (order.placed_at, order.order_id.as_deref()) > (entry.placed_at, entry.order_id.as_deref()) {
            *entry = order;
        }
    }
    latest.into_iter().filter_map(|(k, o)| o.region.as_ref().map(|r| (k, r))).collect()
}

/// One province's line of the tier mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegionRow {
    /// The normalised province, or 未知.
    pub province: String,
    /// Customers whose region is this province.
    pub customers: u32,
    /// Customers per tier, in [`Tier::ALL`] order (A, B, C, D).
    pub tiers: [u32; 4],
    /// Their net revenue in fen.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub revenue: Cents,
}

/// The tier mix by province: one row per province with customers, most customers first (ties by
/// name), 未知 always last.
pub fn tier_mix(customers: &[Customer], classification: &Classification, regions: &RegionLookup) -> Vec<RegionRow> {
    tier_mix_of(customers, classification, &|i| regions.province(&customers[i].key))
}

/// [`tier_mix`] with each customer's province given by index (`province(i)`: customer `i`'s, or
/// [`UNKNOWN`]), for a caller that has looked them up already.
pub fn tier_mix_of<'r>(
    customers: &[Customer],
    classification: &Classification,
    province: &dyn Fn(usize) -> &'r str,
) -> Vec<RegionRow> {
    // A hash map: ~30 provinces, compared as text hundreds of thousands of times in a B-tree; the
    // rows are sorted at the end.
    let mut rows: rustc_hash::FxHashMap<&str, RegionRow> = rustc_hash::FxHashMap::default();
    for (i, customer) in customers.iter().enumerate() {
        let Some(assignment) = classification.assignments.get(i) else { continue };
        let province = province(i);
        let row = rows.entry(province).or_insert_with(|| RegionRow {
            province: province.to_string(),
            customers: 0,
            tiers: [0; 4],
            revenue: 0,
        });
        row.customers += 1;
        row.revenue = row.revenue.saturating_add(customer.revenue);
        if let Some(t) = Tier::ALL.iter().position(|t| *t == assignment.tier) {
            row.tiers[t] += 1;
        }
    }
    let mut rows: Vec<RegionRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        (a.province == UNKNOWN, std::cmp::Reverse(a.customers), &a.province).cmp(&(
            b.province == UNKNOWN,
            std::cmp::Reverse(b.customers),
            &b.province,
        ))
    });
    rows
}

/// Customer key → region, from the workspace's stored customers or computed from orders.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionLookup {
    // Fx: the export looks every customer up (SipHash showed in the profile of a 400k-order run).
    by_key: rustc_hash::FxHashMap<Shared, Region>,
}

impl RegionLookup {
    /// From (key, region) pairs.
    pub fn new(pairs: impl IntoIterator<Item = (String, Region)>) -> Self {
        Self::from_shared(pairs.into_iter().map(|(k, r)| (Shared::from(k), r)))
    }

    /// From (key, region) pairs whose keys are already shared (the orders' own keys: no copy).
    pub(crate) fn from_shared(pairs: impl IntoIterator<Item = (Shared, Region)>) -> Self {
        RegionLookup { by_key: pairs.into_iter().collect() }
    }

    /// From orders: each customer's most recent order with an address (see [`customer_regions`]).
    pub fn from_orders(orders: &[Order]) -> Self {
        Self::new(customer_regions(orders).into_iter().map(|(k, r)| (k.to_string(), r.clone())))
    }

    /// The customer's region, when known.
    pub fn get(&self, key: &str) -> Option<&Region> {
        self.by_key.get(key)
    }

    /// The customer's province, [`UNKNOWN`] when not known.
    pub fn province(&self, key: &str) -> &str {
        self.by_key.get(key).map_or(UNKNOWN, |r| r.province.as_str())
    }

    /// True when no customer has a region (the export had no address column).
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

#[cfg(test)]
mod tests;
