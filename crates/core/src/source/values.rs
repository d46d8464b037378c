//! calamine's values as `Cell`s where they need care (dates out of Excel's range, non-finite numbers),
//! shared by the calamine readers (`workbook`) and the xlsx sheet reader of our own (`xlsx_sheet`).

use calamine::ExcelDateTime;

use super::Cell;

/// A calamine date/time as a cell (a serial outside Excel's range stays a number).
pub(crate) fn datetime_cell(value: &ExcelDateTime) -> Cell {
    // calamine turns the serial into milliseconds through chrono, which panics past ±2^63 ms; no
    // real date is outside Excel's range (0 … 2,958,465 = 9999-12-31), so such a serial stays a number.
    let serial = value.as_f64();
    let in_range = (-1.0..=2_958_466.0).contains(&serial);
    match (value.is_datetime() && in_range).then(|| value.as_datetime()).flatten() {
        Some(datetime) => Cell::DateTime(datetime),
        None => number_cell(serial),
    }
}

/// A number as a cell; NaN and infinities become Excel's `#NUM!`. No spreadsheet program stores them, so
/// only a damaged or forged file carries one, and downstream code (and `Cell`'s equality) may then
/// assume every `Cell::Number` is finite. Fuzz finding `xls-nan-number`.
pub(crate) fn number_cell(x: f64) -> Cell {
    if x.is_finite() {
        Cell::Number(x)
    } else {
        Cell::Error("#NUM!".to_owned())
    }
}
