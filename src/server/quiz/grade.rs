//! Automatic grading: a pure function from a question's key and a trainee's answer to the fraction
//! of its points earned, always within 0..=1. Essays return `None`: a trainer grades them.

use unicode_normalization::UnicodeNormalization;

use crate::model::quiz::{Answer, QuestionBody, Scoring};

/// The fraction of the question's points this answer earns, or `None` when a person must grade it.
pub fn grade(body: &QuestionBody, answer: Option<&Answer>) -> Option<f64> {
    match body {
        QuestionBody::Essay => return None,
        // Worth no points; 0 keeps the attempt's sums and the per-question statistics honest.
        QuestionBody::Description => return Some(0.0),
        _ => {}
    }
    let Some(answer) = answer else { return Some(0.0) };
    let fraction = match (body, answer) {
        (QuestionBody::Single { options }, Answer::Choices(picked)) => match picked.as_slice() {
            [i] => options.get(*i).map_or(0.0, |o| percent(o.weight)),
            _ => 0.0,
        },
        (QuestionBody::Multiple { options, scoring }, Answer::Choices(picked)) => {
            let mut picked: Vec<usize> = picked.iter().copied().filter(|i| *i < options.len()).collect();
            picked.sort_unstable();
            picked.dedup();
            match scoring {
                Scoring::AllOrNothing => {
                    let right: Vec<usize> = (0..options.len()).filter(|i| options[*i].weight > 0.0).collect();
                    if picked == right {
                        1.0
                    } else {
                        0.0
                    }
                }
                Scoring::Proportional => percent(picked.iter().map(|i| options[*i].weight).sum()),
            }
        }
        (QuestionBody::TrueFalse { answer: key, .. }, Answer::Bool(given)) => f64::from(u8::from(key == given)),
        (QuestionBody::FillBlank { answers }, Answer::Text(given)) => {
            let given = normalize(given);
            answers
                .iter()
                .filter(|a| wildcard_match(&normalize(&a.text), &given))
                .map(|a| percent(a.weight))
                .fold(0.0, f64::max)
        }
        (QuestionBody::Numeric { answers }, Answer::Text(given)) => match parse_number(given) {
            Some(x) => answers
                .iter()
                .filter(|a| (x - a.value).abs() <= a.tolerance.abs() + 1e-9 * a.value.abs().max(1.0))
                .map(|a| percent(a.weight))
                .fold(0.0, f64::max),
            None => 0.0,
        },
        (QuestionBody::Matching { pairs }, Answer::Matches(chosen)) => {
            let lefts: Vec<&crate::model::quiz::Pair> = pairs.iter().filter(|p| !p.left.is_empty()).collect();
            if lefts.is_empty() {
                return Some(0.0);
            }
            let right = lefts
                .iter()
                .enumerate()
                .filter(|(i, pair)| {
                    chosen.get(*i).copied().flatten().and_then(|r| pairs.get(r)).is_some_and(|p| p.right == pair.right)
                })
                .count();
            right as f64 / lefts.len() as f64
        }
        (QuestionBody::Ordering { items }, Answer::Order(order)) => {
            let mut seen = order.clone();
            seen.sort_unstable();
            if items.is_empty() || seen != (0..items.len()).collect::<Vec<_>>() {
                0.0
            } else {
                order.iter().enumerate().filter(|(i, item)| i == *item).count() as f64 / items.len() as f64
            }
        }
        _ => 0.0,
    };
    Some(fraction.clamp(0.0, 1.0))
}

fn percent(p: f64) -> f64 {
    (p / 100.0).clamp(0.0, 1.0)
}

