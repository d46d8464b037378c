//! tierbook-core: from a raw store export to customers in tiers, with no UI and no Tauri.
//!
//! Data flows one way, one module per arrow:
//!
//! ```text
//! source file ─source─▶ rows of Cells ─mapping─▶ column roles ─orders─▶ Orders (+ ImportReport)
//!        ─customers─▶ Customers ─classify─▶ Classification ─playbook─▶ Suggestions
//!        ─export─▶ tiered workbook / CSV          store: SQLite workspace, snapshots, migration
//! ```
//!
//! `import` ties the first three arrows together; the desktop shell and the CLI only orchestrate.
//! Time is always passed in (`as_of`), never read from the clock here.

#![warn(missing_docs)]

pub mod campaign;
pub mod catalogue;
pub mod cell;
pub mod classify;
pub mod cohort;
pub mod contacts;
pub mod costs;
pub mod customers;
pub mod digest;
pub mod error;
pub mod error_code;
pub mod export;
pub mod generate;
pub mod history;
pub mod import;
pub mod job;
pub mod mapping;
pub mod model;
pub mod orders;
pub mod paths;
pub mod playbook;
pub mod products;
pub mod progress;
pub mod region;
pub mod report;
pub mod rhythm;
pub mod source;
pub mod store;
pub mod tier_changes;
pub mod window;

pub use error::{Error, ErrorCode, Result};
pub use model::{Cents, Customer, Lang, Order, Text, Tier};
pub use progress::{Cancel, NoProgress, Progress, Stage};
