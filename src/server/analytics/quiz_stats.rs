//! A quiz's statistics as Moodle's report gives them, read from its graded attempts, and the
//! grades sheet (every counted attempt's mark per slot).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Zone};
use crate::model::analytics::{
    OptionPicks, Picked, QuizStatistics, SlotSummary, SlotWarnings, StatsAttempts, TestSummary,
};
use crate::model::quiz::{Answer, QuestionBody};
use crate::model::Names;
use crate::server::db::Db;
use crate::server::quiz::parse_body;
use crate::server::spreadsheet::Table;

use super::test_stats;

/// A counted attempt and its marks per slot.
struct Counted {
    attempt_id: i64,
    user_id: i64,
    attempt_no: i64,
    submitted_at: Option<i64>,
    percent: f64,
}

struct ItemRow {
    attempt_id: i64,
    slot_no: i64,
    points: i64,
    mark: Option<f64>,
    version_id: i64,
    answer: Option<String>,
}

struct Loaded {
    title: Names,
    graded: u32,
    counted: Vec<Counted>,
    items: Vec<ItemRow>,
}

async fn load(db: &Db, quiz_id: i64, which: StatsAttempts) -> AppResult<Loaded> {
    let title = sqlx::query!("select title, title_en from quizzes where id = $1", quiz_id)
        .fetch_optional(&db.read)
        .await?
        .map(|r| Names::new(r.title, r.title_en))
        .ok_or(AppError::NotFound)?;
    let rows = sqlx::query!(
        r#"select id as "id!", user_id, attempt_no, submitted_at, percent as "percent!: f64",
                  row_number() over (partition by user_id order by attempt_no) as "first!: i64",
                  row_number() over (partition by user_id order by attempt_no desc) as "last!: i64",
                  row_number() over (partition by user_id order by percent desc, attempt_no) as "best!: i64"
           from attempts where quiz_id = $1 and status = 'graded' order by id"#,
        quiz_id
    )
    .fetch_all(&db.read)
    .await?;
    let graded = rows.len() as u32;
    let counted: Vec<Counted> = rows
        .into_iter()
        .filter(|r| match which {
            StatsAttempts::First => r.first == 1,
            StatsAttempts::Last => r.last == 1,
            StatsAttempts::Best => r.best == 1,
            StatsAttempts::All => true,
        })
        .map(|r| Counted {
            attempt_id: r.id,
            user_id: r.user_id,
            attempt_no: r.attempt_no,
            submitted_at: r.submitted_at,
            percent: r.percent,
        })
        .collect();
    let items = sqlx::query!(
        r#"select i.attempt_id, i.slot_no as "slot_no!: i64", i.points, i.fraction, i.question_version_id, i.answer
           from attempt_items i join attempts a on a.id = i.attempt_id
           where a.quiz_id = $1 and a.status = 'graded' and i.slot_no is not null and i.points > 0"#,
        quiz_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| ItemRow {
        attempt_id: r.attempt_id,
        slot_no: r.slot_no,
        points: r.points,
        mark: r.fraction.map(|f| f * r.points as f64),
        version_id: r.question_version_id,
        answer: r.answer,
    })
    .collect();
    Ok(Loaded { title, graded, counted, items })
}

