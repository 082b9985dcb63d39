use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::quiz::{
    AttemptResult, AttemptView, BankDetail, BankSummary, GradingItem, QuizEditor, QuizForm, QuizIntro, QuizResults,
    QuizSummary,
};

#[cfg(feature = "ssr")]
use crate::{
    model::quiz::{QuizFields, QuizKind, ReviewPolicy},
    model::user::Role,
    server::{ctx::Ctx, quiz as svc},
};

#[cfg(feature = "ssr")]
const AUTHORS: &[Role] = &[Role::Trainer, Role::Admin];

#[cfg(feature = "ssr")]
use super::optional_number;

/// A `datetime-local` value, read on the caller's clock (their site's zone, named on the form).
#[cfg(feature = "ssr")]
fn optional_time(zone: crate::i18n::Zone, field: &str, value: &str) -> Result<Option<i64>, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let local = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .map_err(|_| AppError::validation(field, "error.date_time_invalid"))?;
    zone.moment(local).map(Some).ok_or_else(|| AppError::validation(field, "error.date_time_skipped"))
}

#[cfg(feature = "ssr")]
async fn bank_user(cx: &Ctx, bank_id: i64, what: &str) -> Result<(), AppError> {
    let me = cx.role(AUTHORS, what)?;
    svc::require_bank(&cx.state.db, me, bank_id).await
}

#[cfg(feature = "ssr")]
async fn quiz_author(cx: &Ctx, quiz_id: i64, what: &str) -> Result<(), AppError> {
    let me = cx.role(AUTHORS, what)?;
    svc::authoring::require_quiz_author(&cx.state.db, me, quiz_id).await?;
    Ok(())
}

#[server]
pub async fn list_banks() -> Result<Vec<BankSummary>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(AUTHORS, "list_banks")?;
        svc::list_banks(&cx.state.db, me).await
    })
    .await
}

#[server]
pub async fn create_bank(name: String, #[server(default)] course_id: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(AUTHORS, "create_bank")?;
        let course_id = optional_number("course_id", &course_id)?;
        let id = svc::create_bank(&cx.state.db, cx.actor(), me, course_id, &name).await?;
        leptos_axum::redirect(&format!("/trainer/banks/{id}"));
        Ok(())
    })
    .await
}

#[server]
pub async fn get_bank(id: i64) -> Result<BankDetail, AppError> {
    Ctx::serve(async |cx| {
        bank_user(cx, id, "get_bank").await?;
        svc::bank_detail(&cx.state.db, id).await
    })
    .await
}

#[server]
pub async fn import_gift(bank_id: i64, gift: String) -> Result<u32, AppError> {
    Ctx::serve(async |cx| {
        bank_user(cx, bank_id, "import_gift").await?;
        let n = svc::import_gift(&cx.state.db, cx.actor(), bank_id, &gift).await?;
        // The count travels in the address so the page shows it with or without JavaScript.
        leptos_axum::redirect(&format!("/trainer/banks/{bank_id}?imported={n}"));
        Ok(n)
    })
    .await
}

#[server]
pub async fn save_question(
    bank_id: i64,
    #[server(default)] question_id: Option<i64>,
    gift: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        bank_user(cx, bank_id, "save_question").await?;
        svc::save_question(&cx.state.db, cx.actor(), bank_id, question_id, &gift).await.map(|_| ())
    })
    .await
}

#[server]
pub async fn archive_question(bank_id: i64, question_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        bank_user(cx, bank_id, "archive_question").await?;
        svc::archive_question(&cx.state.db, cx.actor(), bank_id, question_id).await
    })
    .await
}

#[server]
pub async fn regrade_question(bank_id: i64, question_id: i64) -> Result<u32, AppError> {
    Ctx::serve(async |cx| {
        bank_user(cx, bank_id, "regrade_question").await?;
        let in_bank = svc::question_in_bank(&cx.state.db, bank_id, question_id).await?;
        if !in_bank {
            return Err(AppError::NotFound);
        }
        svc::attempt::regrade_question(&cx.state.db, cx.actor(), question_id).await
    })
    .await
}

#[server]
pub async fn authored_quizzes() -> Result<Vec<QuizSummary>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(AUTHORS, "authored_quizzes")?;
        svc::authoring::list_for_author(&cx.state.db, me).await
    })
    .await
}

