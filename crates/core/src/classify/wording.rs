//! The words every method's reasons and gaps share: tier names, the three gap sentences (spend
//! more, order more, one order of ¥N), threshold rows and their units, and cheap number formatting.
//!
//! One classification writes several strings per customer, so these append to a `String` instead
//! of going through `format!`. Below the method files: it knows no method.

use super::types::Threshold;
use crate::model::{Text, Tier};

/// "A 类" …
pub(crate) fn tier_zh(t: Tier) -> &'static str {
    match t {
        Tier::A => "A 类",
        Tier::B => "B 类",
        Tier::C => "C 类",
        Tier::D => "D 类",
    }
}

/// "tier A" …
pub(crate) fn tier_en(t: Tier) -> &'static str {
    match t {
        Tier::A => "tier A",
        Tier::B => "tier B",
        Tier::C => "tier C",
        Tier::D => "tier D",
    }
}

/// A scratch buffer for one customer's reason or gap, sized for the usual sentence.
pub(crate) fn new_text() -> Text {
    Text { zh: String::with_capacity(96), en: String::with_capacity(112) }
}

/// A row of the threshold table.
pub(crate) fn threshold(zh: impl Into<String>, en: impl Into<String>, value: f64, unit: (&str, &str)) -> Threshold {
    Threshold { name: Text::new(zh, en), value, unit: Text::new(unit.0, unit.1) }
}

/// Units of threshold rows, (zh, en).
pub(crate) const YUAN: (&str, &str) = ("¥", "¥");
pub(crate) const DAYS: (&str, &str) = ("天", "days");
pub(crate) const ORDERS: (&str, &str) = ("单", "orders");
pub(crate) const PCT: (&str, &str) = ("%", "%");
pub(crate) const POINTS: (&str, &str) = ("分", "points");
pub(crate) const CUSTOMERS: (&str, &str) = ("人", "customers");

/// Appends one sentence to both languages of a [`Text`] at once: the words differ, the numbers
/// and their order are the same. Allocation-free like the appenders below.
pub(crate) struct Both<'a>(pub &'a mut Text);

impl Both<'_> {
    /// Words: `zh` to the Chinese, `en` to the English.
    pub fn words(&mut self, zh: &str, en: &str) -> &mut Self {
        self.0.zh.push_str(zh);
        self.0.en.push_str(en);
        self
    }

    /// "A 类" / "tier A".
    pub fn tier(&mut self, t: Tier) -> &mut Self {
        self.words(tier_zh(t), tier_en(t))
    }

    /// The same number in both: `push` appends it to one string.
    fn each(&mut self, push: impl Fn(&mut String)) -> &mut Self {
        push(&mut self.0.zh);
        push(&mut self.0.en);
        self
    }

    /// [`push_int`] in both.
    pub fn int(&mut self, v: i64) -> &mut Self {
        self.each(|s| push_int(s, v))
    }

    /// [`push_dec1`] in both.
    pub fn dec1(&mut self, v: f64) -> &mut Self {
        self.each(|s| push_dec1(s, v))
    }

    /// [`push_dec2`] in both.
    pub fn dec2(&mut self, v: f64) -> &mut Self {
        self.each(|s| push_dec2(s, v))
    }

    /// [`push_yuan`] in both.
    pub fn yuan(&mut self, cents: i64) -> &mut Self {
        self.each(|s| push_yuan(s, cents))
    }

    /// [`push_yuan_ceil`] in both.
    pub fn yuan_ceil(&mut self, cents: i64) -> &mut Self {
        self.each(|s| push_yuan_ceil(s, cents))
    }

    /// [`push_pct`] in both.
    pub fn pct(&mut self, share: f64) -> &mut Self {
        self.each(|s| push_pct(s, share))
    }

    /// "R5 F3 M4".
    pub fn scores(&mut self, scores: [u8; 3]) -> &mut Self {
        for (k, letter) in ["R", "F", "M"].iter().enumerate() {
            if k > 0 {
                self.words(" ", " ");
            }
            self.words(letter, letter).int(i64::from(scores[k]));
        }
        self
    }
}

/// "再消费 ¥180 升至 A 类" / "Spend ¥180 more to reach tier A".
pub(crate) fn push_spend_gap(gap: &mut Text, cents: i64, target: Tier) {
    Both(gap).words("再消费 ", "Spend ").yuan_ceil(cents).words(" 升至 ", " more to reach ").tier(target);
}

/// "再下 2 单升至 B 类" / "Place 2 more orders to reach tier B".
pub(crate) fn push_orders_gap(gap: &mut Text, orders: i64, target: Tier) {
    let en = if orders == 1 { " more order to reach " } else { " more orders to reach " };
    Both(gap).words("再下 ", "Place ").int(orders).words(" 单升至 ", en).tier(target);
}

