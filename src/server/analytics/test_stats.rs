//! Moodle's quiz statistics, computed from a matrix of marks (one row per attempt, one column per
//! slot), with Moodle's definitions so a trainer who knows Moodle's report reads the same figures:
//! sample (n - 1) variances, the discrimination index as the item-rest correlation, discriminative
//! efficiency against the covariance of the two columns each sorted on its own, and Cronbach's
//! alpha from the slot variances. Pure arithmetic; `quiz_stats` loads the marks.

/// The whole test. Marks are in points; `Summary::percent_of` turns them into the percentages the
/// page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFigures {
    pub attempts: usize,
    pub mean: f64,
    pub median: f64,
    pub sd: Option<f64>,
    pub skewness: Option<f64>,
    pub kurtosis: Option<f64>,
    /// Coefficient of internal consistency (Cronbach's alpha) x 100.
    pub cic: Option<f64>,
    pub error_ratio: Option<f64>,
    pub standard_error: Option<f64>,
}

/// One slot, in Moodle's units: facility and sd as fractions of the slot's mark, weights and
/// indices as percentages.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotFigures {
    pub attempts: usize,
    pub facility: f64,
    pub sd: Option<f64>,
    pub intended_weight: f64,
    pub effective_weight: Option<f64>,
    /// Covariance of the slot's mark with the rest of the test (total minus this slot).
    pub covariance: Option<f64>,
    pub mark_variance: Option<f64>,
    pub other_mark_variance: Option<f64>,
    pub discrimination_index: Option<f64>,
    pub covariance_max: Option<f64>,
    pub discriminative_efficiency: Option<f64>,
    covariance_with_total: Option<f64>,
}

