//! A rubric score: weighted criteria, critical criteria that fail the whole role-play, a pass
//! threshold, and the rule that combines two raters.

use crate::model::roleplay::{Criterion, SecondRaterRule};
use crate::model::Names;

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Weighted score in percent, 0..=100.
    pub percent: f64,
    /// Names of critical criteria scored below their pass level.
    pub critical_failed: Vec<Names>,
    pub passed: bool,
    /// The level per criterion that decided it: the rater's, the mean of two, or the lower one's.
    pub levels: Vec<f64>,
}

/// One rater's levels (one per criterion, in rubric order) against the rubric and threshold.
/// Levels above a criterion's maximum count as the maximum.
pub fn score(rubric: &[Criterion], levels: &[f64], pass_percent: f64) -> Outcome {
    let total_weight: f64 = rubric.iter().map(|c| c.weight.max(0.0)).sum();
    let earned: f64 = rubric
        .iter()
        .zip(levels)
        .map(|(c, level)| {
            let max = f64::from(c.max_level()).max(1.0);
            c.weight.max(0.0) * (level.clamp(0.0, max) / max)
        })
        .sum();
    let percent = if total_weight > 0.0 { (earned / total_weight * 100.0).clamp(0.0, 100.0) } else { 0.0 };
    let critical_failed: Vec<Names> = rubric
        .iter()
        .zip(levels)
        .filter(|(c, level)| c.critical && **level < f64::from(c.pass_level))
        .map(|(c, _)| c.name.clone())
        .collect();
    // Missing levels count as 0, so an incomplete rating cannot pass a critical criterion.
    let missing_critical = rubric.iter().skip(levels.len()).any(|c| c.critical && c.pass_level > 0);
    let passed = critical_failed.is_empty() && !missing_critical && percent + 1e-9 >= pass_percent;
    Outcome { percent, critical_failed, passed, levels: levels.to_vec() }
}

/// The result of a performance scored by two raters.
pub fn combine(rubric: &[Criterion], a: &[f64], b: &[f64], rule: SecondRaterRule, pass_percent: f64) -> Outcome {
    match rule {
        SecondRaterRule::Average => {
            let mean: Vec<f64> = a.iter().zip(b).map(|(x, y)| (x + y) / 2.0).collect();
            score(rubric, &mean, pass_percent)
        }
        SecondRaterRule::Lower => {
            let (sa, sb) = (score(rubric, a, pass_percent), score(rubric, b, pass_percent));
            // The lower total decides; on a tie, the stricter (failing) one.
            if sa.percent < sb.percent || (sa.percent == sb.percent && !sa.passed) {
                sa
            } else {
                sb
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric() -> Vec<Criterion> {
        let levels = |n: usize| (0..n).map(|i| format!("level {i}")).collect::<Vec<_>>();
        vec![
            Criterion { name: "greeting".into(), weight: 1.0, levels: levels(5), critical: false, pass_level: 0 },
            Criterion { name: "empathy".into(), weight: 2.0, levels: levels(5), critical: false, pass_level: 0 },
            Criterion { name: "policy facts".into(), weight: 3.0, levels: levels(5), critical: true, pass_level: 3 },
            Criterion { name: "closing".into(), weight: 2.0, levels: levels(3), critical: false, pass_level: 0 },
        ]
    }

    #[test]
    fn weights_levels_and_threshold() {
        // (4/4·1 + 2/4·2 + 3/4·3 + 2/2·2) / 8 = (1 + 1 + 2.25 + 2) / 8 = 78.125%
        let o = score(&rubric(), &[4.0, 2.0, 3.0, 2.0], 75.0);
        assert!((o.percent - 78.125).abs() < 1e-9);
        assert!(o.passed);
        assert!(!score(&rubric(), &[4.0, 2.0, 3.0, 2.0], 80.0).passed, "below the threshold");
        assert_eq!(score(&rubric(), &[9.0, 9.0, 9.0, 9.0], 80.0).percent, 100.0, "levels are capped");
        assert_eq!(score(&rubric(), &[0.0, 0.0, 0.0, 0.0], 0.0).percent, 0.0);
    }

    #[test]
    fn a_failed_critical_criterion_fails_whatever_the_total() {
        // Everything perfect except policy facts at 2 (< pass level 3):
        // (1 + 2 + 3·2/4 + 2) / 8 = 6.5/8 = 81.25%, above the threshold, and still a fail.
        let o = score(&rubric(), &[4.0, 4.0, 2.0, 2.0], 60.0);
        assert!((o.percent - 81.25).abs() < 1e-9);
        assert_eq!(o.critical_failed, vec![Names::from("policy facts")]);
        assert!(!o.passed);
        assert!(!score(&rubric(), &[4.0, 4.0], 0.0).passed, "an unscored critical criterion does not pass");
    }

    #[test]
    fn second_rater_rules() {
        let a = [4.0, 4.0, 4.0, 2.0]; // 100%
        let b = [2.0, 2.0, 2.0, 1.0]; // 50%, critical failed (2 < 3)
        let avg = combine(&rubric(), &a, &b, SecondRaterRule::Average, 70.0);
        assert!((avg.percent - 75.0).abs() < 1e-9);
        assert!(avg.passed, "mean critical level 3 meets the pass level");
        let low = combine(&rubric(), &a, &b, SecondRaterRule::Lower, 70.0);
        assert!((low.percent - 50.0).abs() < 1e-9);
        assert!(!low.passed && low.critical_failed == vec![Names::from("policy facts")]);
        assert_eq!(combine(&rubric(), &b, &a, SecondRaterRule::Lower, 70.0), low, "order does not matter");
    }
}
