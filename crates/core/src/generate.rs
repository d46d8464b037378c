//! A deterministic generator of store exports of any size, in the layouts real shops download
//! (微信小店 order-level, 淘宝 item-level, 拼多多, 有赞, a customer-level sheet), for tests,
//! benchmarks, demos and the app's built-in sample dataset.
//!
//! Every file comes with its [`Truth`]: per customer key, the valid orders, net revenue in fen and
//! first/last order date, computed from the generated orders by the generator's own simple rules
//! (below), never by the importer — so tests can compare the pipeline against it.
//!
//! Rules of the truth (the same for every layout):
//! - an order counts unless it is unpaid/closed/cancelled or fully refunded;
//! - its revenue is what the buyer paid minus the refunded part (partial refunds reduce it);
//! - its date is the date it was placed (下单/创建/成交时间).
//!
//! The generator deliberately does not try to be adversarial beyond what real exports do (that is
//! the fuzzers' job) and never reads the clock: the same options give the same bytes of data.

mod names;
mod rng;
mod sink;

use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::Cents;
use names::*;
use rng::SplitMix64;
pub use sink::FileFormat;
use sink::{write_err, CsvSink, Sink, Value};

/// The platform whose export the generated file imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// 微信小店 / 视频号小店: one row per order, 18 columns, 19-digit 订单号 as text, key 买家ID (openid).
    Wechat,
    /// 淘宝/天猫: one row per item; 主订单编号 + 子订单编号; 买家实际支付金额 repeated on every item row;
    /// key 买家会员名.
    Taobao,
    /// 拼多多: 用户实付金额(元) and 商家实收金额(元), 成交时间, 售后状态 退款成功; key 手机.
    Pdd,
    /// 有赞: Excel date cells, 退款状态/退款金额; key 买家手机号.
    Youzan,
    /// A customer list: 客户名称, 手机号 (key), 累计消费金额, 消费次数, 首次/最近消费时间.
    Customers,
}

impl Layout {
    /// Every layout, in the order the CLI lists them.
    pub const ALL: [Layout; 5] = [Layout::Wechat, Layout::Taobao, Layout::Pdd, Layout::Youzan, Layout::Customers];