#[cfg(feature = "ssr")]
fn quiz_fields(zone: crate::i18n::Zone, form: QuizForm) -> Result<QuizFields, AppError> {
    let QuizForm {
        title_zh,
        title_en,
        kind,
        pass_percent,
        time_limit_minutes,
        opens_at,
        closes_at,
        attempts_allowed,
        cooloff_minutes,
        review_policy,
        shuffle_questions,
        shuffle_options,
        pre_test_id,
    } = form;
    Ok(QuizFields {
        title: crate::model::Names::new(title_zh, title_en),
        kind: QuizKind::parse(&kind).ok_or_else(|| AppError::validation("kind", "error.choice_unknown"))?,
        pass_percent: optional_number("pass_percent", &pass_percent)?.unwrap_or(80),
        time_limit_minutes: optional_number("time_limit_minutes", &time_limit_minutes)?,
        opens_at: optional_time(zone, "opens_at", &opens_at)?,
        closes_at: optional_time(zone, "closes_at", &closes_at)?,
        attempts_allowed: optional_number("attempts_allowed", &attempts_allowed)?,
        cooloff_minutes: optional_number("cooloff_minutes", &cooloff_minutes)?.unwrap_or(0),
        review_policy: ReviewPolicy::parse(&review_policy)
            .ok_or_else(|| AppError::validation("review_policy", "error.choice_unknown"))?,
        shuffle_questions: shuffle_questions.is_some(),
        shuffle_options: shuffle_options.is_some(),
        pre_test_id: optional_number("pre_test_id", &pre_test_id)?,
    })
}

#[server]
pub async fn create_quiz(course_id: i64, #[server(flatten)] form: QuizForm) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(AUTHORS, "create_quiz")?;
        let f = quiz_fields(cx.auth.zone, form)?;
        let id = svc::authoring::create(&cx.state.db, cx.actor(), me, course_id, &f).await?;
        leptos_axum::redirect(&format!("/trainer/quizzes/{id}"));
        Ok(())
    })
    .await
}

#[server]
pub async fn update_quiz(id: i64, #[server(flatten)] form: QuizForm) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        quiz_author(cx, id, "update_quiz").await?;
        let f = quiz_fields(cx.auth.zone, form)?;
        svc::authoring::update(&cx.state.db, id, &f).await
    })
    .await
}

#[server]
pub async fn get_quiz_editor(id: i64) -> Result<QuizEditor, AppError> {
    Ctx::serve(async |cx| {
        quiz_author(cx, id, "get_quiz_editor").await?;
        let me = cx.role(AUTHORS, "get_quiz_editor")?;
        svc::authoring::editor(&cx.state.db, me, id).await
    })
    .await
}

#[server]
pub async fn add_quiz_question(quiz_id: i64, question_id: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        quiz_author(cx, quiz_id, "add_quiz_question").await?;
        let q = optional_number("question_id", &question_id)
            .and_then(|q| q.ok_or_else(|| AppError::validation("question_id", "error.choice_unknown")))?;
        svc::authoring::add_question(&cx.state.db, quiz_id, q).await
    })
    .await
}

#[server]
pub async fn add_quiz_draw(
    quiz_id: i64,
    bank_id: i64,
    #[server(default)] category: String,
    #[server(default)] tag: String,
    draw_count: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        quiz_author(cx, quiz_id, "add_quiz_draw").await?;
        let n = optional_number("draw_count", &draw_count)?.unwrap_or(1);
        svc::authoring::add_draw(&cx.state.db, quiz_id, bank_id, &category, &tag, n).await
    })
    .await
}

#[server]
pub async fn remove_quiz_slot(quiz_id: i64, slot_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        quiz_author(cx, quiz_id, "remove_quiz_slot").await?;
        svc::authoring::remove_slot(&cx.state.db, quiz_id, slot_id).await
    })
    .await
}

#[server]
pub async fn publish_quiz(id: i64, published: bool) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        quiz_author(cx, id, "publish_quiz").await?;
        svc::authoring::set_published(&cx.state.db, cx.actor(), id, published).await
    })
    .await
}

/// The lesson to re-read after a failed attempt before a retake (`lesson_id` empty: none).
#[server]
pub async fn set_quiz_remediation(id: i64, #[server(default)] lesson_id: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        quiz_author(cx, id, "set_quiz_remediation").await?;
        let lesson = optional_number("lesson_id", &lesson_id)?;
        svc::authoring::set_remediation(&cx.state.db, cx.actor(), id, lesson).await
    })
    .await
}

#[server]
pub async fn get_quiz_results(
    id: i64,
    #[server(default)] page: u32,
) -> Result<(QuizResults, Option<crate::model::analytics::GainReport>), AppError> {
    Ctx::serve(async |cx| {
        quiz_author(cx, id, "get_quiz_results").await?;
        let results = svc::authoring::results(&cx.state.db, id, page).await?;
        let gains = crate::server::analytics::gain::gain_report(&cx.state.db, id, None).await?;
        Ok((results, gains))
    })
    .await
}

