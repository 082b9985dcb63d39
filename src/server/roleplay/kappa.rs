//! Agreement between two raters on an ordinal scale: quadratic-weighted Cohen's kappa, and exact
//! and adjacent agreement. Kappa corrects for the agreement two raters would reach by chance
//! given how often each uses each level; the quadratic weights count a disagreement of two levels
//! four times as much as one of a single level.

#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub n: usize,
    /// `None` when chance disagreement is zero (both raters always gave the same single level):
    /// kappa is undefined there, not perfect.
    pub kappa: Option<f64>,
    pub exact_percent: f64,
    pub adjacent_percent: f64,
}

/// `pairs` are (rater A's level, rater B's level) for the same performances, on levels `0..levels`.
pub fn agreement(pairs: &[(u8, u8)], levels: usize) -> Option<Agreement> {
    if pairs.is_empty() || levels < 2 {
        return None;
    }
    let k = levels;
    let clamp = |x: u8| (x as usize).min(k - 1);
    let mut observed = vec![vec![0.0f64; k]; k];
    for (a, b) in pairs {
        observed[clamp(*a)][clamp(*b)] += 1.0;
    }
    let n = pairs.len() as f64;
    let rows: Vec<f64> = observed.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..k).map(|j| observed.iter().map(|r| r[j]).sum()).collect();
    let weight = |i: usize, j: usize| {
        let d = i as f64 - j as f64;
        d * d / ((k - 1) * (k - 1)) as f64
    };
    let (mut disagree_observed, mut disagree_expected) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            disagree_observed += weight(i, j) * observed[i][j];
            disagree_expected += weight(i, j) * rows[i] * cols[j] / n;
        }
    }
    let kappa = (disagree_expected > 1e-12).then(|| 1.0 - disagree_observed / disagree_expected);
    let exact = pairs.iter().filter(|(a, b)| clamp(*a) == clamp(*b)).count() as f64;
    let adjacent = pairs.iter().filter(|(a, b)| clamp(*a).abs_diff(clamp(*b)) <= 1).count() as f64;
    Some(Agreement { n: pairs.len(), kappa, exact_percent: exact * 100.0 / n, adjacent_percent: adjacent * 100.0 / n })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn hand_computed_three_levels() {
        // O: (0,0) (0,1) (1,1) (2,2); rows 2,1,1; cols 1,2,1; weights (i-j)²/4.
        // Observed disagreement 0.25·1 = 0.25. Expected: 0.25·(1 + 0.25) + 1·(0.5 + 0.25)
        // + 0.25·(0.25 + 0.5) = 1.25. Kappa = 1 − 0.25/1.25 = 0.8.
        let a = agreement(&[(0, 0), (0, 1), (1, 1), (2, 2)], 3).unwrap();
        assert!(close(a.kappa.unwrap(), 0.8));
        assert!(close(a.exact_percent, 75.0) && close(a.adjacent_percent, 100.0));
    }

    #[test]
    fn hand_computed_five_levels() {
        // Levels 0..=4, weights (i-j)²/16. Pairs (4,3) (3,3) (2,1) (0,0) (1,2).
        // Rows: 0:1 1:1 2:1 3:1 4:1; cols: 0:1 1:1 2:1 3:2 4:0; n = 5.
        // Observed: three one-level disagreements: 3 · 1/16 = 0.1875.
        // Expected: Σ w(i,j)·r_i·c_j / 5 with every r_i = 1:
        //   Σ_i Σ_j (i-j)² c_j / 16 / 5, and Σ_i (i-j)² over i=0..4 is 30,15,10,15,30 for j=0..4,
        //   so Σ = (30·1 + 15·1 + 10·1 + 15·2 + 30·0) / 80 = 85/80 = 1.0625.
        // Kappa = 1 − 0.1875/1.0625 = 0.823529...
        let a = agreement(&[(4, 3), (3, 3), (2, 1), (0, 0), (1, 2)], 5).unwrap();
        assert!(close(a.kappa.unwrap(), 1.0 - 0.1875 / 1.0625));
        assert!(close(a.exact_percent, 40.0) && close(a.adjacent_percent, 100.0));
    }

    #[test]
    fn perfect_opposite_and_undefined() {
        assert!(close(agreement(&[(0, 0), (1, 1), (2, 2), (4, 4)], 5).unwrap().kappa.unwrap(), 1.0));
        // Two performances rated at opposite ends by each: observed 2, expected 1, kappa −1.
        assert!(close(agreement(&[(0, 2), (2, 0)], 3).unwrap().kappa.unwrap(), -1.0));
        // Both raters always say "3": they agree, but nothing was left to chance to beat.
        let same = agreement(&[(3, 3), (3, 3), (3, 3)], 5).unwrap();
        assert_eq!(same.kappa, None);
        assert!(close(same.exact_percent, 100.0));
        assert!(agreement(&[], 5).is_none());
    }
}
