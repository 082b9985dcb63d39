//! Question banks and versioned questions. Quizzes and attempts are in `quiz::attempt` and
//! `quiz::authoring`; grading is a pure function in `quiz::grade`.

pub mod attempt;
pub mod authoring;
pub mod gift;
pub mod grade;
pub mod question_sheet;

use crate::error::{AppError, AppResult};
use crate::model::owners::Owned;
use crate::model::quiz::{BankDetail, BankSummary, QuestionBody, QuestionDraft, QuestionRow};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::db::{Conn, Db};
use crate::server::now;

const MAX_TEXT: usize = 20_000;

/// The checks every question passes, however it arrives (GIFT, spreadsheet, editor).
/// Returns the translation key of the first problem.
pub fn validate_draft(q: &QuestionDraft) -> Result<(), &'static str> {
    if q.stem.trim().is_empty() {
        return Err("error.question_no_text");
    }
    if q.stem.len() > MAX_TEXT || q.title.chars().count() > 200 {
        return Err("error.question_too_long");
    }
    if !(1..=5).contains(&q.difficulty) {
        return Err("error.question_difficulty");
    }
    if q.body == QuestionBody::Description {
        if q.points != 0 {
            return Err("error.description_points");
        }
    } else if !(1..=100).contains(&q.points) {
        return Err("error.question_points");
    }
    let ok = match &q.body {
        QuestionBody::Single { options } => {
            options.len() >= 2
                && options.iter().any(|o| o.weight == 100.0)
                && options.iter().all(|o| !o.text.is_empty())
        }
        QuestionBody::Multiple { options, .. } => {
            options.len() >= 2 && options.iter().any(|o| o.weight > 0.0) && options.iter().all(|o| !o.text.is_empty())
        }
        QuestionBody::TrueFalse { .. } | QuestionBody::Essay | QuestionBody::Description => true,
        QuestionBody::FillBlank { answers } => answers.iter().any(|a| a.weight > 0.0 && !a.text.is_empty()),
        QuestionBody::Numeric { answers } => answers.iter().any(|a| a.weight > 0.0),
        QuestionBody::Matching { pairs } => {
            pairs.iter().filter(|p| !p.left.is_empty()).count() >= 2 && pairs.iter().all(|p| !p.right.is_empty())
        }
        QuestionBody::Ordering { items } => items.len() >= 2 && items.iter().all(|i| !i.is_empty()),
    };
    if ok {
        Ok(())
    } else {
        Err(match q.body.kind() {
            crate::model::quiz::QuestionKind::Single => "error.question_single",
            crate::model::quiz::QuestionKind::Multiple => "error.question_multiple",
            crate::model::quiz::QuestionKind::FillBlank | crate::model::quiz::QuestionKind::Numeric => {
                "error.question_accepted"
            }
            crate::model::quiz::QuestionKind::Matching => "error.question_matching",
            _ => "error.question_ordering",
        })
    }
}

/// Tags compare case-insensitively and are stored sorted, lower case, comma separated.
pub fn normalize_tags(tags: &[String]) -> String {
    let mut t: Vec<String> =
        tags.iter().map(|t| t.trim().to_lowercase().replace(',', " ")).filter(|t| !t.is_empty()).collect();
    t.sort();
    t.dedup();
    t.join(",")
}

