//! Parsing one cell for one role: placeholders, long ids as text, money, dates.
//!
//! Pure functions of a `Cell`; no knowledge of columns or files.