impl SlotFigures {
    /// The three warnings Moodle's report makes about an item.
    pub fn flags(&self) -> SlotFlags {
        SlotFlags {
            weak_efficiency: self.discriminative_efficiency.is_some_and(|e| e < 15.0),
            negative_covariance: self.covariance.is_some_and(|c| c < 0.0),
            facility_out_of_range: !(0.3..=0.7).contains(&self.facility),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlotFlags {
    pub weak_efficiency: bool,
    pub negative_covariance: bool,
    pub facility_out_of_range: bool,
}

impl SlotFlags {
    pub fn any(&self) -> bool {
        self.weak_efficiency || self.negative_covariance || self.facility_out_of_range
    }
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample covariance (n - 1); `None` below two values.
fn covariance(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len();
    if n < 2 {
        return None;
    }
    let (mx, my) = (mean(xs), mean(ys));
    Some(xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum::<f64>() / (n - 1) as f64)
}

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

fn median(xs: &[f64]) -> f64 {
    let v = sorted(xs);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n.is_multiple_of(2) {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    } else {
        v[n / 2]
    }
}

/// The test's figures from each attempt's total and the sum of the slots' mark variances.
fn test_figures(totals: &[f64], slots: usize, sum_of_mark_variance: f64) -> TestFigures {
    let s = totals.len();
    let n = s as f64;
    let mut t = TestFigures {
        attempts: s,
        mean: if s == 0 { 0.0 } else { mean(totals) },
        median: median(totals),
        sd: None,
        skewness: None,
        kurtosis: None,
        cic: None,
        error_ratio: None,
        standard_error: None,
    };
    if s < 2 {
        return t;
    }
    let power = |k: i32| totals.iter().map(|x| (x - t.mean).powi(k)).sum::<f64>();
    let sd = (power(2) / (n - 1.0)).sqrt();
    t.sd = Some(sd);
    if s < 3 {
        return t;
    }
    let (m2, m3, m4) = (power(2) / n, power(3) / n, power(4) / n);
    let k2 = n * m2 / (n - 1.0);
    let k3 = n * n * m3 / ((n - 1.0) * (n - 2.0));
    if k2 == 0.0 {
        return t;
    }
    t.skewness = Some(k3 / k2.powf(1.5));
    if s > 3 {
        let k4 = n * n * ((n + 1.0) * m4 - 3.0 * (n - 1.0) * m2 * m2) / ((n - 1.0) * (n - 2.0) * (n - 3.0));
        t.kurtosis = Some(k4 / (k2 * k2));
    }
    if slots > 1 {
        let p = slots as f64;
        let cic = (100.0 * p / (p - 1.0)) * (1.0 - sum_of_mark_variance / k2);
        t.cic = Some(cic);
        // A negative alpha has no error ratio (the square root of more than one is still defined,
        // but Moodle shows it only while alpha is at most 100).
        let ratio = 100.0 * (1.0 - cic / 100.0).max(0.0).sqrt();
        t.error_ratio = Some(ratio);
        t.standard_error = Some(ratio * sd / 100.0);
    }
    t
}

/// Every figure for a quiz. `marks[a][s]` is attempt `a`'s mark on slot `s` (`None`: the attempt
/// had no such slot, e.g. the quiz changed between attempts); `max_marks[s]` is the slot's mark.
pub fn compute(max_marks: &[f64], marks: &[Vec<Option<f64>>]) -> (TestFigures, Vec<SlotFigures>) {
    let totals: Vec<f64> = marks.iter().map(|row| row.iter().flatten().sum()).collect();
    let sum_of_max: f64 = max_marks.iter().sum();
    let mut slots: Vec<SlotFigures> = max_marks
        .iter()
        .enumerate()
        .map(|(s, &max)| {
            let (mine, rest, total): (Vec<f64>, Vec<f64>, Vec<f64>) = {
                let mut m = Vec::new();
                let mut r = Vec::new();
                let mut t = Vec::new();
                for (row, tot) in marks.iter().zip(&totals) {
                    if let Some(Some(x)) = row.get(s) {
                        m.push(*x);
                        r.push(tot - x);
                        t.push(*tot);
                    }
                }
                (m, r, t)
            };
            let n = mine.len();
            let facility = if n == 0 || max == 0.0 { 0.0 } else { mean(&mine) / max };
            let mark_variance = covariance(&mine, &mine);
            let other_mark_variance = covariance(&rest, &rest);
            let cov = covariance(&mine, &rest);
            let covariance_max = covariance(&sorted(&mine), &sorted(&rest));
            let discrimination_index = match (cov, mark_variance, other_mark_variance) {
                (Some(c), Some(v), Some(o)) if v * o > 0.0 => Some(100.0 * c / (v * o).sqrt()),
                _ => None,
            };
            let discriminative_efficiency = match (cov, covariance_max) {
                (Some(c), Some(m)) if m != 0.0 => Some(100.0 * c / m),
                _ => None,
            };
            SlotFigures {
                attempts: n,
                facility,
                sd: mark_variance.filter(|_| max > 0.0).map(|v| v.sqrt() / max),
                intended_weight: if sum_of_max == 0.0 { 0.0 } else { 100.0 * max / sum_of_max },
                effective_weight: None,
                covariance: cov,
                mark_variance,
                other_mark_variance,
                discrimination_index,
                covariance_max,
                discriminative_efficiency,
                covariance_with_total: covariance(&mine, &total),
            }
        })
        .collect();
    // Effective weight: each slot's share of the total's spread; a slot that moves against the
    // total has none (Moodle leaves it blank).
    let spread: f64 = slots.iter().filter_map(|s| s.covariance_with_total).filter(|c| *c >= 0.0).map(f64::sqrt).sum();
    if spread > 0.0 {
        for s in &mut slots {
            s.effective_weight = s.covariance_with_total.filter(|c| *c >= 0.0).map(|c| 100.0 * c.sqrt() / spread);
        }
    }
    let sum_of_mark_variance: f64 = slots.iter().filter_map(|s| s.mark_variance).sum();
    (test_figures(&totals, max_marks.len(), sum_of_mark_variance), slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<Vec<String>> {
        let path = format!("{}/../shared/testdata/moodle-stats/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    }

    /// Equal to 6 significant digits.
    fn close(what: &str, got: f64, want: f64) {
        let scale = want.abs().max(1e-12);
        assert!(((got - want) / scale).abs() < 5e-6, "{what}: got {got}, Moodle has {want}");
    }

    fn moodle_marks() -> Vec<Vec<Option<f64>>> {
        fixture("results00.csv")
            .iter()
            .map(|r| {
                let row: Vec<Option<f64>> = r[1..8].iter().map(|c| Some(c.parse().unwrap())).collect();
                // The fixture's own total agrees with its marks (the check that we read it right).
                let total: f64 = r[8].parse().unwrap();
                assert!((row.iter().flatten().sum::<f64>() - total).abs() < 1e-4, "attempt {}", r[0]);
                row
            })
            .collect()
    }

    #[test]
    fn every_column_of_moodles_fixture() {
        let marks = moodle_marks();
        assert_eq!(marks.len(), 25);
        let (test, slots) = compute(&[1.0; 7], &marks);
        assert_eq!(test.attempts, 25);
        let want = fixture("qstats00.csv");
        assert_eq!(want.len(), 7);
        for (s, row) in want.iter().enumerate() {
            let v: Vec<f64> = row.iter().map(|c| c.parse().unwrap()).collect();
            let got = &slots[s];
            let slot = v[0];
            close(&format!("slot {slot} facility"), got.facility, v[1]);
            close(&format!("slot {slot} sd"), got.sd.unwrap(), v[2]);
            close(&format!("slot {slot} effective weight"), got.effective_weight.unwrap(), v[3]);
            close(&format!("slot {slot} covariance"), got.covariance.unwrap(), v[4]);
            close(&format!("slot {slot} mark variance"), got.mark_variance.unwrap(), v[5]);
            close(&format!("slot {slot} other mark variance"), got.other_mark_variance.unwrap(), v[6]);
            close(&format!("slot {slot} discrimination index"), got.discrimination_index.unwrap(), v[7]);
            close(&format!("slot {slot} covariance max"), got.covariance_max.unwrap(), v[8]);
            close(&format!("slot {slot} discriminative efficiency"), got.discriminative_efficiency.unwrap(), v[9]);
            close(&format!("slot {slot} intended weight"), got.intended_weight, 100.0 / 7.0);
        }
    }

    /// The test figures of the same 25 attempts, worked by hand from the totals (the textbook
    /// k-statistics, computed separately from this code).
    #[test]
    fn test_figures_of_the_fixture() {
        let (t, slots) = compute(&[1.0; 7], &moodle_marks());
        close("mean", t.mean, 4.617333332);
        close("median", t.median, 4.5);
        close("sd", t.sd.unwrap(), HAND_SD);
        close("skewness", t.skewness.unwrap(), HAND_SKEW);
        close("kurtosis", t.kurtosis.unwrap(), HAND_KURT);
        let sum_var: f64 = slots.iter().map(|s| s.mark_variance.unwrap()).sum();
        let cic = 100.0 * 7.0 / 6.0 * (1.0 - sum_var / HAND_SD.powi(2));
        close("cic", t.cic.unwrap(), cic);
        assert!(cic < 0.0, "this fixture's items pull against each other: alpha is negative");
        close("error ratio", t.error_ratio.unwrap(), 100.0 * (1.0 - cic / 100.0).sqrt());
        close("standard error", t.standard_error.unwrap(), t.error_ratio.unwrap() * HAND_SD / 100.0);
    }

    // By hand: k2, k3, k4 from the 25 totals, and again as the adjusted Fisher-Pearson G1 and G2
    // (the two forms agree to 12 digits).
    const HAND_SD: f64 = 0.811726555429;
    const HAND_SKEW: f64 = -0.0925025020136;
    const HAND_KURT: f64 = -0.707396855703;

    #[test]
    fn small_samples_leave_what_cannot_be_computed_blank() {
        let (t, s) = compute(&[1.0, 2.0], &[vec![Some(1.0), Some(2.0)]]);
        assert_eq!((t.attempts, t.mean, t.median), (1, 3.0, 3.0));
        assert_eq!((t.sd, t.skewness, t.cic), (None, None, None));
        assert_eq!(s[1].facility, 1.0);
        assert_eq!(s[1].discrimination_index, None);
        let (t, _) = compute(&[1.0], &[vec![Some(1.0)], vec![Some(0.0)], vec![Some(1.0)]]);
        assert!(t.skewness.is_some() && t.kurtosis.is_none() && t.cic.is_none(), "{t:?}");
        // Everyone alike: no spread, so no shape and no alpha rather than a division by zero.
        let (t, s) = compute(&[1.0, 1.0], &vec![vec![Some(1.0), Some(0.0)]; 5]);
        assert_eq!((t.sd, t.skewness, t.cic), (Some(0.0), None, None));
        assert_eq!(s[0].discrimination_index, None);
        assert!(s[0].flags().facility_out_of_range && s[1].flags().facility_out_of_range);
    }
}