    /// The header of the column that identifies a customer in this layout (what the truth is keyed by).
    pub fn key_column(self) -> &'static str {
        match self {
            Layout::Wechat => "买家ID",
            Layout::Taobao => "买家会员名",
            Layout::Pdd => "手机",
            Layout::Youzan => "买家手机号",
            Layout::Customers => "手机号",
        }
    }

    /// The sheet name the platform uses.
    pub fn sheet_name(self) -> &'static str {
        match self {
            Layout::Wechat => "订单列表",
            Layout::Taobao => "订单报表",
            Layout::Pdd => "Sheet1",
            Layout::Youzan => "订单",
            Layout::Customers => "客户列表",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Layout::Wechat => "微信小店 订单导出",
            Layout::Taobao => "淘宝 宝贝报表",
            Layout::Pdd => "拼多多 订单查询导出",
            Layout::Youzan => "有赞 订单导出",
            Layout::Customers => "客户列表导出",
        }
    }

    fn headers(self) -> &'static [&'static str] {
        match self {
            Layout::Wechat => &[
                "订单号",
                "下单时间",
                "支付时间",
                "订单状态",
                "买家昵称",
                "买家ID",
                "收货人",
                "联系电话",
                "收货地址",
                "商品名称",
                "商品数量",
                "订单金额",
                "运费",
                "优惠金额",
                "实付金额",
                "退款金额",
                "支付方式",
                "买家备注",
            ],
            Layout::Taobao => &[
                "主订单编号",
                "子订单编号",
                "买家会员名",
                "买家实际支付金额",
                "订单状态",
                "订单创建时间",
                "订单付款时间",
                "宝贝标题",
                "宝贝单价",
                "购买数量",
                "退款金额",
                "收货人姓名",
                "联系手机",
                "收货地址",
                "运送方式",
                "买家留言",
            ],
            Layout::Pdd => &[
                "订单号",
                "商品",
                "商品数量(件)",
                "商品总价(元)",
                "店铺优惠折扣(元)",
                "平台优惠折扣(元)",
                "邮费(元)",
                "用户实付金额(元)",
                "商家实收金额(元)",
                "订单状态",
                "售后状态",
                "成交时间",
                "收货人",
                "手机",
                "省",
                "市",
                "区",
                "街道",
                "快递单号",
            ],
            Layout::Youzan => &[
                "订单号",
                "订单状态",
                "下单时间",
                "付款时间",
                "买家昵称",
                "买家手机号",
                "收货人",
                "收货人手机号",
                "收货地址",
                "商品名称",
                "商品数量",
                "商品金额",
                "运费",
                "优惠金额",
                "实付金额",
                "退款状态",
                "退款金额",
                "买家留言",
            ],
            Layout::Customers => &[
                "客户名称",
                "手机号",
                "会员等级",
                "累计消费金额",
                "消费次数",
                "客单价",
                "首次消费时间",
                "最近消费时间",
                "互动次数",
                "所在地区",
                "备注",
            ],
        }
    }

    fn widths(self) -> Vec<f64> {
        self.headers()
            .iter()
            .map(|h| match *h {
                "收货地址" | "街道" => 36.0,
                "订单号" | "主订单编号" | "子订单编号" | "买家ID" | "商品名称" | "宝贝标题" | "商品" => {
                    24.0
                }
                h if h.contains("时间") => 20.0,
                _ => 12.0,
            })
            .collect()
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenerateOptions {
    /// Whose export to imitate.
    pub layout: Layout,
    /// The file type to write.
    pub format: FileFormat,
    /// Orders (for order layouts; an item-level file has more rows) or customers (customer layout).
    pub orders: u64,
    /// Distinct customers; default a quarter of `orders`.
    pub customers: Option<u64>,
    /// Seed of the generator: the same options and seed give the same file.
    pub seed: u64,
    /// First and last day of the period the orders fall in.
    pub start: NaiveDate,
    /// See `start`.
    pub end: NaiveDate,
    /// Two title rows above the header ("微信小店 订单导出", "导出时间：…").
    pub title_rows: bool,
    /// A 合计 row after the data.
    pub totals_row: bool,
    /// Emoji, exotic Unicode and formula-bait nicknames (`=1+1`, `@echo off`); off for the pleasant sample.
    pub quirks: bool,
    /// Mask phone numbers that are not the key (138****1234).
    pub mask_phones: bool,
    /// Only write orders placed on or after / on or before these days; the rest of the data (ids,
    /// customers) is unchanged, so two windows of one seed overlap exactly like two real exports.
    pub rows_from: Option<NaiveDate>,
    /// See `rows_from`.
    pub rows_to: Option<NaiveDate>,
    /// 淘宝 item rows also carry 商家编码 (the SKU, [`sku`]) and 成本价 (the unit cost, [`unit_cost`]),
    /// for profit-based ABC; other layouts ignore it.
    pub item_costs: bool,
}

/// The SKU the generator gives product `p` (an index into its product list).
pub fn sku(p: usize) -> String {
    format!("TB-{:03}", p + 1)
}

/// The unit cost the generator gives product `p`: 60 % of its price, in fen.
pub fn unit_cost(p: usize) -> Cents {
    names::PRODUCTS.get(p).map_or(0, |(_, price)| price * 3 / 5)
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            layout: Layout::Wechat,
            format: FileFormat::Xlsx,
            orders: 1000,
            customers: None,
            seed: 1,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default(),
            title_rows: false,
            totals_row: false,
            quirks: true,
            mask_phones: false,
            rows_from: None,
            rows_to: None,
            item_costs: false,
        }
    }
}

/// What the pipeline should find for one customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthCustomer {
    /// The value of the layout's key column.
    pub key: String,
    /// Nickname / name on the customer's latest valid order.
    pub name: String,
    /// Valid orders (F).
    pub orders: u32,
    /// Net revenue in fen (M).
    pub revenue: Cents,
    /// Date of the first valid order.
    pub first_order: NaiveDate,
    /// Date of the latest valid order.
    pub last_order: NaiveDate,
}

/// The expected result of importing a generated file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// The layout the file was written in.
    pub layout: Layout,
    /// Header of the key column.
    pub key_column: String,
    /// Data rows written (item rows for 淘宝; without title/header/totals rows).
    pub rows: u64,
    /// Orders written, valid or not.
    pub orders: u64,
    /// Customers with at least one valid order, sorted by key.
    pub customers: Vec<TruthCustomer>,
}

impl Truth {
    /// Net revenue of all customers in fen.
    pub fn total_revenue(&self) -> Cents {
        crate::model::sum_cents(self.customers.iter().map(|c| c.revenue))
    }

    /// Writes the truth as CSV (UTF-8, header `customer_key,nickname,order_count,net_paid,
    /// first_order_date,last_order_date`, the columns `check_export.py` reads).
    ///
    /// # Errors
    /// `Write` when the file cannot be written.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let mut w = csv::Writer::from_path(path).map_err(|e| write_err(path, e))?;
        let head = ["customer_key", "nickname", "order_count", "net_paid", "first_order_date", "last_order_date"];
        w.write_record(head).map_err(|e| write_err(path, e))?;
        for c in &self.customers {
            let net = format!("{}.{:02}", c.revenue / 100, c.revenue.rem_euclid(100));
            let rec = [
                c.key.clone(),
                c.name.clone(),
                c.orders.to_string(),
                net,
                c.first_order.to_string(),
                c.last_order.to_string(),
            ];
            w.write_record(&rec).map_err(|e| write_err(path, e))?;
        }
        w.flush().map_err(|e| write_err(path, e))
    }
}

