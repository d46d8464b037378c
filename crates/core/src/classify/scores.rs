//! R/F/M scores 1..=bins from quantile cut points, with the tie rule and the fallbacks of DESIGN §5.4.
//!
//! Cut points sit at the k/bins quantiles (linear interpolation, numpy's and pandas' default). A
//! value scores 1 + the number of cut points it is strictly above (recency: strictly below), so
//! equal values always get equal scores. When two cut points coincide the quantiles cannot separate
//! the customers; rather than silently losing a score, that dimension falls back to value bins
//! (orders: 1, 2, …, bins+) or, for recency and money, to the quantiles of the distinct values.
//!
//! The user's own cut points ([`custom`], `window::ScoreCuts`) replace the quantiles of a dimension
//! and have the opposite boundary rule, the one people read cut points with: a value equal to a
//! cut point passes it (R ≤ 30 days is "within 30 days", F ≥ 3 orders reaches the score 3 opens).

/// Which of the three RFM dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dim {
    R,
    F,
    M,
}

/// How the cut points of one dimension were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CutKind {
    Quantile,
    /// F: cut points 1, 2, …, bins-1 (scores 1, 2, …, bins+ orders).
    ValueBins,
    /// R/M: quantiles of the distinct values.
    DistinctQuantile,
    /// Every customer has the same value: everyone scores 1.
    AllEqual,
    /// The user's own cut points (internal units: days, orders, fen); a value equal to one passes it.
    Custom,
}

/// The cut points of one dimension.
#[derive(Clone, Debug)]
pub(super) struct Cuts {
    pub dim: Dim,
    pub kind: CutKind,
    /// Ascending, `bins - 1` of them.
    pub points: Vec<f64>,
    /// Where the cut points can move when one customer's value jumps from below a cut to above
    /// it (up: one position higher) or from above to the bottom (down: one position lower), so a
    /// gap computed against them still holds after the customer moved. Equal to `points` for
    /// count bins.
    pub moved_up: Vec<f64>,
    pub moved_down: Vec<f64>,
}

/// numpy's `quantile(method="linear")` on an ascending slice, reproduced operation by operation
/// (virtual index `(n-1)·q`, then `a + (b-a)·t`, or `b - (b-a)·(1-t)` when `t ≥ 0.5`), so that
/// cut points agree with the independent checker to the last bit.
#[cfg(test)]
pub(super) fn quantile(sorted: &[i64], q: f64) -> f64 {
    quantile_at(sorted, q, 0.0)
}