#[server]
pub async fn grading_queue() -> Result<Vec<GradingItem>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(AUTHORS, "grading_queue")?;
        svc::attempt::grading_queue(&cx.state.db, me).await
    })
    .await
}

#[server]
pub async fn grade_essay(
    attempt_id: i64,
    position: i64,
    awarded: String,
    #[server(default)] comment: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(AUTHORS, "grade_essay")?;
        let course = svc::attempt::attempt_course(&cx.state.db, attempt_id).await?;
        crate::server::course::require_author(&cx.state.db, me, course).await?;
        let awarded: f64 = awarded
            .trim()
            .replace(',', ".")
            .parse()
            .map_err(|_| AppError::validation("awarded", "error.number_invalid"))?;
        svc::attempt::grade_item(&cx.state.db, cx.actor(), me, attempt_id, position, awarded, &comment).await
    })
    .await
}

// ---- trainees ----

#[server]
pub async fn get_quiz_intro(id: i64) -> Result<QuizIntro, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_quiz_intro")?;
        svc::attempt::intro(&cx.state.db, me, id).await
    })
    .await
}

#[server]
pub async fn start_attempt(quiz_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("start_attempt")?;
        let id = svc::attempt::start(&cx.state.db, cx.actor(), me, quiz_id).await?;
        leptos_axum::redirect(&format!("/attempt/{id}"));
        Ok(())
    })
    .await
}

/// The attempt page's questions, or `None` once the attempt is closed (the page then shows the result).
#[server]
pub async fn get_attempt(id: i64, page: usize) -> Result<Option<AttemptView>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_attempt")?;
        svc::attempt::view(&cx.state.db, me, id, page).await
    })
    .await
}

/// Saves a page of answers, then goes where the button said: `stay` (autosave, answers the new
/// sequence number), `prev`, `next`, `page-N` or `submit`.
#[server]
pub async fn save_attempt(
    attempt_id: i64,
    seq: i64,
    page: usize,
    go: String,
    #[server(default)] answers: BTreeMap<String, String>,
) -> Result<i64, AppError> {
    use svc::attempt::Saved;
    Ctx::serve(async |cx| {
        let me = cx.user("save_attempt")?;
        if go == "submit" {
            svc::attempt::save_and_submit(&cx.state.db, cx.actor(), me, attempt_id, seq, page, &answers).await?;
            leptos_axum::redirect(&format!("/attempt/{attempt_id}/result"));
            return Ok(seq);
        }
        let saved = match svc::attempt::save(&cx.state.db, me, attempt_id, seq, page, &answers).await {
            // After the deadline the attempt is closed: a page post shows the result instead.
            Err(AppError::Validation { key, .. })
                if go != "stay" && (key == "error.attempt_deadline" || key == "error.attempt_closed") =>
            {
                leptos_axum::redirect(&format!("/attempt/{attempt_id}/result"));
                return Ok(seq);
            }
            other => other?,
        };
        match (saved, go.as_str()) {
            (Saved::Stale(_), "stay") => return Err(AppError::Conflict { field: "seq".into() }),
            // A page posted from an older tab: show the current answers and say why nothing changed.
            (Saved::Stale(_), _) => {
                leptos_axum::redirect(&format!("/attempt/{attempt_id}?page={page}&problem=stale"));
                return Ok(seq);
            }
            (Saved::Stored(_), "stay") => {}
            (Saved::Stored(_), "prev") => {
                leptos_axum::redirect(&format!("/attempt/{attempt_id}?page={}", page.saturating_sub(1)))
            }
            (Saved::Stored(_), "next") => leptos_axum::redirect(&format!("/attempt/{attempt_id}?page={}", page + 1)),
            (Saved::Stored(_), other) => {
                let target: usize = other.strip_prefix("page-").and_then(|p| p.parse().ok()).unwrap_or(page);
                leptos_axum::redirect(&format!("/attempt/{attempt_id}?page={target}"));
            }
        }
        Ok(seq)
    })
    .await
}

#[server]
pub async fn get_attempt_result(id: i64) -> Result<AttemptResult, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_attempt_result")?;
        svc::attempt::result(&cx.state.db, me, id).await
    })
    .await
}

#[server]
pub async fn my_quizzes() -> Result<Vec<crate::model::quiz::MyQuiz>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("my_quizzes")?;
        svc::attempt::my_quizzes(&cx.state.db, me).await
    })
    .await
}