/// Generates the file at `path` and returns its truth.
///
/// # Errors
/// `Write` when the file cannot be written; `InvalidParams` when the period is empty.
pub fn generate(path: &Path, options: &GenerateOptions) -> Result<Truth> {
    validate(options)?;
    match options.format {
        FileFormat::Xlsx => {
            let mut truth = None;
            sink::write_xlsx(path, options.layout.sheet_name(), &options.layout.widths(), &mut |sink| {
                truth = Some(run(options, &mut |kind, cells| match kind {
                    RowKind::Header => sink.header_row(cells),
                    _ => sink.row(cells),
                })?);
                Ok(())
            })?;
            truth.ok_or_else(|| write_err(path, "no rows generated"))
        }
        FileFormat::Csv | FileFormat::CsvGbk => {
            let mut sink = CsvSink::create(path, options.format == FileFormat::CsvGbk)?;
            let truth = run(options, &mut |_, cells| sink.row(cells))?;
            sink.finish()?;
            Ok(truth)
        }
    }
}

/// The truth of `options` without writing a file (e.g. the union of two overlapping windows).
///
/// # Errors
/// `InvalidParams` when the period is empty.
pub fn truth(options: &GenerateOptions) -> Result<Truth> {
    validate(options)?;
    run(options, &mut |_, _| Ok(()))
}

/// The options of the built-in sample: a pleasant 微信小店 export of 2,000 orders by ~500
/// customers over the 12 months of 2025.
pub fn sample_options() -> GenerateOptions {
    GenerateOptions {
        layout: Layout::Wechat,
        format: FileFormat::Xlsx,
        orders: 2000,
        customers: Some(500),
        seed: 2025,
        quirks: false,
        ..GenerateOptions::default()
    }
}

/// Writes the app's built-in sample dataset (see [`sample_options`]) to `path`.
///
/// # Errors
/// `Write` when the file cannot be written.
pub fn sample_workbook(path: &Path) -> Result<Truth> {
    generate(path, &sample_options())
}

fn validate(o: &GenerateOptions) -> Result<()> {
    if o.end < o.start {
        return Err(crate::Error::InvalidParams(format!(
            "生成数据的结束日期 {} 早于开始日期 {}。/ The end date is before the start date.",
            o.end, o.start
        )));
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Title,
    Header,
    Data,
    Totals,
}

type Emit<'a> = dyn FnMut(RowKind, &[Value]) -> Result<()> + 'a;

/// Stream families for `SplitMix64::derive`.
const PERSON: u64 = 1;
const WEIGHT: u64 = 2;

/// A customer, derived from (seed, index) alone.
struct Person {
    key: String,
    nick: String,
    alt_nick: String,
    renamer: bool,
    receiver: String,
    phone: String,
    address: String,
    remote: bool,
    /// 0..1, preference for pricey products.
    taste: f64,
    wholesale: bool,
}

impl Person {
    fn new(o: &GenerateOptions, idx: u64) -> Person {
        let mut r = SplitMix64::derive(o.seed, PERSON, idx);
        let nick = nickname(&mut r, o.quirks, idx);
        let alt_nick = nickname(&mut r, o.quirks, u64::MAX);
        let renamer = r.chance(0.02);
        let receiver = person_name(&mut r);
        // A bijection of idx mod 10^8 keeps phone numbers unique (they are keys in some layouts).
        let tail = (idx.wrapping_mul(48_271).wrapping_add(o.seed.wrapping_mul(7_919))) % 100_000_000;
        let phone = format!("{}{:08}", r.pick(PHONE_PREFIXES), tail);
        let region = r.below(REGIONS.len() as u64) as usize;
        let (prov, city, districts) = REGIONS[region];
        let mut address = format!("{prov} {city} {} {}{}号", r.pick(districts), r.pick(ROADS), 1 + r.below(299));
        if r.chance(0.5) {
            address.push_str(&format!("{}栋{}0{}室", 1 + r.below(29), 1 + r.below(29), 1 + r.below(4)));
        }
        // Beta-ish skew towards cheap products; a few customers love the expensive shelf.
        let taste = r.f64().powf(2.2);
        let wholesale = r.chance(0.01);
        let key = match o.layout {
            Layout::Wechat => {
                const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                let mut id = String::with_capacity(28);
                id.push('o');
                for _ in 0..27 {
                    id.push(B64[r.below(64) as usize] as char);
                }
                id
            }
            Layout::Taobao => {
                if r.chance(0.5) {
                    format!("tb{}", 100_000_000 + idx * 37)
                } else {
                    format!("{}{}", r.pick(NICK_WORDS), idx)
                }
            }
            Layout::Pdd | Layout::Youzan | Layout::Customers => phone.clone(),
        };
        Person {
            key,
            nick,
            alt_nick,
            renamer,
            receiver,
            phone,
            address,
            remote: region < REMOTE_REGIONS,
            taste,
            wholesale,
        }
    }

    fn shown_phone(&self, mask: bool) -> String {
        match (mask, self.phone.get(..3), self.phone.get(7..)) {
            (true, Some(head), Some(tail)) => format!("{head}****{tail}"),
            _ => self.phone.clone(),
        }
    }
}

fn person_name(r: &mut SplitMix64) -> String {
    format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN))
}