/// The linear quantile with the virtual index moved by `shift` positions (clamped to the data).
fn quantile_at(sorted: &[i64], q: f64, shift: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let virtual_index = ((n - 1) as f64 * q + shift).clamp(0.0, (n - 1) as f64);
    let lower = (virtual_index.floor().max(0.0) as usize).min(n - 1);
    let upper = (lower + 1).min(n - 1);
    let t = virtual_index - lower as f64;
    let (a, b) = (sorted[lower] as f64, sorted[upper] as f64);
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

fn quantile_points(sorted: &[i64], bins: u8) -> Vec<f64> {
    shifted_points(sorted, bins, 0.0)
}

fn shifted_points(sorted: &[i64], bins: u8, shift: f64) -> Vec<f64> {
    (1..bins).map(|k| quantile_at(sorted, f64::from(k) / f64::from(bins), shift)).collect()
}

fn strictly_increasing(points: &[f64]) -> bool {
    points.windows(2).all(|w| w[0] < w[1])
}

/// Cut points for `sorted` (ascending values of one dimension) with `bins` scores.
pub(super) fn cuts(dim: Dim, sorted: &[i64], bins: u8) -> Cuts {
    let on = |values: &[i64], kind: CutKind| Cuts {
        dim,
        kind,
        points: quantile_points(values, bins),
        moved_up: shifted_points(values, bins, 1.0),
        moved_down: shifted_points(values, bins, -1.0),
    };
    let points = quantile_points(sorted, bins);
    if strictly_increasing(&points) {
        return on(sorted, CutKind::Quantile);
    }
    if sorted.first() == sorted.last() {
        return on(sorted, CutKind::AllEqual);
    }
    match dim {
        Dim::F => {
            let points: Vec<f64> = (1..bins).map(f64::from).collect();
            Cuts { dim, kind: CutKind::ValueBins, moved_up: points.clone(), moved_down: points.clone(), points }
        }
        Dim::R | Dim::M => {
            let mut distinct = sorted.to_vec();
            distinct.dedup();
            on(&distinct, CutKind::DistinctQuantile)
        }
    }
}

/// The user's cut points of one dimension, in its internal unit (days, orders, fen), ascending.
/// They do not move when a customer does, so `moved_up`/`moved_down` are the points themselves.
pub(super) fn custom(dim: Dim, points: Vec<f64>) -> Cuts {
    Cuts { dim, kind: CutKind::Custom, moved_up: points.clone(), moved_down: points.clone(), points }
}

impl Cuts {
    /// The score of `value`: 1 + cut points strictly below it (R: strictly above it); with the
    /// user's cut points, 1 + cut points at or below it (R: at or above it).
    pub fn score(&self, value: i64) -> u8 {
        self.passed(&self.points, value)
    }

    /// The score of `value` for a customer who moves there from the other side of the cut
    /// points: F/M moving up are judged against `moved_up`, R moving to 0 days against `moved_down`.
    pub fn score_after_move(&self, value: i64) -> u8 {
        match self.dim {
            Dim::R => self.passed(&self.moved_down, value),
            Dim::F | Dim::M => self.passed(&self.moved_up, value),
        }
    }

    fn passed(&self, points: &[f64], value: i64) -> u8 {
        let v = value as f64;
        let passed = match (self.dim, self.kind == CutKind::Custom) {
            (Dim::R, false) => points.iter().filter(|&&c| v < c).count(),
            (Dim::R, true) => points.iter().filter(|&&c| v <= c).count(),
            (Dim::F | Dim::M, false) => points.iter().filter(|&&c| v > c).count(),
            (Dim::F | Dim::M, true) => points.iter().filter(|&&c| v >= c).count(),
        };
        1 + passed as u8
    }

    /// F/M: the smallest integer value that scores at least `score` even after the customer
    /// moved up past the cut points (`None` when out of range).
    pub fn min_value_for(&self, score: u8) -> Option<i64> {
        if score <= 1 {
            return Some(i64::MIN);
        }
        let cut = *self.moved_up.get(usize::from(score) - 2)?;
        if self.kind == CutKind::Custom {
            return Some(cut.ceil() as i64);
        }
        Some((cut.floor() as i64).saturating_add(1))
    }
}

/// Mid-rank percentile of `value` in `sorted`: (values below + half the equal ones) / n, 0–1.
pub(super) fn percentile(sorted: &[i64], value: i64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let below = sorted.partition_point(|&v| v < value);
    let not_above = sorted.partition_point(|&v| v <= value);
    (below as f64 + 0.5 * (not_above - below) as f64) / sorted.len() as f64
}

/// Mid-rank percentiles of many values against one ascending slice: a table of "values below"
/// when the values span a small range (days, orders), binary search otherwise.
pub(super) struct Percentiles<'a> {
    sorted: &'a [i64],
    min: i64,
    /// `below[k]` = number of values below `min + k`; empty when the range is too wide.
    below: Vec<u32>,
}

