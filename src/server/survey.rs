//! Evaluation forms (versioned, bilingual) and reaction surveys: a course's survey is sent to
//! each trainee who completes it, a training plan's after each session a member attended; each
//! is answered once and shown in aggregate to the course's authors or the plan's editors.
//!
//! Anonymous means nobody, admins included, can tell who answered what: the response is stored
//! without the person, with the day instead of the moment, and the request keeps only "has
//! answered" (so reminders stop). Results, anonymous or not, appear from K responses.

use std::collections::BTreeMap;

use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::model::owners::Owned;
use crate::model::survey::{
    Answer, FormDetail, FormItem, FormItemInput, FormSummary, ItemKind, ItemResult, SurveyOf, SurveyResults,
    SurveySettings, SurveySummary, SurveyToAnswer, SurveyTodo,
};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::{self, Actor, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::db::{Conn, Db};
use crate::server::spreadsheet::Table;
use crate::server::{now, text};

const MAX_ITEMS: usize = 100;
const MAX_OPTIONS: usize = 20;
const MAX_ANSWER: usize = 5_000;
const DAY: i64 = 86_400;
/// A reminder goes out this long before the due date (or at once when less is left).
const REMIND_BEFORE: i64 = 2 * DAY;
/// The notices' kinds.
pub const NOTICE: &str = "survey";
pub const REMINDER: &str = "survey_reminder";

/// One option line: "中文 | English", or one text for both.
fn option(field: &str, line: &str) -> AppResult<Names> {
    let (zh, en) = match line.split_once('|') {
        Some((zh, en)) => (zh.trim(), en.trim()),
        None => (line.trim(), line.trim()),
    };
    text::authored(&Names::new(zh, en), field, text::NAME)
        .map_err(|_| AppError::validation(field, "error.survey_option_invalid"))
}

/// The editor's rows as items: blank rows skipped, everything else checked and named by row
/// (`items[3]`).
pub fn parse_items(rows: &[FormItemInput]) -> AppResult<Vec<FormItem>> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.text_zh.trim().is_empty() && row.text_en.trim().is_empty() {
            continue;
        }
        let field = format!("items[{i}]");
        let kind = ItemKind::parse(&row.kind).ok_or_else(|| AppError::validation(&field, "error.choice_unknown"))?;
        let item_text =
            Names::new(text::line(&field, &row.text_zh, text::LINE)?, text::line(&field, &row.text_en, text::LINE)?);
        let options = if kind.has_options() {
            text::text(&field, &row.options, text::TEXT)?
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| option(&field, l))
                .collect::<AppResult<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let (least, most) = match kind {
            ItemKind::Scale => (2, 11),
            _ if kind.has_options() => (2, MAX_OPTIONS),
            _ => (0, 0),
        };
        if options.len() < least || options.len() > most {
            let key = if kind == ItemKind::Scale { "error.survey_scale_points" } else { "error.survey_options" };
            return Err(AppError::validation(&field, key));
        }
        let required =
            kind != ItemKind::Section && row.required.as_deref().is_some_and(|r| !r.is_empty() && r != "false");
        out.push(FormItem { kind, text: item_text, options, required });
    }
    if !out.iter().any(|i| i.kind != ItemKind::Section) {
        return Err(AppError::validation("items", "error.survey_items_missing"));
    }
    if out.len() > MAX_ITEMS {
        return Err(AppError::validation("items", "error.survey_items_too_many"));
    }
    Ok(out)
}

fn items_of(json: &str) -> AppResult<Vec<FormItem>> {
    serde_json::from_str(json).map_err(crate::error::internal)
}

