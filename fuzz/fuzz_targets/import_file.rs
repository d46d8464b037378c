//! The whole import of one file, as the app does it: `preview` (sheets, header, roles, top rows),
//! then `import_files` with the detected defaults. Any bytes (seeded with the generator's exports of
//! every layout and format). Either may fail with an error a user can read; what they accept must
//! hold together:
//! - preview and import agree on the format;
//! - one report for the one file, `orders_kept` orders, no more orders than data rows read;
//! - every order has a customer key and a plausible date inside the report's first..last range.
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use tierbook_core::import::{import_files, preview, ImportOptions};
use tierbook_core::NoProgress;
use tierbook_fuzz::{run, scratch_file, skip_open_finding};

fuzz_target!(|data: &[u8]| run(|| {
    if skip_open_finding(data) {
        return;
    }
    let path = scratch_file("订单导出.xlsx", data);
    let options = ImportOptions::default();
    let previewed = preview(&path, &options);
    if let Err(e) = &previewed {
        assert!(!e.to_string().is_empty(), "a preview error without a message: {e:?}");
    }
    let dataset = match import_files(std::slice::from_ref(&path), &options, &NoProgress) {
        Ok(dataset) => dataset,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an import error without a message: {e:?}");
            return;
        }
    };
    let [report] = dataset.reports.as_slice() else { panic!("{} reports for one file", dataset.reports.len()) };
    if let Ok(p) = &previewed {
        assert_eq!(p.format, report.format, "preview and import disagree on the format");
    }
    assert_eq!(dataset.orders.len() as u64, report.orders_kept, "orders_kept is not the number of orders");
    assert!(report.orders_kept <= report.rows_read, "{} orders from {} rows", report.orders_kept, report.rows_read);
    for order in &dataset.orders {
        assert!(!order.customer_key.is_empty(), "an order without a customer key: {order:?}");
        assert!((1970..=2100).contains(&order.placed_at.year()), "implausible date: {order:?}");
        let day = order.placed_at.date();
        assert!(report.first_date.is_some_and(|d| d <= day), "{day} before the first date {:?}", report.first_date);
        assert!(report.last_date.is_some_and(|d| d >= day), "{day} after the last date {:?}", report.last_date);
    }
}));