fn nickname(r: &mut SplitMix64, quirks: bool, idx: u64) -> String {
    // Small files must still contain every kind of formula bait.
    if quirks && (1..=FORMULA_BAIT.len() as u64).contains(&idx) {
        return FORMULA_BAIT[(idx - 1) as usize].to_string();
    }
    let roll = r.f64();
    let pet = |r: &mut SplitMix64| format!("{}{}{}", r.pick(NICK_PREFIX), r.pick(NICK_WORDS), r.pick(NICK_SUFFIX));
    if !quirks {
        return if roll < 0.7 {
            pet(r)
        } else if roll < 0.85 {
            r.pick(ENGLISH).to_string()
        } else if roll < 0.92 {
            r.pick(&SHARED[..3]).to_string()
        } else {
            person_name(r)
        };
    }
    if roll < 0.55 {
        pet(r)
    } else if roll < 0.67 {
        let name = r.pick(ENGLISH);
        format!("{name}_{}", 1 + r.below(1999))
    } else if roll < 0.77 {
        let e = r.pick(EMOJI);
        format!("{e}{}{e}", r.pick(NICK_WORDS))
    } else if roll < 0.82 {
        r.pick(EXOTIC).to_string()
    } else if roll < 0.99 {
        r.pick(SHARED).to_string()
    } else {
        r.pick(FORMULA_BAIT).to_string()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Done,
    Shipped,
    /// Paid, waiting to ship.
    Pending,
    /// Waiting for payment.
    Unpaid,
    /// Cancelled before payment.
    Closed,
    /// Paid, then fully refunded.
    Refunded,
    /// After-sales in progress (sometimes a partial refund).
    AfterSale,
}

impl Status {
    fn paid(self) -> bool {
        !matches!(self, Status::Unpaid | Status::Closed)
    }
}

/// One generated order, before it is laid out as row(s).
struct GenOrder {
    seq: u64,
    id: u64,
    placed: NaiveDateTime,
    paid_at: Option<NaiveDateTime>,
    status: Status,
    /// (product index, quantity)
    items: Vec<(usize, i64)>,
    goods: Cents,
    shipping: Cents,
    discount: Cents,
    /// Discount paid by the platform (拼多多): the merchant receives it, the buyer does not pay it.
    platform_discount: Cents,
    paid: Cents,
    refund: Cents,
    renamed: bool,
    note: Option<&'static str>,
}

impl GenOrder {
    fn valid(&self) -> bool {
        self.status.paid() && self.status != Status::Refunded && self.refund < self.paid
    }
}

#[derive(Clone, Default)]
struct Agg {
    orders: u32,
    revenue: Cents,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    last_renamed: bool,
}

/// Hour-of-day weights: quiet at night, peaks at noon and 20–22h.
const HOUR_WEIGHTS: [f64; 24] =
    [2., 1., 1., 1., 1., 1., 2., 4., 6., 7., 8., 9., 10., 9., 8., 8., 8., 8., 9., 11., 13., 13., 11., 6.];

fn pick_hour(r: &mut SplitMix64) -> u32 {
    let total: f64 = HOUR_WEIGHTS.iter().sum();
    let mut u = r.f64() * total;
    for (h, w) in HOUR_WEIGHTS.iter().enumerate() {
        if u < *w {
            return h as u32;
        }
        u -= w;
    }
    23
}

fn run(o: &GenerateOptions, emit: &mut Emit) -> Result<Truth> {
    let mut headers = o.layout.headers().to_vec();
    if o.item_costs && o.layout == Layout::Taobao {
        headers.extend(["商家编码", "成本价"]);
    }
    let mut totals = vec![0i64; headers.len()];
    let mut money_cols = vec![false; headers.len()];
    if o.title_rows {
        emit(RowKind::Title, &[Value::Text(format!("{}（{} 至 {}）", o.layout.title(), o.start, o.end))])?;
        emit(RowKind::Title, &[Value::Text(format!("导出时间：{} 09:30:00", o.end + Duration::days(1)))])?;
    }
    let header: Vec<Value> = headers.iter().map(|h| Value::Text(h.to_string())).collect();
    emit(RowKind::Header, &header)?;
    let mut data = |cells: &[Value]| -> Result<()> {
        for (c, v) in cells.iter().enumerate() {
            if let (Value::Money(m), Some(t)) = (v, totals.get_mut(c)) {
                *t += m;
                money_cols[c] = true;
            }
        }
        emit(RowKind::Data, cells)
    };
    let truth = if o.layout == Layout::Customers { run_customers(o, &mut data)? } else { run_orders(o, &mut data)? };
    if o.totals_row {
        let mut row = vec![Value::Empty; headers.len()];
        row[0] = Value::Text("合计".into());
        for (c, t) in totals.iter().enumerate() {
            if money_cols[c] {
                row[c] = Value::Money(*t);
            }
        }
        emit(RowKind::Totals, &row)?;
    }
    Ok(truth)
}

fn in_window(o: &GenerateOptions, day: NaiveDate) -> bool {
    o.rows_from.is_none_or(|f| day >= f) && o.rows_to.is_none_or(|t| day <= t)
}

fn run_orders(o: &GenerateOptions, data: &mut dyn FnMut(&[Value]) -> Result<()>) -> Result<Truth> {
    let n = o.orders.max(1);
    let m = o.customers.unwrap_or(n / 4).clamp(1, n);
    let mut r = SplitMix64::new(o.seed);
    // Heavy-tailed purchase propensity (log-normal, σ = 1.6): a few customers bring most revenue.
    let mut cum = Vec::with_capacity(m as usize);
    let mut acc = 0.0;
    for i in 0..m {
        acc += SplitMix64::derive(o.seed, WEIGHT, i).lognormal(0.0, 1.6);
        cum.push(acc);
    }
    let mut aggs = vec![Agg::default(); m as usize];
    let start = o.start.and_hms_opt(0, 0, 0).unwrap_or_default();
    let span = ((o.end - o.start).num_seconds() + 86_399).max(1) as f64;
    let end = start + Duration::seconds(span as i64);
    let mut acquired = 0u64;
    let mut id = 3_718_230_000_000_000_000u64;
    let (mut rows, mut orders_written) = (0u64, 0u64);
    let mut cells = Vec::with_capacity(24);
    for seq in 0..n {
        // New customers arrive over the whole period; everybody buys at least once.
        let p_new = (m - acquired) as f64 / (n - seq) as f64;
        let customer = if acquired == 0 || (acquired < m && r.chance(p_new)) {
            acquired += 1;
            acquired - 1
        } else {
            let top = cum[acquired as usize - 1];
            let u = r.f64() * top;
            (cum[..acquired as usize].partition_point(|&c| c <= u) as u64).min(acquired - 1)
        };
        let person = Person::new(o, customer);
        let order = make_order(o, &mut r, &person, seq, &mut id, start, span, end);
        if !in_window(o, order.placed.date()) {
            continue;
        }
        orders_written += 1;
        if order.valid() {
            let a = &mut aggs[customer as usize];
            let day = order.placed.date();
            a.orders += 1;
            a.revenue = a.revenue.saturating_add(order.paid.saturating_sub(order.refund));
            a.first = Some(a.first.map_or(day, |f| f.min(day)));
            if a.last.is_none_or(|l| day >= l) {
                a.last = Some(day);
                a.last_renamed = order.renamed;
            }
        }
        rows += lay_out(o, &person, &order, &mut cells, data)?;
    }
    let mut customers = Vec::new();
    for (idx, a) in aggs.iter().enumerate() {
        if let (Some(first), Some(last)) = (a.first, a.last) {
            let p = Person::new(o, idx as u64);
            let name = match o.layout {
                Layout::Taobao => p.key.clone(),
                Layout::Pdd => p.receiver.clone(),
                _ if a.last_renamed => p.alt_nick.clone(),
                _ => p.nick.clone(),
            };
            customers.push(TruthCustomer {
                key: p.key,
                name,
                orders: a.orders,
                revenue: a.revenue,
                first_order: first,
                last_order: last,
            });
        }
    }
    customers.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Truth {
        layout: o.layout,
        key_column: o.layout.key_column().to_string(),
        rows,
        orders: orders_written,
        customers,
    })
}