/// A question as the table names it: its title, or the start of its stem.
fn label(title: &str, stem: &str) -> String {
    let text = if title.trim().is_empty() { stem.lines().find(|l| !l.trim().is_empty()).unwrap_or("") } else { title };
    let text = text.trim();
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// Moodle's random guess score: the mark expected from picking at random, where it means something.
fn random_guess(body: &QuestionBody) -> Option<f64> {
    match body {
        QuestionBody::Single { options } if !options.is_empty() => {
            Some(options.iter().map(|o| (o.weight / 100.0).clamp(0.0, 1.0)).sum::<f64>() / options.len() as f64)
        }
        QuestionBody::TrueFalse { .. } => Some(0.5),
        QuestionBody::FillBlank { .. } | QuestionBody::Numeric { .. } => Some(0.0),
        _ => None,
    }
}

struct Version {
    question_id: i64,
    label: String,
    body: QuestionBody,
}

async fn versions(db: &Db, ids: &BTreeSet<i64>) -> AppResult<HashMap<i64, Version>> {
    let ids = serde_json::to_string(ids).map_err(crate::error::internal)?;
    let mut out = HashMap::new();
    for r in sqlx::query!(
        r#"select id as "id!", question_id, title, stem, body from question_versions
           where id in (select value from json_each($1))"#,
        ids
    )
    .fetch_all(&db.read)
    .await?
    {
        let v = Version { question_id: r.question_id, label: label(&r.title, &r.stem), body: parse_body(&r.body)? };
        out.insert(r.id, v);
    }
    Ok(out)
}

/// Picks per option of each choice question a slot showed, with "no answer".
fn option_picks(items: &[&ItemRow], versions: &HashMap<i64, Version>, several: bool) -> Vec<OptionPicks> {
    let mut by_question: BTreeMap<i64, (i64, Vec<&ItemRow>)> = BTreeMap::new();
    for i in items {
        let Some(v) = versions.get(&i.version_id) else { continue };
        let e = by_question.entry(v.question_id).or_insert((i.version_id, Vec::new()));
        // The newest version's texts name the options (authored indices are kept across versions).
        e.0 = e.0.max(i.version_id);
        e.1.push(i);
    }
    let mut out = Vec::new();
    for (_, (version_id, shown)) in by_question {
        let v = &versions[&version_id];
        let question = if several { v.label.clone() } else { String::new() };
        let n = shown.len() as f64;
        let answers: Vec<Option<Answer>> =
            shown.iter().map(|i| i.answer.as_deref().and_then(|a| serde_json::from_str(a).ok())).collect();
        let mut options: Vec<(Picked, bool, u32)> = match &v.body {
            QuestionBody::Single { options } | QuestionBody::Multiple { options, .. } => {
                options.iter().map(|o| (Picked::Text(o.text.clone()), o.weight > 0.0, 0)).collect()
            }
            QuestionBody::TrueFalse { answer, .. } => vec![(Picked::True, *answer, 0), (Picked::False, !*answer, 0)],
            _ => continue,
        };
        let mut none = 0u32;
        for a in &answers {
            match a {
                Some(Answer::Choices(picked)) if !picked.is_empty() => {
                    for p in picked {
                        if let Some(o) = options.get_mut(*p) {
                            o.2 += 1;
                        }
                    }
                }
                Some(Answer::Bool(b)) => options[if *b { 0 } else { 1 }].2 += 1,
                _ => none += 1,
            }
        }
        options.push((Picked::NoAnswer, false, none));
        out.extend(options.into_iter().map(|(option, correct, picks)| OptionPicks {
            question: question.clone(),
            option,
            correct,
            picks,
            share: if n > 0.0 { 100.0 * picks as f64 / n } else { 0.0 },
        }));
    }
    out
}

/// Moodle's quiz statistics for the attempts `which` counts.
#[tracing::instrument(skip_all, fields(quiz_id))]
pub async fn statistics(db: &Db, quiz_id: i64, which: StatsAttempts) -> AppResult<QuizStatistics> {
    let l = load(db, quiz_id, which).await?;
    let row_of: HashMap<i64, usize> = l.counted.iter().enumerate().map(|(i, c)| (c.attempt_id, i)).collect();
    let counted_items: Vec<&ItemRow> = l.items.iter().filter(|i| row_of.contains_key(&i.attempt_id)).collect();
    let slot_nos: Vec<i64> = counted_items.iter().map(|i| i.slot_no).collect::<BTreeSet<_>>().into_iter().collect();
    let column: HashMap<i64, usize> = slot_nos.iter().enumerate().map(|(c, s)| (*s, c)).collect();
    let mut max_marks = vec![0.0f64; slot_nos.len()];
    let mut marks = vec![vec![None; slot_nos.len()]; l.counted.len()];
    for i in &counted_items {
        let c = column[&i.slot_no];
        max_marks[c] = max_marks[c].max(i.points as f64);
        marks[row_of[&i.attempt_id]][c] = Some(i.mark.unwrap_or(0.0));
    }
    let (test, figures) = test_stats::compute(&max_marks, &marks);
    let versions = versions(db, &counted_items.iter().map(|i| i.version_id).collect()).await?;
    let sum_of_max: f64 = max_marks.iter().sum();
    let pct = |x: f64| if sum_of_max > 0.0 { 100.0 * x / sum_of_max } else { 0.0 };
    let slots = slot_nos
        .iter()
        .zip(figures)
        .enumerate()
        .map(|(c, (slot_no, f))| {
            let items: Vec<&ItemRow> = counted_items.iter().copied().filter(|i| i.slot_no == *slot_no).collect();
            let questions: BTreeSet<i64> =
                items.iter().filter_map(|i| versions.get(&i.version_id)).map(|v| v.question_id).collect();
            let newest = items.iter().map(|i| i.version_id).max().and_then(|v| versions.get(&v));
            let flags = f.flags();
            SlotSummary {
                slot: c as u32 + 1,
                kind: newest.map(|v| v.body.kind()),
                question: newest.map(|v| v.label.clone()).unwrap_or_default(),
                variants: questions.len() as u32,
                attempts: f.attempts as u32,
                facility: 100.0 * f.facility,
                sd: f.sd.map(|s| 100.0 * s),
                random_guess: if questions.len() == 1 {
                    newest.and_then(|v| random_guess(&v.body)).map(|g| 100.0 * g)
                } else {
                    None
                },
                intended_weight: f.intended_weight,
                effective_weight: f.effective_weight,
                discrimination: f.discrimination_index,
                efficiency: f.discriminative_efficiency,
                flags: SlotWarnings {
                    weak: flags.weak_efficiency,
                    negative: flags.negative_covariance,
                    facility: flags.facility_out_of_range,
                },
                options: option_picks(&items, &versions, questions.len() > 1),
            }
        })
        .collect();
    let people = l.counted.iter().map(|c| c.user_id).collect::<BTreeSet<_>>().len() as u32;
    let some = test.attempts > 0;
    Ok(QuizStatistics {
        quiz_id,
        title: l.title,
        which,
        graded: l.graded,
        people,
        test: TestSummary {
            attempts: test.attempts as u32,
            mean: some.then(|| pct(test.mean)),
            median: some.then(|| pct(test.median)),
            sd: test.sd.map(pct),
            skewness: test.skewness,
            kurtosis: test.kurtosis,
            cic: test.cic,
            error_ratio: test.error_ratio,
            standard_error: test.standard_error.map(pct),
        },
        slots,
    })
}

/// Every counted attempt with its mark per slot (Moodle's grades report), for CSV and XLSX.
pub async fn grades_sheet(db: &Db, quiz_id: i64, which: StatsAttempts, locale: Locale, zone: Zone) -> AppResult<Table> {
    let l = load(db, quiz_id, which).await?;
    let slot_nos: Vec<i64> = l.items.iter().map(|i| i.slot_no).collect::<BTreeSet<_>>().into_iter().collect();
    let mut by_attempt: HashMap<i64, HashMap<i64, &ItemRow>> = HashMap::new();
    for i in &l.items {
        by_attempt.entry(i.attempt_id).or_default().insert(i.slot_no, i);
    }
    let people: HashMap<i64, (String, String)> = sqlx::query!(
        r#"select distinct u.id as "id!", u.display_name, u.employee_no from users u
           join attempts a on a.user_id = u.id where a.quiz_id = $1 and a.status = 'graded'"#,
        quiz_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id, (r.display_name, r.employee_no)))
    .collect();
    let t = |k: &str| locale.t(k);
    let mut header = vec![
        t("field.display_name"),
        t("field.employee_no"),
        t("stats.attempt_no"),
        t("stats.submitted"),
        t("stats.percent"),
    ];
    header.extend(slot_nos.iter().enumerate().map(|(c, _)| format!("Q{}", c + 1)));
    let rows = l
        .counted
        .iter()
        .map(|c| {
            let (name, no) = people.get(&c.user_id).cloned().unwrap_or_default();
            let mut row = vec![
                name,
                no,
                c.attempt_no.to_string(),
                c.submitted_at.map(|s| locale.format_timestamp(zone, s)).unwrap_or_default(),
                format!("{:.2}", c.percent),
            ];
            let items = by_attempt.get(&c.attempt_id);
            row.extend(slot_nos.iter().map(|s| {
                items.and_then(|m| m.get(s)).and_then(|i| i.mark).map(|m| format!("{m:.2}")).unwrap_or_default()
            }));
            row
        })
        .collect();
    Ok(Table { sheet: t("stats.grades_sheet"), header, rows })
}