pub fn split_tags(tags: &str) -> Vec<String> {
    tags.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// Who may use and edit a bank: for a course's bank, its authors; a shared bank, any trainer.
/// Reading or changing a bank (its questions carry the answer key): the course's authors, a
/// shared bank's named editors, admins. Never while the caller has an attempt in progress that
/// draws on it: nobody reads the key of a quiz they are taking (see `attempt::start`).
#[tracing::instrument(skip_all, fields(caller = user.id, bank_id))]
pub async fn require_bank(db: &Db, user: &CurrentUser, bank_id: i64) -> AppResult<()> {
    let course = sqlx::query_scalar!("select course_id from question_banks where id = $1", bank_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    match course {
        Some(course_id) => crate::server::course::require_author(db, user, course_id).await?,
        None => crate::server::owners::require_change(db, user, Owned::SharedBank, bank_id).await?,
    }
    let taking = sqlx::query_scalar!(
        r#"select exists (select 1 from attempts a join attempt_items i on i.attempt_id = a.id
                          join question_versions v on v.id = i.question_version_id
                          join questions q on q.id = v.question_id
                          where a.user_id = $1 and a.status = 'in_progress' and q.bank_id = $2) as "taking!: bool""#,
        user.id,
        bank_id
    )
    .fetch_one(&db.read)
    .await?;
    if taking {
        tracing::warn!(user_id = user.id, bank_id, "denied: bank of a quiz the caller is taking");
        return Err(AppError::Forbidden);
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = user.id, course_id = ?course_id))]
pub async fn create_bank(
    db: &Db,
    actor: Actor<'_>,
    user: &CurrentUser,
    course_id: Option<i64>,
    name: &str,
) -> AppResult<i64> {
    let name = name.trim();
    if !crate::server::text::is_name(name, 200) {
        return Err(AppError::validation("name", "error.name_invalid"));
    }
    if let Some(c) = course_id {
        crate::server::course::require_author(db, user, c).await?;
    }
    let at = now();
    let mut tx = db.begin().await?;
    let id = sqlx::query_scalar!(
        r#"insert into question_banks (course_id, name, created_by, created_at) values ($1, $2, $3, $4)
           returning id as "id!""#,
        course_id,
        name,
        user.id,
        at
    )
    .fetch_one(&mut *tx)
    .await?;
    if course_id.is_none() {
        crate::server::owners::insert(&mut tx, Owned::SharedBank, id, Some(user.id)).await?;
    }
    audit::record(&mut tx, Event::by(actor, "bank_created", "question_bank", id).detail(name)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Shared banks the user edits and the banks of courses they author (every bank for admins).
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn list_banks(db: &Db, user: &CurrentUser) -> AppResult<Vec<BankSummary>> {
    let all = user.has(Role::Admin);
    let rows = sqlx::query!(
        r#"select b.id as "id!", b.name, b.course_id,
                  v.title as "course_title?", v.title_en as "course_title_en?",
                  (select count(*) from questions q where q.bank_id = b.id and q.archived_at is null) as "count!: i64"
           from question_banks b
           left join course_versions v on v.id = (select max(w.id) from course_versions w where w.course_id = b.course_id)
           where $1 or b.course_id in (select course_id from course_owners where user_id = $2)
              or b.id in (select bank_id from bank_editors where user_id = $2)
           order by b.course_id is not null, b.name"#,
        all,
        user.id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BankSummary {
            id: r.id,
            name: r.name,
            course_id: r.course_id,
            course_title: r.course_title.map(|zh| Names::new(zh, r.course_title_en.unwrap_or_default())),
            question_count: r.count,
        })
        .collect())
}

pub(crate) fn body_json(body: &QuestionBody) -> AppResult<String> {
    serde_json::to_string(body).map_err(crate::error::internal)
}

pub(crate) fn parse_body(json: &str) -> AppResult<QuestionBody> {
    serde_json::from_str(json).map_err(crate::error::internal)
}

/// Writes a question's next version (or its first, creating the question).
async fn write_version(
    conn: &mut Conn,
    actor: Actor<'_>,
    bank_id: i64,
    question_id: Option<i64>,
    q: &QuestionDraft,
) -> AppResult<i64> {
    let at = now();
    let tags = normalize_tags(&q.tags);
    let category = q.category.trim().trim_matches('/').to_string();
    let is_new = question_id.is_none();
    let question_id = match question_id {
        Some(id) => {
            sqlx::query!("update questions set category = $1, tags = $2 where id = $3", category, tags, id)
                .execute(&mut *conn)
                .await?;
            id
        }
        None => {
            sqlx::query_scalar!(
                r#"insert into questions (bank_id, category, tags, created_at) values ($1, $2, $3, $4)
                   returning id as "id!""#,
                bank_id,
                category,
                tags,
                at
            )
            .fetch_one(&mut *conn)
            .await?
        }
    };
    let next = if is_new {
        1
    } else {
        sqlx::query_scalar!(
            r#"select coalesce(max(version_no), 0) + 1 as "n!: i64" from question_versions where question_id = $1"#,
            question_id
        )
        .fetch_one(&mut *conn)
        .await?
    };
    let kind = q.body.kind().as_str();
    let body = body_json(&q.body)?;
    let version_id = sqlx::query_scalar!(
        r#"insert into question_versions
             (question_id, version_no, kind, title, stem, difficulty, points, feedback, body, created_by, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id as "id!""#,
        question_id,
        next,
        kind,
        q.title,
        q.stem,
        q.difficulty,
        q.points,
        q.feedback,
        body,
        actor.id,
        at
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!("update questions set current_version_id = $1 where id = $2", version_id, question_id)
        .execute(&mut *conn)
        .await?;
    Ok(question_id)
}

/// The most one import takes, so that its write transaction stays short: the single database
/// writer is shared by everyone, and a 325,000-question file once held it for 30 seconds. The
/// bank page states these limits.
pub const MAX_IMPORT_QUESTIONS: usize = 2_000;
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

fn check_import_size(bytes: usize) -> AppResult<()> {
    if bytes > MAX_IMPORT_BYTES {
        return Err(AppError::validation("file", "error.import_too_large"));
    }
    Ok(())
}

/// Imports a whole GIFT file into a bank: every question or none.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, bank_id))]
pub async fn import_gift(db: &Db, actor: Actor<'_>, bank_id: i64, text: &str) -> AppResult<u32> {
    check_import_size(text.len())?;
    let drafts = gift::parse(text).map_err(AppError::Rows)?;
    import(db, actor, bank_id, &drafts, "gift").await
}

/// Writes parsed, checked questions in one short transaction (parsing happened before it).
pub(crate) async fn import(
    db: &Db,
    actor: Actor<'_>,
    bank_id: i64,
    drafts: &[QuestionDraft],
    source: &str,
) -> AppResult<u32> {
    if drafts.len() > MAX_IMPORT_QUESTIONS {
        return Err(AppError::validation("file", "error.import_too_many"));
    }
    let mut tx = db.begin().await?;
    for q in drafts {
        write_version(&mut tx, actor, bank_id, None, q).await?;
    }
    let n = drafts.len() as u32;
    audit::record(
        &mut tx,
        Event::by(actor, "questions_imported", "question_bank", bank_id).detail(format!("{n} {source}")),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Saves one question written in GIFT: a new question, or a new version of `question_id`.
/// Attempts keep pointing at the version they showed, so past grades stay as they were.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, bank_id, question_id = ?question_id))]
pub async fn save_question(
    db: &Db,
    actor: Actor<'_>,
    bank_id: i64,
    question_id: Option<i64>,
    gift_text: &str,
) -> AppResult<i64> {
    let mut drafts = gift::parse(gift_text).map_err(AppError::Rows)?;
    if drafts.len() != 1 {
        return Err(AppError::validation("gift", "error.gift_one_question"));
    }
    let draft = drafts.remove(0);
    let mut tx = db.begin().await?;
    if let Some(id) = question_id {
        let owner = sqlx::query_scalar!("select bank_id from questions where id = $1", id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
        if owner != bank_id {
            return Err(AppError::NotFound);
        }
    }
    let id = write_version(&mut tx, actor, bank_id, question_id, &draft).await?;
    audit::record(&mut tx, Event::by(actor, "question_saved", "question", id)).await?;
    tx.commit().await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, bank_id, question_id))]
pub async fn archive_question(db: &Db, actor: Actor<'_>, bank_id: i64, question_id: i64) -> AppResult<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let n = sqlx::query!(
        "update questions set archived_at = $1 where id = $2 and bank_id = $3 and archived_at is null",
        at,
        question_id,
        bank_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Event::by(actor, "question_archived", "question", question_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// The current versions of a bank's questions, in category order.
#[tracing::instrument(skip_all, fields(bank_id))]
pub async fn drafts(db: &Db, bank_id: i64) -> AppResult<Vec<(i64, i64, QuestionDraft)>> {
    let rows = sqlx::query!(
        r#"select q.id as "id!", q.category, q.tags, v.version_no, v.title, v.stem, v.difficulty, v.points,
                  v.feedback, v.body
           from questions q join question_versions v on v.id = q.current_version_id
           where q.bank_id = $1 and q.archived_at is null order by q.category, q.id"#,
        bank_id
    )
    .fetch_all(&db.read)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.id,
                r.version_no,
                QuestionDraft {
                    category: r.category,
                    tags: split_tags(&r.tags),
                    title: r.title,
                    stem: r.stem,
                    difficulty: r.difficulty,
                    points: r.points,
                    feedback: r.feedback,
                    body: parse_body(&r.body)?,
                },
            ))
        })
        .collect()
}

#[tracing::instrument(skip_all, fields(bank_id))]
pub async fn bank_detail(db: &Db, bank_id: i64) -> AppResult<BankDetail> {
    let bank = sqlx::query!("select name, course_id from question_banks where id = $1", bank_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    let questions: Vec<QuestionRow> = drafts(db, bank_id)
        .await?
        .into_iter()
        .map(|(id, version_no, draft)| QuestionRow {
            id,
            version_no,
            category: draft.category.clone(),
            tags: draft.tags.clone(),
            gift: gift::write_question(&draft).unwrap_or_default(),
            draft,
        })
        .collect();
    let mut categories: Vec<String> = questions.iter().map(|q| q.category.clone()).collect();
    categories.sort();
    categories.dedup();
    Ok(BankDetail { id: bank_id, name: bank.name, course_id: bank.course_id, questions, categories })
}

#[tracing::instrument(skip_all, fields(bank_id))]
pub async fn export_gift(db: &Db, bank_id: i64) -> AppResult<(String, usize)> {
    let drafts: Vec<QuestionDraft> = drafts(db, bank_id).await?.into_iter().map(|(_, _, d)| d).collect();
    Ok(gift::write(&drafts))
}

/// Validation as an `AppError` naming the field.
pub fn check_draft(q: &QuestionDraft) -> AppResult<()> {
    validate_draft(q).map_err(|key| AppError::validation("question", key))
}

#[tracing::instrument(skip_all, fields(bank_id, question_id))]
pub async fn question_in_bank(db: &Db, bank_id: i64, question_id: i64) -> AppResult<bool> {
    let n = sqlx::query_scalar!(
        "select count(*) as \"n!\" from questions where id = $1 and bank_id = $2",
        question_id,
        bank_id
    )
    .fetch_one(&db.read)
    .await?;
    Ok(n > 0)
}

/// Imports an uploaded file: an XLSX or CSV spreadsheet (by content or name), otherwise GIFT text.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, bank_id))]
pub async fn import_file(db: &Db, actor: Actor<'_>, bank_id: i64, name: &str, data: &[u8]) -> AppResult<u32> {
    check_import_size(data.len())?;
    let lower = name.to_lowercase();
    if data.starts_with(b"PK\x03\x04") || lower.ends_with(".xlsx") {
        let drafts = question_sheet::from_xlsx(data)?;
        return import(db, actor, bank_id, &drafts, "xlsx").await;
    }
    if lower.ends_with(".csv") {
        let drafts = question_sheet::from_csv(data)?;
        return import(db, actor, bank_id, &drafts, "csv").await;
    }
    let text = std::str::from_utf8(data).map_err(|_| AppError::validation("file", "error.file_not_utf8"))?;
    import_gift(db, actor, bank_id, text).await
}

/// Questions a draw can pick from: in the category or below it, with the tag if one is given.
#[tracing::instrument(skip_all, fields(bank_id))]
pub async fn draw_pool(conn: &mut Conn, bank_id: i64, category: &str, tag: &str) -> AppResult<Vec<i64>> {
    // `%` and `_` in a category or tag are letters, not wildcards. Random draws never pick a
    // description (as in Moodle): it only makes sense where its author placed it.
    let below = format!("{}/%", crate::server::text::like_literal(category));
    let tagged = format!("%,{},%", crate::server::text::like_literal(tag));
    Ok(sqlx::query_scalar!(
        r#"select q.id as "id!" from questions q join question_versions v on v.id = q.current_version_id
           where q.bank_id = $1 and q.archived_at is null and v.kind <> 'description'
             and ($2 = '' or q.category = $2 or q.category like $3 escape '\')
             and ($4 = '' or ',' || q.tags || ',' like $5 escape '\')
           order by q.id"#,
        bank_id,
        category,
        below,
        tag,
        tagged
    )
    .fetch_all(&mut *conn)
    .await?)
}
