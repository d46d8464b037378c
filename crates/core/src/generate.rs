//! A deterministic generator of store exports of any size (several platform layouts), for tests,
//! benchmarks and the app's built-in sample dataset.
