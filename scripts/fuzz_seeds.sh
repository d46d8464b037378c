#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into fuzz/seeds/<target>/ (not committed; the same
# files on every run): the generator's exports in every layout and format, files like the tests'
# (xlsx, ods, the xls fixture, CSV/TSV/text in each encoding, HTML) and the parsers' documented cell
# texts. See crates/core/examples/fuzz_seeds.rs and docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf fuzz/seeds
cargo run --quiet -p tierbook-core --example fuzz_seeds -- fuzz/seeds