/// Full-width and half-width forms become the same (NFKC), case and surrounding or repeated
/// spaces are ignored: "  ＡＢＣ　１２３ " matches "abc 123".
pub fn normalize(s: &str) -> String {
    let folded: String = s.nfkc().collect::<String>().to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `*` in an accepted answer stands for any run of characters (GIFT's wildcard).
fn wildcard_match(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == text;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// A number as people type it: full-width digits, a decimal comma, surrounding spaces.
pub fn parse_number(s: &str) -> Option<f64> {
    let n = normalize(s).replace(',', ".");
    n.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::quiz::{Accepted, Choice, NumericAnswer, Pair};
    use proptest::prelude::*;

    fn choices(weights: &[f64]) -> Vec<Choice> {
        weights.iter().map(|w| Choice { text: format!("o{w}"), weight: *w, feedback: String::new() }).collect()
    }

    #[test]
    fn choice_questions() {
        let single = QuestionBody::Single { options: choices(&[0.0, 100.0, 0.0]) };
        assert_eq!(grade(&single, Some(&Answer::Choices(vec![1]))), Some(1.0));
        assert_eq!(grade(&single, Some(&Answer::Choices(vec![0]))), Some(0.0));
        assert_eq!(grade(&single, Some(&Answer::Choices(vec![0, 1]))), Some(0.0), "two picks on a single choice");
        assert_eq!(grade(&single, None), Some(0.0));

        let options = choices(&[50.0, -100.0, 50.0, -100.0]);
        let strict = QuestionBody::Multiple { options: options.clone(), scoring: Scoring::AllOrNothing };
        let partial = QuestionBody::Multiple { options, scoring: Scoring::Proportional };
        assert_eq!(grade(&strict, Some(&Answer::Choices(vec![2, 0]))), Some(1.0));
        assert_eq!(grade(&strict, Some(&Answer::Choices(vec![0]))), Some(0.0));
        assert_eq!(grade(&partial, Some(&Answer::Choices(vec![0]))), Some(0.5));
        assert_eq!(grade(&partial, Some(&Answer::Choices(vec![0, 0, 0]))), Some(0.5), "repeats count once");
        assert_eq!(grade(&partial, Some(&Answer::Choices(vec![0, 2, 1]))), Some(0.0), "a wrong pick costs");
        assert_eq!(grade(&partial, Some(&Answer::Choices(vec![0, 1, 2, 3]))), Some(0.0), "picking all is no trick");
        assert_eq!(grade(&partial, Some(&Answer::Choices(vec![99]))), Some(0.0));
    }

    #[test]
    fn fill_in_normalizes_case_space_and_width() {
        let q = QuestionBody::FillBlank {
            answers: vec![
                Accepted { text: "48 小时".into(), weight: 100.0, feedback: String::new() },
                Accepted { text: "two days".into(), weight: 50.0, feedback: String::new() },
            ],
        };
        for given in ["48 小时", "  ４８　小时 ", "48  小时"] {
            assert_eq!(grade(&q, Some(&Answer::Text(given.into()))), Some(1.0), "{given:?}");
        }
        assert_eq!(grade(&q, Some(&Answer::Text("TWO   Days".into()))), Some(0.5));
        assert_eq!(grade(&q, Some(&Answer::Text("48小时".into()))), Some(0.0), "inner spaces are not removed");
        let wild = QuestionBody::FillBlank {
            answers: vec![Accepted { text: "re*fund".into(), weight: 100.0, feedback: String::new() }],
        };
        assert_eq!(grade(&wild, Some(&Answer::Text("Re-Fund".into()))), Some(1.0));
        assert_eq!(grade(&wild, Some(&Answer::Text("refun".into()))), Some(0.0));
    }

    #[test]
    fn numeric_with_tolerance() {
        let q = QuestionBody::Numeric {
            answers: vec![
                NumericAnswer { value: 3.0, tolerance: 2.0, weight: 100.0, feedback: String::new() },
                NumericAnswer { value: 10.0, tolerance: 0.0, weight: 50.0, feedback: String::new() },
            ],
        };
        for (given, want) in
            [("1", 1.0), ("5", 1.0), ("5.0001", 0.0), ("３", 1.0), ("4,5", 1.0), ("10", 0.5), ("x", 0.0)]
        {
            assert_eq!(grade(&q, Some(&Answer::Text(given.into()))), Some(want), "{given}");
        }
    }

    #[test]
    fn matching_and_ordering_give_partial_credit() {
        let pairs = vec![
            Pair { left: "7 days".into(), right: "return".into() },
            Pair { left: "15 days".into(), right: "exchange".into() },
            Pair { left: String::new(), right: "refund twice".into() },
        ];
        let q = QuestionBody::Matching { pairs };
        assert_eq!(grade(&q, Some(&Answer::Matches(vec![Some(0), Some(1)]))), Some(1.0));
        assert_eq!(grade(&q, Some(&Answer::Matches(vec![Some(0), Some(2)]))), Some(0.5));
        assert_eq!(grade(&q, Some(&Answer::Matches(vec![None, None]))), Some(0.0));
        let o = QuestionBody::Ordering { items: vec!["a".into(), "b".into(), "c".into(), "d".into()] };
        assert_eq!(grade(&o, Some(&Answer::Order(vec![0, 1, 2, 3]))), Some(1.0));
        assert_eq!(grade(&o, Some(&Answer::Order(vec![0, 1, 3, 2]))), Some(0.5));
        assert_eq!(grade(&o, Some(&Answer::Order(vec![0, 0, 0, 0]))), Some(0.0), "not a permutation");
    }

    #[test]
    fn essays_wait_for_a_person_and_mismatched_answers_earn_nothing() {
        assert_eq!(grade(&QuestionBody::Essay, Some(&Answer::Text("...".into()))), None);
        let tf =
            QuestionBody::TrueFalse { answer: false, feedback_wrong: String::new(), feedback_right: String::new() };
        assert_eq!(grade(&tf, Some(&Answer::Bool(false))), Some(1.0));
        assert_eq!(grade(&tf, Some(&Answer::Text("false".into()))), Some(0.0));
    }

    fn any_body() -> impl Strategy<Value = QuestionBody> {
        let percents = prop::collection::vec((-100i32..=100).prop_map(f64::from), 1..7);
        prop_oneof![
            percents.clone().prop_map(|p| QuestionBody::Single { options: choices(&p) }),
            (percents, any::<bool>()).prop_map(|(p, strict)| QuestionBody::Multiple {
                options: choices(&p),
                scoring: if strict { Scoring::AllOrNothing } else { Scoring::Proportional },
            }),
        ]
    }

    proptest! {
        #[test]
        fn score_is_always_within_bounds_and_deterministic(
            body in any_body(),
            picks in prop::collection::vec(0usize..8, 0..8),
        ) {
            let answer = Answer::Choices(picks);
            let f = grade(&body, Some(&answer)).unwrap();
            prop_assert!((0.0..=1.0).contains(&f));
            prop_assert_eq!(grade(&body, Some(&answer)), Some(f));
        }

        #[test]
        fn score_does_not_depend_on_option_order(
            body in any_body(),
            picks in prop::collection::vec(0usize..6, 0..6),
            seed in any::<u64>(),
        ) {
            let options = match &body {
                QuestionBody::Single { options } | QuestionBody::Multiple { options, .. } => options.clone(),
                _ => unreachable!(),
            };
            // A permutation of the options, and the same picks expressed in it.
            let mut order: Vec<usize> = (0..options.len()).collect();
            let mut s = seed;
            for i in (1..order.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (s >> 33) as usize % (i + 1));
            }
            let shuffled: Vec<Choice> = order.iter().map(|i| options[*i].clone()).collect();
            let moved: Vec<usize> = picks.iter().filter_map(|p| order.iter().position(|o| o == p)).collect();
            let kept: Vec<usize> = picks.iter().copied().filter(|p| *p < options.len()).collect();
            let permuted = match &body {
                QuestionBody::Single { .. } => QuestionBody::Single { options: shuffled },
                QuestionBody::Multiple { scoring, .. } => QuestionBody::Multiple { options: shuffled, scoring: *scoring },
                _ => unreachable!(),
            };
            let a = grade(&body, Some(&Answer::Choices(kept))).unwrap();
            let b = grade(&permuted, Some(&Answer::Choices(moved))).unwrap();
            prop_assert!((a - b).abs() < 1e-12, "{} vs {}", a, b);
        }
    }
}