#[tracing::instrument(skip_all)]
pub async fn list_forms(db: &Db) -> AppResult<Vec<FormSummary>> {
    let rows = sqlx::query!(
        r#"select f.id as "id!", f.title, f.title_en, v.version_no, v.items,
                  (select count(*) from survey_responses r join eval_form_versions w on w.id = r.form_version_id
                    where w.form_id = f.id) as "responses!: i64",
                  (select count(*) from surveys s where s.form_id = f.id and s.active = 1) as "courses!: i64"
           from eval_forms f join eval_form_versions v on v.id = f.current_version_id
           order by f.title, f.id"#
    )
    .fetch_all(&db.read)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(FormSummary {
                id: r.id,
                title: Names::new(r.title, r.title_en),
                version_no: r.version_no,
                items: items_of(&r.items)?.iter().filter(|i| i.kind != ItemKind::Section).count() as u32,
                responses: r.responses as u32,
                courses: r.courses as u32,
            })
        })
        .collect()
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn form(db: &Db, id: i64) -> AppResult<FormDetail> {
    let r = sqlx::query!(
        r#"select f.title, f.title_en, v.version_no, v.items,
                  (select count(*) from survey_responses r where r.form_version_id = v.id) as "answered!: i64"
           from eval_forms f join eval_form_versions v on v.id = f.current_version_id where f.id = $1"#,
        id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(FormDetail {
        id,
        title: Names::new(r.title, r.title_en),
        version_no: r.version_no,
        items: items_of(&r.items)?,
        answered: r.answered as u32,
        can_change: false,
    })
}

/// Creates a form (`id` None) or saves it: in place while its current version is unanswered,
/// else as a new version (responses stay tied to the version they answered).
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id = ?id))]
pub async fn save_form(
    db: &Db,
    actor: Actor<'_>,
    id: Option<i64>,
    title: &Names,
    rows: &[FormItemInput],
) -> AppResult<i64> {
    let title = text::authored(title, "title", text::NAME)?;
    let items = parse_items(rows)?;
    let json = serde_json::to_string(&items).map_err(crate::error::internal)?;
    let at = now();
    let mut tx = db.begin().await?;
    let (id, current) = match id {
        Some(id) => {
            let current = sqlx::query!(
                r#"select f.current_version_id as "version!: i64",
                          (select count(*) from survey_responses r where r.form_version_id = f.current_version_id) as "answered!: i64"
                   from eval_forms f where f.id = $1"#,
                id
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
            sqlx::query!("update eval_forms set title = $1, title_en = $2 where id = $3", title.zh, title.en, id)
                .execute(&mut *tx)
                .await?;
            (id, (current.answered == 0).then_some(current.version))
        }
        None => {
            let id = sqlx::query_scalar!(
                r#"insert into eval_forms (title, title_en, created_by, created_at) values ($1, $2, $3, $4) returning id as "id!: i64""#,
                title.zh,
                title.en,
                actor.id,
                at
            )
            .fetch_one(&mut *tx)
            .await?;
            crate::server::owners::insert(&mut tx, Owned::Form, id, actor.id).await?;
            (id, None)
        }
    };
    let version_no = match current {
        Some(version) => {
            sqlx::query!("update eval_form_versions set items = $1 where id = $2", json, version)
                .execute(&mut *tx)
                .await?;
            sqlx::query_scalar!("select version_no from eval_form_versions where id = $1", version)
                .fetch_one(&mut *tx)
                .await?
        }
        None => {
            let version_no: i64 = sqlx::query_scalar!(
                "select coalesce(max(version_no), 0) + 1 as \"n!\" from eval_form_versions where form_id = $1",
                id
            )
            .fetch_one(&mut *tx)
            .await?;
            let version = sqlx::query_scalar!(
                r#"insert into eval_form_versions (form_id, version_no, items, created_by, created_at)
                   values ($1, $2, $3, $4, $5) returning id as "id!: i64""#,
                id,
                version_no,
                json,
                actor.id,
                at
            )
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query!("update eval_forms set current_version_id = $1 where id = $2", version, id)
                .execute(&mut *tx)
                .await?;
            version_no
        }
    };
    audit::record(&mut tx, Event::by(actor, "form_saved", "form", id).detail(format!("version {version_no}"))).await?;
    tx.commit().await?;
    Ok(id)
}

/// A course's or plan's survey settings and the forms that may be picked.
#[tracing::instrument(skip_all, fields(of = ?of))]
pub async fn settings(db: &Db, of: SurveyOf) -> AppResult<SurveySettings> {
    let (course, plan) = of.ids();
    let s = sqlx::query!(
        r#"select id as "id!: i64", form_id, anonymous, due_days, active from surveys where course_id is not distinct from $1 and plan_id is not distinct from $2"#,
        course,
        plan
    )
    .fetch_optional(&db.read)
    .await?;
    let forms = sqlx::query!(
        r#"select id as "id!", title, title_en from eval_forms where current_version_id is not null order by title, id"#
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id, Names::new(r.title, r.title_en)))
    .collect();
    let (survey_id, form_id, anonymous, due_days, active) = match s {
        Some(s) => (Some(s.id), Some(s.form_id), s.anonymous != 0, s.due_days, s.active != 0),
        None => (None, None, true, 7, false),
    };
    Ok(SurveySettings { survey_id, form_id, anonymous, due_days, active, forms })
}