#[allow(clippy::too_many_arguments)]
fn make_order(
    o: &GenerateOptions,
    r: &mut SplitMix64,
    person: &Person,
    seq: u64,
    id: &mut u64,
    start: NaiveDateTime,
    span: f64,
    end: NaiveDateTime,
) -> GenOrder {
    let n = o.orders.max(1) as f64;
    let t = start + Duration::seconds(((seq as f64 + r.f64()) / n * span) as i64);
    let day_start = t.date().and_hms_opt(0, 0, 0).unwrap_or(t);
    let placed = (day_start + Duration::seconds(i64::from(pick_hour(r)) * 3600 + r.range(0, 3599))).min(end);
    *id += r.range(10, 5000) as u64;
    let items_n = match o.layout {
        Layout::Taobao => {
            let roll = r.f64();
            if roll < 0.7 {
                1
            } else if roll < 0.9 {
                2
            } else {
                3
            }
        }
        _ => 1,
    };
    let k = PRODUCTS.len() as f64;
    let mut items = Vec::with_capacity(items_n);
    let mut goods = 0;
    for _ in 0..items_n {
        let p = ((person.taste + 0.12 * r.normal()) * (k - 1.0)).round().clamp(0.0, k - 1.0) as usize;
        let roll = r.f64();
        let mut qty = if roll < 0.72 {
            1
        } else if roll < 0.87 {
            2
        } else if roll < 0.97 {
            3
        } else {
            r.range(4, 20)
        };
        if person.wholesale {
            qty *= r.range(5, 30);
        }
        goods += PRODUCTS[p].1 * qty;
        items.push((p, qty));
    }
    let shipping = if person.remote {
        if r.chance(0.5) {
            1000
        } else {
            1500
        }
    } else if goods < 9900 && r.chance(0.15) {
        600
    } else {
        0
    };
    let roll = r.f64();
    let coupon = *r.pick(&[500, 1000, 2000]);
    let discount = if roll < 0.25 && goods >= 2 * coupon {
        coupon
    } else if (0.25..0.40).contains(&roll) {
        goods * r.range(5, 10) / 100
    } else {
        0
    };
    let platform_discount = if o.layout == Layout::Pdd && goods >= 3000 && r.chance(0.3) { 300 } else { 0 };
    let paid = goods + shipping - discount - platform_discount;
    let age_days = (end - placed).num_seconds() as f64 / 86_400.0;
    let roll = r.f64();
    let status = if roll < 0.03 {
        if age_days < 1.0 {
            Status::Unpaid
        } else {
            Status::Closed
        }
    } else if roll < 0.08 {
        Status::Refunded
    } else if roll < 0.09 && age_days < 45.0 {
        Status::AfterSale
    } else if age_days < 3.0 {
        if r.chance(0.6) {
            Status::Pending
        } else {
            Status::Shipped
        }
    } else if age_days < 12.0 && r.chance(0.65) {
        Status::Shipped
    } else {
        Status::Done
    };
    // 拼多多 exports have no refund amount: refunds there are all-or-nothing (售后状态 退款成功).
    let partial_ok = o.layout != Layout::Pdd;
    let partial = ((paid as f64) * (0.1 + 0.5 * r.f64())) as i64;
    let refund = match status {
        Status::Refunded => paid,
        Status::AfterSale if partial_ok && r.chance(0.5) => partial.max(1),
        Status::Done if partial_ok && r.chance(0.02) => partial.max(1),
        _ => 0,
    };
    let paid_at = status.paid().then(|| placed + Duration::seconds(r.range(5, 900)));
    let renamed = person.renamer && r.chance(0.3);
    let note = r.chance(0.15).then(|| *r.pick(NOTES));
    GenOrder {
        seq,
        id: *id,
        placed,
        paid_at,
        status,
        items,
        goods,
        shipping,
        discount,
        platform_discount,
        paid,
        refund,
        renamed,
        note,
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt_time(t: Option<NaiveDateTime>) -> Value {
    t.map_or(Value::Empty, Value::TimeText)
}

/// Writes one order as the layout's row(s); returns the number of rows.
fn lay_out(
    o: &GenerateOptions,
    p: &Person,
    ord: &GenOrder,
    cells: &mut Vec<Value>,
    data: &mut dyn FnMut(&[Value]) -> Result<()>,
) -> Result<u64> {
    let nick = if ord.renamed { &p.alt_nick } else { &p.nick };
    let note = ord.note.map_or(Value::Empty, text);
    let (product, qty) = ord.items.first().copied().unwrap_or((0, 1));
    let product_name = PRODUCTS[product].0;
    cells.clear();
    match o.layout {
        Layout::Wechat => {
            let status = match ord.status {
                Status::Done => "已完成",
                Status::Shipped => "已发货",
                Status::Pending => "待发货",
                Status::Unpaid => "待付款",
                Status::Closed => "已关闭",
                Status::Refunded => "已退款",
                Status::AfterSale => "售后中",
            };
            cells.extend([
                text(ord.id.to_string()),
                Value::TimeText(ord.placed),
                opt_time(ord.paid_at),
                text(status),
                text(nick.as_str()),
                text(p.key.as_str()),
                text(p.receiver.as_str()),
                text(p.shown_phone(o.mask_phones)),
                text(p.address.as_str()),
                text(product_name),
                Value::Int(qty),
                Value::Money(ord.goods),
                Value::Money(ord.shipping),
                Value::Money(ord.discount),
                Value::Money(ord.paid),
                Value::Money(ord.refund),
                text(if ord.status.paid() { "微信支付" } else { "" }),
                note,
            ]);
            data(cells)?;
            Ok(1)
        }
        Layout::Taobao => taobao_rows(o, p, ord, note, cells, data),
        Layout::Pdd => pdd_row(p, ord, cells, data),
        Layout::Youzan => {
            let status = match ord.status {
                Status::Done | Status::AfterSale => "交易成功",
                Status::Shipped => "已发货",
                Status::Pending => "待发货",
                Status::Unpaid => "待付款",
                Status::Closed | Status::Refunded => "交易关闭",
            };
            cells.extend([
                text(format!("E{}{:08}", ord.placed.format("%Y%m%d%H%M%S"), ord.seq % 100_000_000)),
                text(status),
                Value::Time(ord.placed),
                ord.paid_at.map_or(Value::Empty, Value::Time),
                text(nick.as_str()),
                text(p.key.as_str()),
                text(p.receiver.as_str()),
                text(p.shown_phone(o.mask_phones)),
                text(p.address.as_str()),
                text(product_name),
                Value::Int(qty),
                Value::Money(ord.goods),
                Value::Money(ord.shipping),
                Value::Money(ord.discount),
                Value::Money(ord.paid),
                text(if ord.status == Status::Refunded { "退款成功" } else { "" }),
                Value::Money(ord.refund),
                note,
            ]);
            data(cells)?;
            Ok(1)
        }
        Layout::Customers => Ok(0),
    }
}

/// Taobao: one row per item, the order's amount repeated on each (see the comments inside).
fn taobao_rows(
    o: &GenerateOptions,
    p: &Person,
    ord: &GenOrder,
    note: Value,
    cells: &mut Vec<Value>,
    data: &mut dyn FnMut(&[Value]) -> Result<()>,
) -> Result<u64> {
    let status = match ord.status {
        Status::Done | Status::AfterSale => "交易成功",
        Status::Shipped => "卖家已发货，等待买家确认",
        Status::Pending => "买家已付款，等待卖家发货",
        Status::Unpaid => "等待买家付款",
        // A fully refunded paid order is closed by Taobao, with the refund on the item.
        Status::Closed | Status::Refunded => "交易关闭",
    };
    for (i, (prod, q)) in ord.items.iter().enumerate() {
        cells.clear();
        cells.extend([
            text(ord.id.to_string()),
            text((ord.id + 1 + i as u64).to_string()),
            text(p.key.as_str()),
            // The order-level amount repeated on every item row: the classic double-count trap.
            Value::Money(ord.paid),
            text(status),
            Value::TimeText(ord.placed),
            opt_time(ord.paid_at),
            text(PRODUCTS[*prod].0),
            Value::Money(PRODUCTS[*prod].1),
            Value::Int(*q),
            // The refund is booked on the first item.
            Value::Money(if i == 0 { ord.refund } else { 0 }),
            text(p.receiver.as_str()),
            text(p.shown_phone(o.mask_phones)),
            text(p.address.as_str()),
            text("快递"),
            if i == 0 { note.clone() } else { Value::Empty },
        ]);
        if o.item_costs {
            cells.extend([text(sku(*prod)), Value::Money(unit_cost(*prod))]);
        }
        data(cells)?;
    }
    Ok(ord.items.len() as u64)
}

/// Pinduoduo: one row per order, the address split into columns, the platform discount shown apart.
fn pdd_row(
    p: &Person,
    ord: &GenOrder,
    cells: &mut Vec<Value>,
    data: &mut dyn FnMut(&[Value]) -> Result<()>,
) -> Result<u64> {
    let (product, qty) = ord.items.first().copied().unwrap_or((0, 1));
    let product_name = PRODUCTS[product].0;
    let status = match ord.status {
        Status::Done | Status::AfterSale => "已收货",
        Status::Shipped => "已发货，待收货",
        Status::Pending => "待发货",
        Status::Unpaid | Status::Closed => "已取消",
        Status::Refunded => {
            if ord.seq.is_multiple_of(2) {
                "已收货"
            } else {
                "已发货，待收货"
            }
        }
    };
    let after = if ord.status == Status::Refunded { "退款成功" } else { "无售后或售后取消" };
    let mut parts = p.address.split(' ');
    let (prov, city, district) = (parts.next(), parts.next(), parts.next());
    let street: Vec<&str> = parts.collect();
    cells.extend([
        text(format!("{}-{:015}", ord.placed.format("%y%m%d"), ord.id % 1_000_000_000_000_000)),
        text(product_name),
        Value::Int(qty),
        Value::Money(ord.goods),
        Value::Money(ord.discount),
        Value::Money(ord.platform_discount),
        Value::Money(ord.shipping),
        Value::Money(ord.paid),
        Value::Money(ord.paid + ord.platform_discount),
        text(status),
        text(after),
        Value::TimeText(ord.placed),
        text(p.receiver.as_str()),
        text(p.phone.as_str()),
        text(prov.unwrap_or_default()),
        text(city.unwrap_or_default()),
        text(district.unwrap_or_default()),
        text(street.join(" ")),
        if ord.status.paid() && ord.status != Status::Pending {
            text(format!("YT{}", 7_000_000_000_000 + ord.id % 1_000_000_000_000))
        } else {
            Value::Empty
        },
    ]);
    data(cells)?;
    Ok(1)
}

fn run_customers(o: &GenerateOptions, data: &mut dyn FnMut(&[Value]) -> Result<()>) -> Result<Truth> {
    let n = o.orders.max(1);
    let days = (o.end - o.start).num_days().max(0);
    let mut customers = Vec::with_capacity(n as usize);
    let mut cells = Vec::with_capacity(12);
    let mut rows = 0;
    for idx in 0..n {
        let p = Person::new(o, idx);
        let mut r = SplitMix64::derive(o.seed, WEIGHT, idx);
        let orders = (1.0 + r.lognormal(0.0, 1.1).floor()).min(300.0) as u32;
        let mut revenue = 0;
        for _ in 0..orders {
            let k = PRODUCTS.len() as f64;
            let prod = ((p.taste + 0.12 * r.normal()) * (k - 1.0)).round().clamp(0.0, k - 1.0) as usize;
            revenue += PRODUCTS[prod].1 * if p.wholesale { r.range(5, 30) } else { r.range(1, 2) };
        }
        let first = o.start + Duration::days(r.range(0, days));
        let last = if orders > 1 { first + Duration::days(r.range(0, (o.end - first).num_days())) } else { first };
        if !in_window(o, last) {
            continue;
        }
        // Wholesale customers are shops; the rest are people (names collide: the phone is the key).
        let name = if p.wholesale {
            format!("{}{}", r.pick(COMPANY_WORDS), r.pick(COMPANY_KINDS))
        } else if o.quirks && r.chance(0.1) {
            p.nick.clone()
        } else {
            p.receiver.clone()
        };
        let level = match revenue {
            v if v >= 500_000 => MEMBER_LEVELS[3],
            v if v >= 100_000 => MEMBER_LEVELS[2],
            v if v >= 30_000 => MEMBER_LEVELS[1],
            _ => MEMBER_LEVELS[0],
        };
        let region = p.address.split(' ').take(2).collect::<Vec<_>>().join("");
        cells.clear();
        cells.extend([
            text(name.as_str()),
            text(p.key.as_str()),
            text(level),
            Value::Money(revenue),
            Value::Int(i64::from(orders)),
            Value::Money((revenue as f64 / f64::from(orders)).round() as i64),
            Value::Date(first),
            Value::Date(last),
            Value::Int(r.range(0, 40)),
            text(region),
            if r.chance(0.1) { text(*r.pick(NOTES)) } else { Value::Empty },
        ]);
        data(&cells)?;
        rows += 1;
        customers.push(TruthCustomer { key: p.key, name, orders, revenue, first_order: first, last_order: last });
    }
    customers.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Truth { layout: o.layout, key_column: o.layout.key_column().to_string(), rows, orders: rows, customers })
}

/// Months covered by a truth (for messages): first to last order, inclusive.
pub fn months_covered(truth: &Truth) -> u32 {
    let first = truth.customers.iter().map(|c| c.first_order).min();
    let last = truth.customers.iter().map(|c| c.last_order).max();
    match (first, last) {
        (Some(f), Some(l)) => ((l.year() - f.year()) * 12 + l.month() as i32 - f.month() as i32 + 1).max(0) as u32,
        _ => 0,
    }
}

#[cfg(test)]
mod tests;
