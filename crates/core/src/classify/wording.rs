//! Cheap number formatting for reasons and gaps: one classification writes several strings per
//! customer, so these append digits to a `String` instead of going through `format!`.

/// Appends `¥12,345` (whole yuan) or `¥12,345.60`; negatives as `-¥12`.
pub(super) fn push_yuan(s: &mut String, cents: i64) {
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
pub(super) fn push_yuan_ceil(s: &mut String, cents: i64) {
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
pub(super) fn push_int(s: &mut String, v: i64) {
    let mut buf = itoa::Buffer::new();
    s.push_str(buf.format(v));
}

/// Appends `v` with one decimal (`63.2`); whole numbers without one (`80`).
pub(super) fn push_dec1(s: &mut String, v: f64) {
    push_decimal(s, v, 1);
}

/// Appends `v` with two decimals, dropping trailing zeros (`3.98`, `1.5`, `4`).
pub(super) fn push_dec2(s: &mut String, v: f64) {
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
pub(super) fn push_pct(s: &mut String, share: f64) {
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