/// Sets a course's or plan's survey: a form (none stops sending it), anonymous or named, due in
/// days. Whether it is anonymous is fixed once anyone has answered: answers given in confidence
/// stay so, and named answers never become unattributed halfway.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, of = ?of))]
pub async fn save_settings(
    db: &Db,
    actor: Actor<'_>,
    of: SurveyOf,
    form_id: Option<i64>,
    anonymous: bool,
    due_days: i64,
) -> AppResult<()> {
    if !(1..=90).contains(&due_days) {
        return Err(AppError::validation("due_days", "error.survey_due_days"));
    }
    let (course, plan) = of.ids();
    let at = now();
    let mut tx = db.begin().await?;
    let existing = sqlx::query!(
        r#"select s.id, s.anonymous, (select count(*) from survey_responses r where r.survey_id = s.id) as "answered!: i64"
           from surveys s where s.course_id is not distinct from $1 and s.plan_id is not distinct from $2"#,
        course,
        plan
    )
    .fetch_optional(&mut *tx)
    .await?;
    match (form_id, existing) {
        (None, None) => return Ok(()),
        (None, Some(s)) => {
            sqlx::query!("update surveys set active = 0 where id = $1", s.id).execute(&mut *tx).await?;
        }
        (Some(form), existing) => {
            let known = sqlx::query_scalar!(
                "select count(*) as \"n!\" from eval_forms where id = $1 and current_version_id is not null",
                form
            )
            .fetch_one(&mut *tx)
            .await?;
            if known == 0 {
                return Err(AppError::validation("form_id", "error.not_found"));
            }
            match existing {
                Some(s) if s.answered > 0 && (s.anonymous != 0) != anonymous => {
                    return Err(AppError::validation("anonymous", "error.survey_anonymity_fixed"));
                }
                Some(s) => {
                    let anonymous_flag = i64::from(anonymous);
                    sqlx::query!(
                        "update surveys set form_id = $1, anonymous = $2, due_days = $3, active = 1 where id = $4",
                        form,
                        anonymous_flag,
                        due_days,
                        s.id
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    let anonymous_flag = i64::from(anonymous);
                    sqlx::query!(
                        "insert into surveys (course_id, plan_id, form_id, anonymous, due_days, created_by, created_at)
                         values ($1, $2, $3, $4, $5, $6, $7)",
                        course,
                        plan,
                        form,
                        anonymous_flag,
                        due_days,
                        actor.id,
                        at
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
    }
    let detail = match form_id {
        Some(f) => format!("form {f}, {}, due in {due_days} days", if anonymous { "anonymous" } else { "named" }),
        None => "stopped".into(),
    };
    let (subject, id) = match of {
        SurveyOf::Course(c) => ("course", c),
        SurveyOf::Plan(p) => ("plan", p),
    };
    audit::record(&mut tx, Event::by(actor, "survey_set", subject, id).detail(detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks `user_id` a survey, once per survey (and session): the request and its notice.
async fn ask(conn: &mut Conn, survey: (i64, i64), user_id: i64, session: Option<i64>, at: i64) -> AppResult<()> {
    let (survey_id, due_days) = survey;
    let due_at = at + due_days * DAY;
    let request = sqlx::query_scalar!(
        r#"insert into survey_requests (survey_id, user_id, session_id, created_at, due_at) values ($1, $2, $3, $4, $5)
           on conflict do nothing returning id as "id!: i64""#,
        survey_id,
        user_id,
        session,
        at,
        due_at
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(request) = request {
        notice(conn, NOTICE, request, at).await?;
    }
    Ok(())
}

/// A trainee completed a course: ask them its survey, once (inside the completing transaction).
#[tracing::instrument(skip_all, fields(user_id, course_id))]
pub async fn course_completed(conn: &mut Conn, user_id: i64, course_id: i64, at: i64) -> AppResult<()> {
    let s = sqlx::query!(
        r#"select id as "id!: i64", due_days from surveys where course_id = $1 and active = 1"#,
        course_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    match s {
        Some(s) => ask(conn, (s.id, s.due_days), user_id, None, at).await,
        None => Ok(()),
    }
}

/// A trainee attended a plan's session (present or late): ask them the plan's survey about
/// that session, once (inside the transaction that marks the attendance).
#[tracing::instrument(skip_all, fields(user_id, session_id))]
pub async fn session_attended(conn: &mut Conn, user_id: i64, session_id: i64, at: i64) -> AppResult<()> {
    let s = sqlx::query!(
        r#"select v.id as "id!: i64", v.due_days from surveys v join plan_sessions s on s.plan_id = v.plan_id
           where s.id = $1 and v.active = 1"#,
        session_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    match s {
        Some(s) => ask(conn, (s.id, s.due_days), user_id, Some(session_id), at).await,
        None => Ok(()),
    }
}

/// An in-app notice about a survey request (emailed too when SMTP is set); once per kind.
async fn notice(conn: &mut Conn, kind: &str, request: i64, at: i64) -> AppResult<()> {
    let link = format!("/surveys/{request}");
    sqlx::query!(
        "insert into notifications (user_id, kind, subject_id, link, created_at)
         select user_id, $1, id, $2, $3 from survey_requests where id = $4
         on conflict (user_id, kind, subject_id) do nothing",
        kind,
        link,
        at,
        request
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One reminder before the due date to each person who has not answered (the minute sweep; a
/// second run sends nothing more).
#[tracing::instrument(skip_all, fields(at))]
pub async fn remind(db: &Db, at: i64) -> AppResult<usize> {
    let mut tx = db.begin().await?;
    let due = sqlx::query_scalar!(
        r#"select q.id as "id!: i64" from survey_requests q join users u on u.id = q.user_id
           where q.answered = 0 and q.reminded_at is null and u.active = 1 and q.due_at > $1 and q.due_at - $1 <= $2"#,
        at,
        REMIND_BEFORE
    )
    .fetch_all(&mut *tx)
    .await?;
    for id in &due {
        sqlx::query!("update survey_requests set reminded_at = $1 where id = $2", at, id).execute(&mut *tx).await?;
        notice(&mut tx, REMINDER, *id, at).await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// A plan session's day and topic, as the trainee saw it on the schedule.
fn session_label(day: Option<String>, topic: Option<String>) -> Option<String> {
    day.map(|d| match topic.filter(|t| !t.is_empty()) {
        Some(t) => format!("{d} {t}"),
        None => d,
    })
}

/// The surveys waiting for `user_id`'s answer, soonest due first.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn waiting(db: &Db, user_id: i64) -> AppResult<Vec<SurveyTodo>> {
    Ok(sqlx::query!(
        r#"select q.id as "id!", q.due_at, t.title as "title!: String", t.title_en as "title_en!: String",
                  ps.day as "day?", ps.topic as "topic?"
           from survey_requests q join surveys s on s.id = q.survey_id
           join survey_subjects t on t.survey_id = s.id
           left join plan_sessions ps on ps.id = q.session_id
           where q.user_id = $1 and q.answered = 0 and s.active = 1 order by q.due_at, q.id"#,
        user_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| SurveyTodo {
        request_id: r.id,
        subject: Names::new(r.title, r.title_en),
        session: session_label(r.day, r.topic),
        due_at: r.due_at,
    })
    .collect())
}

/// The survey of a request, for the person asked only (anyone else: not found, as if it did not
/// exist).
#[tracing::instrument(skip_all, fields(user_id, request_id))]
pub async fn to_answer(db: &Db, user_id: i64, request_id: i64) -> AppResult<SurveyToAnswer> {
    let r = sqlx::query!(
        r#"select q.due_at, q.answered, s.anonymous, v.items, t.title as "title!: String",
                  t.title_en as "title_en!: String", ps.day as "day?", ps.topic as "topic?", iu.display_name as "instructor?"
           from survey_requests q join surveys s on s.id = q.survey_id
           join eval_forms f on f.id = s.form_id join eval_form_versions v on v.id = f.current_version_id
           join survey_subjects t on t.survey_id = s.id
           left join plan_sessions ps on ps.id = q.session_id
           left join users iu on iu.id = ps.instructor_id
           where q.id = $1 and q.user_id = $2"#,
        request_id,
        user_id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(SurveyToAnswer {
        request_id,
        subject: Names::new(r.title, r.title_en),
        session: session_label(r.day, r.topic),
        instructor: r.instructor,
        anonymous: r.anonymous != 0,
        due_at: r.due_at,
        answered: r.answered != 0,
        items: items_of(&r.items)?,
    })
}

/// The posted form (`a3` = an option's index, a number or a text; `a3_1` = option 1 of a
/// multiple choice ticked) as answers to `items`; each bad or missing answer is named by field.
pub fn parse_answers(items: &[FormItem], form: &BTreeMap<String, String>) -> AppResult<Vec<Answer>> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("a{i}");
        let value = form.get(&field).map(|v| v.trim()).unwrap_or_default();
        let bad = || AppError::validation(&field, "error.survey_answer_invalid");
        let mut answer = Answer { item: i, choices: Vec::new(), number: None, text: String::new() };
        match item.kind {
            ItemKind::Section => continue,
            ItemKind::Multiple => {
                answer.choices = (0..item.options.len())
                    .filter(|k| form.get(&format!("a{i}_{k}")).is_some_and(|v| !v.is_empty()))
                    .collect();
            }
            ItemKind::Scale | ItemKind::Single if !value.is_empty() => {
                let k: usize = value.parse().map_err(|_| bad())?;
                if k >= item.options.len() {
                    return Err(bad());
                }
                answer.choices = vec![k];
            }
            ItemKind::Nps if !value.is_empty() => {
                let n: u8 = value.parse().map_err(|_| bad())?;
                if n > 10 {
                    return Err(bad());
                }
                answer.number = Some(f64::from(n));
            }
            ItemKind::YesNo if !value.is_empty() => {
                answer.number = Some(match value {
                    "yes" => 1.0,
                    "no" => 0.0,
                    _ => return Err(bad()),
                });
            }
            ItemKind::Number if !value.is_empty() => {
                let n: f64 = value.replace(',', ".").parse().map_err(|_| bad())?;
                if !n.is_finite() || n.abs() > 1e12 {
                    return Err(bad());
                }
                answer.number = Some(n);
            }
            ItemKind::ShortText => answer.text = text::line(&field, value, text::LINE)?,
            ItemKind::LongText => answer.text = text::text(&field, value, MAX_ANSWER)?,
            _ => {}
        }
        let empty = answer.choices.is_empty() && answer.number.is_none() && answer.text.is_empty();
        if empty {
            if item.required {
                return Err(AppError::validation(&field, "error.survey_answer_required"));
            }
            continue;
        }
        out.push(answer);
    }
    Ok(out)
}

/// Records `user_id`'s answers to a request, once: anonymous surveys without the person.
#[tracing::instrument(skip_all, fields(user_id, request_id))]
pub async fn submit(db: &Db, user_id: i64, request_id: i64, form: &BTreeMap<String, String>) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query!(
        r#"select q.survey_id, q.answered, s.anonymous, f.current_version_id as "version!: i64", v.items,
                  q.session_id, ps.instructor_id as "instructor_id?: i64"
           from survey_requests q join surveys s on s.id = q.survey_id
           join eval_forms f on f.id = s.form_id join eval_form_versions v on v.id = f.current_version_id
           left join plan_sessions ps on ps.id = q.session_id
           where q.id = $1 and q.user_id = $2"#,
        request_id,
        user_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if r.answered != 0 {
        return Err(AppError::validation("survey", "error.survey_answered"));
    }
    let answers = parse_answers(&items_of(&r.items)?, form)?;
    let json = serde_json::to_string(&answers).map_err(crate::error::internal)?;
    let at = now();
    let day = chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().date_naive().to_string();
    let who = (r.anonymous == 0).then_some(user_id);
    sqlx::query!(
        "insert into survey_responses (survey_id, form_version_id, user_id, session_id, instructor_id, day, answers,
                                       team_id)
         values ($1, $2, $3, $4, $5, $6, $7, (select team_id from users where id = $8))",
        r.survey_id,
        r.version,
        who,
        r.session_id,
        r.instructor_id,
        day,
        json,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("update survey_requests set answered = 1 where id = $1", request_id).execute(&mut *tx).await?;
    // The notices about it are done: read now (an anonymous survey's notices keep no time, so
    // they are removed instead of marked).
    if r.anonymous == 0 {
        sqlx::query!(
            "update notifications set read_at = coalesce(read_at, $1) where subject_id = $2 and kind in ($3, $4)",
            at,
            request_id,
            NOTICE,
            REMINDER
        )
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query!(
            "delete from notifications where subject_id = $1 and kind in ($2, $3)",
            request_id,
            NOTICE,
            REMINDER
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whose responses a reader of results sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultsScope {
    /// Admins, a course's authors, a plan's editors.
    Everyone,
    /// A manager: the people of these teams (and, as everywhere, only from K responses on).
    Teams(Vec<i64>),
}

/// Whether `user` may read a survey's results, and whose: admins, a course's authors and a plan's
/// editors everyone's; a manager their teams' people's.
#[tracing::instrument(skip_all, fields(caller = user.id, survey_id))]
pub async fn require_results(db: &Db, user: &CurrentUser, survey_id: i64) -> AppResult<ResultsScope> {
    let s = sqlx::query!("select course_id, plan_id from surveys where id = $1", survey_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    let author = match (s.course_id, s.plan_id) {
        (Some(course), _) => crate::server::course::require_author(db, user, course).await.is_ok(),
        (None, Some(plan)) => crate::server::plan::can_edit(db, user, plan).await?,
        _ => false,
    };
    if author || user.has(Role::Admin) {
        return Ok(ResultsScope::Everyone);
    }
    if user.has(Role::Manager) {
        return Ok(ResultsScope::Teams(crate::server::auth::guard::visible_team_ids(db, user.id).await?));
    }
    tracing::warn!(user_id = user.id, survey_id, "denied: survey results");
    Err(AppError::Forbidden)
}

/// The surveys whose results `user` may read.
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn list_results(db: &Db, user: &CurrentUser) -> AppResult<Vec<SurveySummary>> {
    let all = user.has(Role::Admin);
    // A manager's own teams: the surveys their people were asked, counted over their people.
    let teams = if user.has(Role::Manager) && !all {
        crate::server::auth::guard::visible_team_ids(db, user.id).await?
    } else {
        Vec::new()
    };
    let teams = serde_json::to_string(&teams).map_err(crate::error::internal)?;
    Ok(sqlx::query!(
        r#"select s.id as "id!", s.anonymous, s.plan_id, t.title as "title!: String", t.title_en as "title_en!: String",
                  f.title as form, f.title_en as form_en,
                  $1 or s.course_id in (select course_id from course_owners where user_id = $2)
                     or s.plan_id in (select id from training_plans where created_by = $2) as "author!: bool",
                  (select count(*) from survey_requests q where q.survey_id = s.id) as "asked!: i64",
                  (select count(*) from survey_requests q join users u on u.id = q.user_id
                    where q.survey_id = s.id and u.team_id in (select value from json_each($3))) as "asked_here!: i64",
                  (select count(*) from survey_responses r where r.survey_id = s.id) as "responses!: i64",
                  (select count(*) from survey_responses r
                    where r.survey_id = s.id and r.team_id in (select value from json_each($3))) as "responses_here!: i64"
           from surveys s join eval_forms f on f.id = s.form_id join survey_subjects t on t.survey_id = s.id
           where $1 or s.course_id in (select course_id from course_owners where user_id = $2)
              or s.plan_id in (select id from training_plans where created_by = $2)
              or exists (select 1 from survey_requests q join users u on u.id = q.user_id
                          where q.survey_id = s.id and u.team_id in (select value from json_each($3)))
           order by s.plan_id is not null, 4, s.id"#,
        all,
        user.id,
        teams
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| SurveySummary {
        survey_id: r.id,
        subject: Names::new(r.title, r.title_en),
        plan: r.plan_id.is_some(),
        form: Names::new(r.form, r.form_en),
        anonymous: r.anonymous != 0,
        asked: if r.author { r.asked } else { r.asked_here } as u32,
        responses: if r.author { r.responses } else { r.responses_here } as u32,
    })
    .collect())
}

/// A survey's results over the responses to its form's current version, optionally narrowed to
/// one session or one instructor of a plan; nothing item by item until there are K of them in
/// the view. Free text comes without names, in a random order.
#[tracing::instrument(skip_all, fields(survey_id))]
pub async fn results(
    db: &Db,
    scope: &ResultsScope,
    survey_id: i64,
    session: Option<i64>,
    instructor: Option<i64>,
) -> AppResult<SurveyResults> {
    let (all, teams) = match scope {
        ResultsScope::Everyone => (true, "[]".to_string()),
        ResultsScope::Teams(t) => (false, serde_json::to_string(t).map_err(crate::error::internal)?),
    };
    let s = sqlx::query!(
        r#"select s.anonymous, f.title, f.title_en, v.id as "version!: i64", v.items,
                  t.title as "subject!: String", t.title_en as "subject_en!: String",
                  (select count(*) from survey_requests q left join plan_sessions ps on ps.id = q.session_id
                    join users u on u.id = q.user_id
                    where q.survey_id = s.id and (cast($2 as bigint) is null or q.session_id = $2)
                      and (cast($3 as bigint) is null or ps.instructor_id = $3)
                      and ($4 or u.team_id in (select value from json_each($5)))) as "asked!: i64",
                  (select survey_min_responses from organisation where id = 1) as "k!: i64"
           from surveys s join eval_forms f on f.id = s.form_id join eval_form_versions v on v.id = f.current_version_id
           join survey_subjects t on t.survey_id = s.id
           where s.id = $1"#,
        survey_id,
        session,
        instructor,
        all,
        teams
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    let responses: Vec<Vec<Answer>> = sqlx::query_scalar!(
        "select answers from survey_responses where survey_id = $1 and form_version_id = $2
           and (cast($3 as bigint) is null or session_id = $3) and (cast($4 as bigint) is null or instructor_id = $4)
           and ($5 or team_id in (select value from json_each($6)))",
        survey_id,
        s.version,
        session,
        instructor,
        all,
        teams
    )
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(|a| serde_json::from_str(a).map_err(crate::error::internal))
    .collect::<AppResult<_>>()?;
    // What a plan's results may be narrowed to: the sessions asked about, and who taught them.
    let mut sessions = Vec::new();
    let mut instructors: Vec<(i64, String)> = Vec::new();
    for r in sqlx::query!(
        r#"select distinct ps.id as "id!: i64", ps.day, ps.start_time, ps.topic, ps.instructor_id, u.display_name as "name?"
           from survey_requests q join plan_sessions ps on ps.id = q.session_id left join users u on u.id = ps.instructor_id
           where q.survey_id = $1 order by ps.day, ps.start_time"#,
        survey_id
    )
    .fetch_all(&db.read)
    .await?
    {
        sessions.push((r.id, session_label(Some(r.day), Some(r.topic)).unwrap_or_default()));
        if let (Some(id), Some(name)) = (r.instructor_id, r.name) {
            if !instructors.iter().any(|(i, _)| *i == id) {
                instructors.push((id, name));
            }
        }
    }
    let mut out = SurveyResults {
        survey_id,
        subject: Names::new(s.subject, s.subject_en),
        sessions,
        instructors,
        session,
        instructor,
        form: Names::new(s.title, s.title_en),
        anonymous: s.anonymous != 0,
        asked: s.asked as u32,
        responses: responses.len() as u32,
        min_responses: s.k as u32,
        items: Vec::new(),
    };
    if out.shown() {
        out.items =
            items_of(&s.items)?.into_iter().enumerate().map(|(i, item)| summarise(i, item, &responses)).collect();
    }
    Ok(out)
}

/// One item's figures over the responses.
fn summarise(i: usize, item: FormItem, responses: &[Vec<Answer>]) -> ItemResult {
    let answers: Vec<&Answer> = responses.iter().filter_map(|r| r.iter().find(|a| a.item == i)).collect();
    let mut r = ItemResult {
        kind: item.kind,
        text: item.text,
        answered: answers.len() as u32,
        mean: None,
        counts: Vec::new(),
        nps: None,
        texts: Vec::new(),
    };
    let mean = |v: Vec<f64>| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    match item.kind {
        ItemKind::Section => {}
        ItemKind::Scale | ItemKind::Single | ItemKind::Multiple => {
            r.counts = item
                .options
                .iter()
                .enumerate()
                .map(|(k, o)| (o.clone(), answers.iter().filter(|a| a.choices.contains(&k)).count() as u32))
                .collect();
            if item.kind == ItemKind::Scale {
                r.mean = mean(answers.iter().filter_map(|a| a.choices.first()).map(|k| (*k + 1) as f64).collect());
            }
        }
        ItemKind::Nps => {
            let scores: Vec<f64> = answers.iter().filter_map(|a| a.number).collect();
            r.counts = (0..=10)
                .map(|n| (Names::same(n.to_string()), scores.iter().filter(|s| **s == f64::from(n)).count() as u32))
                .collect();
            if !scores.is_empty() {
                let promoters = scores.iter().filter(|s| **s >= 9.0).count() as f64;
                let detractors = scores.iter().filter(|s| **s <= 6.0).count() as f64;
                r.nps = Some(100.0 * (promoters - detractors) / scores.len() as f64);
            }
            r.mean = mean(scores);
        }
        ItemKind::YesNo => {
            let yes = answers.iter().filter(|a| a.number == Some(1.0)).count() as u32;
            // The bars say the share of yes; a mean of 0 and 1 would say it again, less plainly.
            r.counts = vec![(Names::new("是", "Yes"), yes), (Names::new("否", "No"), answers.len() as u32 - yes)];
        }
        ItemKind::Number => r.mean = mean(answers.iter().filter_map(|a| a.number).collect()),
        ItemKind::ShortText | ItemKind::LongText => {
            use rand::seq::SliceRandom;
            r.texts = answers.iter().map(|a| a.text.clone()).collect();
            r.texts.shuffle(&mut rand::rng());
        }
    }
    r
}

/// The results as a sheet: one line per item, option and free-text answer.
pub fn table(r: &SurveyResults, locale: Locale) -> Table {
    let t = |k: &str| locale.t(k);
    let header =
        ["survey.item", "survey.answer", "survey.count", "survey.mean", "survey.nps"].iter().map(|k| t(k)).collect();
    let mut rows = Vec::new();
    let num = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_default();
    for item in r.items.iter().filter(|i| i.kind != ItemKind::Section) {
        let label = item.text.both();
        rows.push(vec![label.clone(), String::new(), item.answered.to_string(), num(item.mean), num(item.nps)]);
        for (option, n) in &item.counts {
            rows.push(vec![label.clone(), option.both(), n.to_string(), String::new(), String::new()]);
        }
        for text in &item.texts {
            rows.push(vec![label.clone(), text.clone(), String::new(), String::new(), String::new()]);
        }
    }
    Table { sheet: t("survey.results"), header, rows }
}
