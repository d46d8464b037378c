//! Tests of `source` against real files written into a temp dir.