impl<'a> Percentiles<'a> {
    pub fn new(sorted: &'a [i64]) -> Self {
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            return Percentiles { sorted, min: 0, below: Vec::new() };
        };
        let range = max.saturating_sub(min);
        if !(0..=1 << 20).contains(&range) || sorted.len() > u32::MAX as usize {
            return Percentiles { sorted, min, below: Vec::new() };
        }
        let mut below = vec![0u32; range as usize + 2];
        for &v in sorted {
            below[(v - min) as usize + 1] += 1;
        }
        for k in 1..below.len() {
            below[k] += below[k - 1];
        }
        Percentiles { sorted, min, below }
    }

    /// (values below + half the equal ones) / n, 0–1.
    pub fn of(&self, value: i64) -> f64 {
        if self.below.is_empty() {
            return percentile(self.sorted, value);
        }
        let n = self.sorted.len() as f64;
        if value < self.min {
            return 0.0;
        }
        let k = (value - self.min) as usize;
        match (self.below.get(k), self.below.get(k + 1)) {
            (Some(&lo), Some(&hi)) => (f64::from(lo) + 0.5 * f64::from(hi - lo)) / n,
            _ => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_linearly_like_numpy() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.2, 0.4, 0.6, 0.8]) == [1.8, 2.6, 3.4, 5.2]
        let v = [1, 2, 3, 4, 10];
        let got: Vec<f64> = [0.2, 0.4, 0.6, 0.8].iter().map(|&q| quantile(&v, q)).collect();
        for (g, want) in got.iter().zip([1.8, 2.6, 3.4, 5.2]) {
            assert!((g - want).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn equal_values_get_equal_scores_at_a_cut_point() {
        let v = [1, 2, 2, 2, 3, 4, 5, 6, 7, 8];
        let c = cuts(Dim::M, &v, 5);
        assert_eq!(c.kind, CutKind::Quantile);
        let scores: Vec<u8> = [2, 2, 2].iter().map(|&x| c.score(x)).collect();
        assert!(scores.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn mostly_one_time_buyers_fall_back_to_order_count_bins() {
        let mut v = vec![1; 60];
        v.extend([2, 2, 2, 3, 3, 4, 5, 6, 9, 20].repeat(4));
        v.sort();
        let c = cuts(Dim::F, &v, 5);
        assert_eq!(c.kind, CutKind::ValueBins);
        assert_eq!([1, 2, 3, 4, 5, 40].map(|x| c.score(x)), [1, 2, 3, 4, 5, 5]);
    }

    #[test]
    fn all_equal_values_score_one_and_say_so() {
        let c = cuts(Dim::R, &[7; 10], 5);
        assert_eq!(c.kind, CutKind::AllEqual);
        assert_eq!(c.score(7), 1);
    }

    #[test]
    fn tied_money_falls_back_to_distinct_value_quantiles_which_never_coincide() {
        let mut v = vec![990; 50];
        v.extend([100, 5000, 12000, 30000, 99000]);
        v.sort();
        let c = cuts(Dim::M, &v, 5);
        assert_eq!(c.kind, CutKind::DistinctQuantile);
        assert!(strictly_increasing(&c.points));
    }

    #[test]
    fn recency_scores_are_reversed() {
        let v: Vec<i64> = (0..100).collect();
        let c = cuts(Dim::R, &v, 5);
        assert_eq!(c.score(0), 5);
        assert_eq!(c.score(99), 1);
    }

    #[test]
    fn a_value_on_a_custom_cut_point_passes_it() {
        let r = custom(Dim::R, vec![30.0, 90.0, 180.0, 365.0]);
        assert_eq!([0, 30, 31, 90, 91, 180, 365, 366].map(|d| r.score(d)), [5, 5, 4, 4, 3, 3, 2, 1]);
        let f = custom(Dim::F, vec![2.0, 3.0, 5.0, 10.0]);
        assert_eq!([1, 2, 3, 4, 5, 9, 10, 40].map(|n| f.score(n)), [1, 2, 3, 3, 4, 4, 5, 5]);
        // ¥500.005 in fen is 50000.5: 50000 fen stays below it, 50001 reaches it.
        let m = custom(Dim::M, vec![10000.0, 50000.5, 100000.0, 500000.0]);
        assert_eq!([9999, 10000, 50000, 50001].map(|c| m.score(c)), [1, 2, 2, 3]);
        assert_eq!(m.min_value_for(3), Some(50001));
        assert_eq!(m.min_value_for(2), Some(10000));
        assert_eq!(r.score_after_move(0), 5);
    }

    #[test]
    fn percentile_table_agrees_with_binary_search() {
        let v = [0, 0, 1, 3, 3, 3, 7, 20];
        let table = Percentiles::new(&v);
        for x in -2..25 {
            assert_eq!(table.of(x), percentile(&v, x), "{x}");
        }
    }

    #[test]
    fn mid_rank_percentile_of_ties() {
        assert_eq!(percentile(&[1, 1, 1, 1], 1), 0.5);
        assert_eq!(percentile(&[1, 2, 3, 4], 5), 1.0);
        assert_eq!(percentile(&[1, 2, 3, 4], 0), 0.0);
    }
}