/// "下一单消费 ¥90 即可升至 A 类" / "One more order of ¥90 reaches tier A".
pub(crate) fn push_next_order_gap(gap: &mut Text, cents: i64, target: Tier) {
    Both(gap).words("下一单消费 ", "One more order of ").yuan_ceil(cents).words(" 即可升至 ", " reaches ").tier(target);
}

/// Appends `¥12,345` (whole yuan) or `¥12,345.60`; negatives as `-¥12`.
pub(crate) fn push_yuan(s: &mut String, cents: i64) {
    if cents < 0 {
        s.push('-');
    }
    s.push('¥');
    let abs = cents.unsigned_abs();
    push_grouped(s, abs / 100);
    let frac = abs % 100;
    if frac != 0 {
        s.extend([b'.', b'0' + (frac / 10) as u8, b'0' + (frac % 10) as u8].map(char::from));
    }
}

/// Appends `¥N` for a gap: cents rounded up to whole yuan, at least ¥1.
pub(crate) fn push_yuan_ceil(s: &mut String, cents: i64) {
    let yuan = cents.max(1).saturating_add(99) / 100;
    s.push('¥');
    push_grouped(s, yuan.unsigned_abs());
}

/// Appends an unsigned integer with thousands separators.
fn push_grouped(s: &mut String, v: u64) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(v);
    // Whole slices of ASCII digits between the commas: cheaper than pushing char by char.
    let head = match digits.len() % 3 {
        0 => 3,
        r => r,
    }
    .min(digits.len());
    s.push_str(&digits[..head]);
    let mut at = head;
    while at < digits.len() {
        s.push(',');
        s.push_str(&digits[at..at + 3]);
        at += 3;
    }
}

/// Appends an integer as is.
pub(crate) fn push_int(s: &mut String, v: i64) {
    let mut buf = itoa::Buffer::new();
    s.push_str(buf.format(v));
}

/// Appends `v` with one decimal (`63.2`); whole numbers without one (`80`).
pub(crate) fn push_dec1(s: &mut String, v: f64) {
    push_decimal(s, v, 1);
}

/// Appends `v` with two decimals, dropping trailing zeros (`3.98`, `1.5`, `4`).
pub(crate) fn push_dec2(s: &mut String, v: f64) {
    push_decimal(s, v, 2);
}

/// Appends `v` rounded to `places` (1 or 2) decimals, half away from zero, without trailing zeros.
fn push_decimal(s: &mut String, v: f64, places: u32) {
    if !v.is_finite() {
        s.push('-');
        return;
    }
    let unit = 10i64.pow(places);
    // Round half away from zero without a libm call; `as` truncates towards zero.
    let scaled = v * unit as f64;
    let units = (scaled + if scaled < 0.0 { -0.5 } else { 0.5 }) as i64;
    if units < 0 {
        s.push('-');
    }
    let abs = units.unsigned_abs();
    let unit = unit.unsigned_abs();
    let mut buf = itoa::Buffer::new();
    s.push_str(buf.format(abs / unit));
    let mut frac = abs % unit;
    if frac != 0 {
        s.push('.');
        let mut divisor = unit / 10;
        while frac != 0 {
            s.push(char::from(b'0' + (frac / divisor) as u8));
            frac %= divisor;
            divisor /= 10;
        }
    }
}

/// Appends a 0–1 share as a percentage with one decimal: `63.2%`.
pub(crate) fn push_pct(s: &mut String, share: f64) {
    push_dec1(s, share * 100.0);
    s.push('%');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut String)) -> String {
        let mut s = String::new();
        f(&mut s);
        s
    }

    #[test]
    fn money_has_thousands_separators_and_cents_only_when_present() {
        assert_eq!(with(|s| push_yuan(s, 1_234_500)), "¥12,345");
        assert_eq!(with(|s| push_yuan(s, 99_990)), "¥999.90");
        assert_eq!(with(|s| push_yuan(s, -1200)), "-¥12");
        assert_eq!(with(|s| push_yuan(s, 12_345_678_901)), "¥123,456,789.01");
    }

    #[test]
    fn gaps_round_up_to_whole_yuan() {
        assert_eq!(with(|s| push_yuan_ceil(s, 17_901)), "¥180");
        assert_eq!(with(|s| push_yuan_ceil(s, 1)), "¥1");
        assert_eq!(with(|s| push_yuan_ceil(s, 0)), "¥1");
    }

    #[test]
    fn percentages_have_one_decimal() {
        assert_eq!(with(|s| push_pct(s, 0.6321)), "63.2%");
        assert_eq!(with(|s| push_pct(s, 0.8)), "80%");
        assert_eq!(with(|s| push_dec1(s, 1.96)), "2");
        assert_eq!(with(|s| push_dec2(s, 121.0 / 30.4375)), "3.98");
        assert_eq!(with(|s| push_dec2(s, 1.5)), "1.5");
        assert_eq!(with(|s| push_dec2(s, 4.0)), "4");
    }
}
