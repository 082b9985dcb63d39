//! After an attempt: what the trainee may see, as the quiz's review policy allows.

use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::model::quiz::{Answer, AttemptResult, AttemptStatus, ItemReview, QuestionBody, ReviewPolicy};
use crate::server::auth::guard::CurrentUser;
use crate::server::db::Db;
use crate::server::now;

use super::answer::{option_texts, stem_html};
use super::{items, own_attempt, quiz_row};

/// The trainee's answer in words; true/false in the reader's language (a tick read as "right").
fn describe_answer(body: &QuestionBody, answer: Option<&Answer>, locale: Locale) -> String {
    let Some(answer) = answer else { return String::new() };
    let (options, rights) = option_texts(body);
    match answer {
        Answer::Choices(c) => c.iter().filter_map(|i| options.get(*i).cloned()).collect::<Vec<_>>().join("; "),
        Answer::Bool(b) => locale.t(if *b { "quiz.true" } else { "quiz.false" }),
        Answer::Text(t) => t.clone(),
        Answer::Matches(m) => options
            .iter()
            .zip(m)
            .map(|(l, r)| format!("{l} → {}", r.and_then(|r| rights.get(r).cloned()).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("; "),
        Answer::Order(o) => o.iter().filter_map(|i| options.get(*i).cloned()).collect::<Vec<_>>().join(" → "),
    }
}

fn describe_key(body: &QuestionBody, locale: Locale) -> String {
    match body {
        QuestionBody::Single { options } | QuestionBody::Multiple { options, .. } => {
            options.iter().filter(|o| o.weight > 0.0).map(|o| o.text.clone()).collect::<Vec<_>>().join("; ")
        }
        QuestionBody::TrueFalse { answer, .. } => locale.t(if *answer { "quiz.true" } else { "quiz.false" }),
        QuestionBody::FillBlank { answers } => {
            answers.iter().filter(|a| a.weight == 100.0).map(|a| a.text.clone()).collect::<Vec<_>>().join(" / ")
        }
        QuestionBody::Numeric { answers } => answers
            .iter()
            .filter(|a| a.weight == 100.0)
            .map(|a| if a.tolerance > 0.0 { format!("{} ± {}", a.value, a.tolerance) } else { a.value.to_string() })
            .collect::<Vec<_>>()
            .join(" / "),
        QuestionBody::Matching { pairs } => pairs
            .iter()
            .filter(|p| !p.left.is_empty())
            .map(|p| format!("{} → {}", p.left, p.right))
            .collect::<Vec<_>>()
            .join("; "),
        QuestionBody::Ordering { items } => items.join(" → "),
        QuestionBody::Essay | QuestionBody::Description => String::new(),
    }
}

/// What the trainee may see after submitting, as the quiz's review policy allows.
#[tracing::instrument(skip_all, fields(caller = user.id, attempt_id))]
pub async fn result(db: &Db, user: &CurrentUser, attempt_id: i64) -> AppResult<AttemptResult> {
    let mut conn = db.read.acquire().await?;
    let a = own_attempt(&mut conn, user, attempt_id).await?;
    if a.status == AttemptStatus::InProgress {
        return Err(AppError::validation("attempt", "error.attempt_open"));
    }
    let quiz = quiz_row(&mut conn, a.quiz_id).await?;
    let at = now();
    let full = quiz.review_policy == ReviewPolicy::FullAfterClose && quiz.closes_at.is_some_and(|c| at >= c);
    let per_item = quiz.review_policy == ReviewPolicy::ScoreAndWrong || full;
    let all = items(&mut conn, attempt_id).await?;
    // While an essay waits for a trainer, the points so far are shown as provisional.
    let pending = all.iter().filter(|i| i.fraction.is_none() && i.body != QuestionBody::Description).count();
    let provisional = (a.score.is_none() && pending > 0)
        .then(|| all.iter().filter_map(|i| i.fraction.map(|f| f * i.points as f64)).sum::<f64>());
    let items = if per_item {
        all.iter()
            .filter(|i| i.body != QuestionBody::Description)
            .map(|i| ItemReview {
                position: i.position,
                stem_html: stem_html(&i.stem),
                your_answer: describe_answer(&i.body, i.answer.as_ref(), user.locale),
                correct: i.fraction.map(|f| f >= 1.0 - 1e-9),
                right_answer: full.then(|| describe_key(&i.body, user.locale)),
                feedback: (full && !i.feedback.is_empty()).then(|| i.feedback.clone()),
                comment: (!i.comment.is_empty()).then(|| i.comment.clone()),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(AttemptResult {
        id: a.id,
        quiz_id: a.quiz_id,
        quiz_title: quiz.title,
        status: a.status,
        closed_by_deadline: a.closed_by.as_deref() == Some("deadline"),
        score: a.score,
        max_score: a.max_score,
        score_percent: a.percent,
        passed: a.passed,
        pass_percent: quiz.pass_percent,
        provisional_score: provisional,
        pending_items: pending as u32,
        items,
    })
}
