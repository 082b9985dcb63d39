//! Courses: authoring with versions, enrollment, and trainees working through lessons.
//!
//! Content is only ever edited in a draft version. Publishing a draft supersedes the previous
//! published version; enrollments keep the version they started on.

pub mod enroll;
pub mod files;
pub mod learn;
pub mod markdown;

use crate::error::{AppError, AppResult};
use crate::model::course::{
    CourseChoices, CourseEditor, CourseFields, CourseStatus, CourseSummary, LessonEdit, ModuleEdit, Named, TrainingType,
};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::db::{Conn, Db};
use crate::server::now;

const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 200_000;

/// Admins and the course's owners may author it; everyone else is refused (and logged).
#[tracing::instrument(skip_all, fields(caller = user.id, course_id))]
pub async fn require_author(db: &Db, user: &CurrentUser, course_id: i64) -> AppResult<()> {
    if user.has(Role::Admin) {
        return Ok(());
    }
    let owner = sqlx::query_scalar!(
        "select count(*) as \"n!\" from course_owners where course_id = $1 and user_id = $2",
        course_id,
        user.id
    )
    .fetch_one(&db.read)
    .await?;
    if user.has(Role::Trainer) && owner > 0 {
        return Ok(());
    }
    tracing::warn!(user_id = user.id, course_id, "denied: not an author of this course");
    Err(AppError::Forbidden)
}

pub fn validate(fields: &CourseFields) -> AppResult<CourseFields> {
    let title = clean_title(&fields.title)?;
    if !(0..=10_000).contains(&fields.duration_minutes) {
        return Err(AppError::validation("duration_minutes", "error.duration_invalid"));
    }
    let summary = crate::server::text::text("summary", &fields.summary, 4_000)?;
    Ok(CourseFields { title, summary, ..fields.clone() })
}

fn clean_title(title: &Names) -> AppResult<Names> {
    crate::server::text::authored(title, "title", MAX_TITLE)
}

fn check_body(body_md: &str) -> AppResult<()> {
    if body_md.len() > MAX_BODY {
        return Err(AppError::validation("body_md", "error.body_too_long"));
    }
    crate::server::text::text("body_md", body_md, usize::MAX).map(|_| ())
}

#[tracing::instrument(skip_all)]
pub async fn choices(db: &Db) -> AppResult<CourseChoices> {
    let categories =
        sqlx::query_as!(Named, r#"select id as "id!", name_zh, name_en from course_categories order by position, id"#)
            .fetch_all(&db.read)
            .await?;
    let levels = sqlx::query_as!(Named, r#"select id as "id!", name_zh, name_en from course_levels order by rank"#)
        .fetch_all(&db.read)
        .await?;
    Ok(CourseChoices { categories, levels })
}

/// A category or level id that does not exist is a validation error, not a database error.
async fn check_choices(conn: &mut Conn, f: &CourseFields) -> AppResult<()> {
    let cat = sqlx::query_scalar!("select count(*) as \"n!\" from course_categories where id = $1", f.category_id)
        .fetch_one(&mut *conn)
        .await?;
    if cat == 0 {
        return Err(AppError::validation("category_id", "error.choice_unknown"));
    }
    let level = sqlx::query_scalar!("select count(*) as \"n!\" from course_levels where id = $1", f.level_id)
        .fetch_one(&mut *conn)
        .await?;
    if level == 0 {
        return Err(AppError::validation("level_id", "error.choice_unknown"));
    }
    Ok(())
}

/// A trainer creates a course (version 1, a draft) and becomes its owner.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, owner_id))]
pub async fn create(db: &Db, actor: Actor<'_>, owner_id: i64, fields: &CourseFields) -> AppResult<i64> {
    let f = validate(fields)?;
    let now = now();
    let kind = f.training_type.as_str();
    let mut tx = db.begin().await?;
    check_choices(&mut tx, &f).await?;
    let id = sqlx::query_scalar!(
        r#"insert into courses (created_by, created_at) values ($1, $2) returning id as "id!: i64""#,
        owner_id,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("insert into course_owners (course_id, user_id) values ($1, $2)", id, owner_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "insert into course_versions (course_id, version_no, status, title, title_en, summary, category_id, level_id,
                                      training_type, duration_minutes, created_at)
         values ($1, 1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9)",
        id,
        f.title.zh,
        f.title.en,
        f.summary,
        f.category_id,
        f.level_id,
        kind,
        f.duration_minutes,
        now
    )
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, Event::by(actor, "course_created", "course", id).detail(f.title.both())).await?;
    tx.commit().await?;
    Ok(id)
}

/// Courses the user may author (all of them for an admin).
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn list_for_author(db: &Db, user: &CurrentUser) -> AppResult<Vec<CourseSummary>> {
    let all = user.has(Role::Admin);
    let rows = sqlx::query!(
        r#"select c.id as "id!", c.archived_at,
                  coalesce(d.title, p.title) as "title!: String", coalesce(d.title_en, p.title_en) as "title_en!: String",
                  p.version_no as "published_version?: i64",
                  d.id is not null as "has_draft!: bool",
                  (select count(*) from lessons l join course_modules m on m.id = l.module_id
                    where m.version_id = coalesce(d.id, p.id)) as "lessons!: i64",
                  (select count(*) from enrollments e where e.course_id = c.id) as "enrolled!: i64"
           from courses c
           left join course_versions d on d.course_id = c.id and d.status = 'draft'
           left join course_versions p on p.course_id = c.id and p.status = 'published'
           where $1 or exists (select 1 from course_owners o where o.course_id = c.id and o.user_id = $2)
           order by c.archived_at is not null, 3, 4"#,
        all,
        user.id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CourseSummary {
            id: r.id,
            title: Names::new(r.title, r.title_en),
            status: status_of(r.archived_at, r.published_version.is_some()),
            published_version: r.published_version,
            has_draft: r.has_draft,
            lesson_count: r.lessons,
            enrolled: r.enrolled,
        })
        .collect())
}

fn status_of(archived_at: Option<i64>, published: bool) -> CourseStatus {
    match (archived_at, published) {
        (Some(_), _) => CourseStatus::Archived,
        (None, true) => CourseStatus::Published,
        (None, false) => CourseStatus::Draft,
    }
}

struct VersionRow {
    id: i64,
    version_no: i64,
    status: String,
    fields: CourseFields,
}

/// The draft if there is one, else the published version.
async fn editable_version(conn: &mut Conn, course_id: i64) -> AppResult<VersionRow> {
    let r = sqlx::query!(
        r#"select id as "id!", version_no, status, title, title_en, summary, category_id, level_id, training_type, duration_minutes
           from course_versions where course_id = $1 and status in ('draft', 'published')
           order by status = 'draft' desc limit 1"#,
        course_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(VersionRow {
        id: r.id,
        version_no: r.version_no,
        status: r.status,
        fields: CourseFields {
            title: Names::new(r.title, r.title_en),
            summary: r.summary,
            category_id: r.category_id,
            level_id: r.level_id,
            training_type: TrainingType::parse(&r.training_type).unwrap_or(TrainingType::PreJob),
            duration_minutes: r.duration_minutes,
        },
    })
}

#[tracing::instrument(skip_all, fields(version_id))]
pub async fn modules_of(conn: &mut Conn, version_id: i64) -> AppResult<Vec<ModuleEdit>> {
    let rows = sqlx::query!(
        r#"select m.id as "module_id!", m.title as module_title, m.title_en as module_title_en, l.id as "lesson_id?",
                  l.title as "lesson_title?", l.title_en as "lesson_title_en?", l.body_md as "body_md?"
           from course_modules m left join lessons l on l.module_id = m.id
           where m.version_id = $1 order by m.position, l.position"#,
        version_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut modules: Vec<ModuleEdit> = Vec::new();
    for r in rows {
        if modules.last().is_none_or(|m| m.id != r.module_id) {
            let title = Names::new(r.module_title, r.module_title_en);
            modules.push(ModuleEdit { id: r.module_id, title, lessons: Vec::new() });
        }
        if let (Some(id), Some(zh), Some(en), Some(body_md)) =
            (r.lesson_id, r.lesson_title, r.lesson_title_en, r.body_md)
        {
            modules.last_mut().expect("pushed above").lessons.push(LessonEdit {
                id,
                title: Names::new(zh, en),
                body_md,
            });
        }
    }
    Ok(modules)
}

#[tracing::instrument(skip_all, fields(course_id))]
pub async fn editor(db: &Db, course_id: i64) -> AppResult<CourseEditor> {
    let mut conn = db.read.acquire().await?;
    let archived_at = sqlx::query_scalar!("select archived_at from courses where id = $1", course_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = editable_version(&mut conn, course_id).await?;
    let has_published = sqlx::query_scalar!(
        "select count(*) as \"n!\" from course_versions where course_id = $1 and status = 'published'",
        course_id
    )
    .fetch_one(&mut *conn)
    .await?
        > 0;
    let modules = modules_of(&mut conn, v.id).await?;
    let owners = sqlx::query_scalar!(
        "select u.display_name from course_owners o join users u on u.id = o.user_id where o.course_id = $1 order by u.display_name",
        course_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(CourseEditor {
        id: course_id,
        status: status_of(archived_at, has_published),
        version_no: v.version_no,
        is_draft: v.status == "draft",
        has_published,
        fields: v.fields,
        modules,
        owners,
    })
}

/// Copies the published version into a new draft (if there is no draft yet) and returns the draft.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id))]
pub async fn start_draft(db: &Db, actor: Actor<'_>, course_id: i64) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let v = editable_version(&mut tx, course_id).await?;
    if v.status == "draft" {
        return Ok(v.id);
    }
    let now = now();
    let next_no = v.version_no + 1;
    let kind = v.fields.training_type.as_str();
    let draft = sqlx::query_scalar!(
        r#"insert into course_versions (course_id, version_no, status, title, title_en, summary, category_id, level_id,
                                        training_type, duration_minutes, created_at)
           values ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10) returning id as "id!: i64""#,
        course_id,
        next_no,
        v.fields.title.zh,
        v.fields.title.en,
        v.fields.summary,
        v.fields.category_id,
        v.fields.level_id,
        kind,
        v.fields.duration_minutes,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    for m in modules_of(&mut tx, v.id).await? {
        let position =
            sqlx::query_scalar!("select position from course_modules where id = $1", m.id).fetch_one(&mut *tx).await?;
        let new_module = sqlx::query_scalar!(
            r#"insert into course_modules (version_id, position, title, title_en) values ($1, $2, $3, $4)
               returning id as "id!: i64""#,
            draft,
            position,
            m.title.zh,
            m.title.en
        )
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query!(
            "insert into lessons (module_id, position, title, title_en, body_md)
             select $1, position, title, title_en, body_md from lessons where module_id = $2",
            new_module,
            m.id
        )
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        Event::by(actor, "course_draft_started", "course", course_id).detail(format!("version {next_no}")),
    )
    .await?;
    tx.commit().await?;
    Ok(draft)
}

/// The course's draft version id, or a validation error telling the author to start one.
async fn draft_of(conn: &mut Conn, course_id: i64) -> AppResult<i64> {
    sqlx::query_scalar!(
        r#"select id as "id!" from course_versions where course_id = $1 and status = 'draft'"#,
        course_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::validation("course", "error.course_not_draft"))
}

#[tracing::instrument(skip_all, fields(course_id))]
pub async fn update_fields(db: &Db, course_id: i64, fields: &CourseFields) -> AppResult<()> {
    let f = validate(fields)?;
    let kind = f.training_type.as_str();
    let mut tx = db.begin().await?;
    check_choices(&mut tx, &f).await?;
    let draft = draft_of(&mut tx, course_id).await?;
    sqlx::query!(
        "update course_versions set title = $1, title_en = $2, summary = $3, category_id = $4, level_id = $5,
                                    training_type = $6, duration_minutes = $7 where id = $8",
        f.title.zh,
        f.title.en,
        f.summary,
        f.category_id,
        f.level_id,
        kind,
        f.duration_minutes,
        draft
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(course_id))]
pub async fn add_module(db: &Db, course_id: i64, title: &Names) -> AppResult<i64> {
    let title = clean_title(title)?;
    let mut tx = db.begin().await?;
    let draft = draft_of(&mut tx, course_id).await?;
    let id = sqlx::query_scalar!(
        r#"insert into course_modules (version_id, position, title, title_en)
           values ($1, (select coalesce(max(position), 0) + 1 from course_modules where version_id = $1), $2, $3)
           returning id as "id!: i64""#,
        draft,
        title.zh,
        title.en
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The draft module `module_id` of `course_id`; anything else (another course, a published
/// version) is NotFound, so ids cannot be used to reach into other courses.
async fn draft_module(conn: &mut Conn, course_id: i64, module_id: i64) -> AppResult<()> {
    let found = sqlx::query_scalar!(
        "select count(*) as \"n!\" from course_modules m join course_versions v on v.id = m.version_id
         where m.id = $1 and v.course_id = $2 and v.status = 'draft'",
        module_id,
        course_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if found == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

async fn draft_lesson(conn: &mut Conn, course_id: i64, lesson_id: i64) -> AppResult<()> {
    let found = sqlx::query_scalar!(
        "select count(*) as \"n!\" from lessons l join course_modules m on m.id = l.module_id
         join course_versions v on v.id = m.version_id
         where l.id = $1 and v.course_id = $2 and v.status = 'draft'",
        lesson_id,
        course_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if found == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(course_id, module_id))]
pub async fn rename_module(db: &Db, course_id: i64, module_id: i64, title: &Names) -> AppResult<()> {
    let title = clean_title(title)?;
    let mut tx = db.begin().await?;
    draft_module(&mut tx, course_id, module_id).await?;
    sqlx::query!("update course_modules set title = $1, title_en = $2 where id = $3", title.zh, title.en, module_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(course_id, module_id))]
pub async fn delete_module(db: &Db, course_id: i64, module_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    draft_module(&mut tx, course_id, module_id).await?;
    sqlx::query!("delete from course_modules where id = $1", module_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(course_id, module_id))]
pub async fn add_lesson(db: &Db, course_id: i64, module_id: i64, title: &Names, body_md: &str) -> AppResult<i64> {
    let title = clean_title(title)?;
    check_body(body_md)?;
    let mut tx = db.begin().await?;
    draft_module(&mut tx, course_id, module_id).await?;
    let id = sqlx::query_scalar!(
        r#"insert into lessons (module_id, position, title, title_en, body_md)
           values ($1, (select coalesce(max(position), 0) + 1 from lessons where module_id = $1), $2, $3, $4)
           returning id as "id!: i64""#,
        module_id,
        title.zh,
        title.en,
        body_md
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(course_id, lesson_id))]
pub async fn update_lesson(db: &Db, course_id: i64, lesson_id: i64, title: &Names, body_md: &str) -> AppResult<()> {
    let title = clean_title(title)?;
    check_body(body_md)?;
    let mut tx = db.begin().await?;
    draft_lesson(&mut tx, course_id, lesson_id).await?;
    sqlx::query!(
        "update lessons set title = $1, title_en = $2, body_md = $3 where id = $4",
        title.zh,
        title.en,
        body_md,
        lesson_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(course_id, lesson_id))]
pub async fn delete_lesson(db: &Db, course_id: i64, lesson_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    draft_lesson(&mut tx, course_id, lesson_id).await?;
    sqlx::query!("delete from lessons where id = $1", lesson_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes the draft: it becomes the version new enrollments take.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id))]
pub async fn publish(db: &Db, actor: Actor<'_>, course_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let draft = draft_of(&mut tx, course_id).await?;
    let lessons = sqlx::query_scalar!(
        "select count(*) as \"n!\" from lessons l join course_modules m on m.id = l.module_id where m.version_id = $1",
        draft
    )
    .fetch_one(&mut *tx)
    .await?;
    if lessons == 0 {
        return Err(AppError::validation("course", "error.course_empty"));
    }
    let now = now();
    sqlx::query!(
        "update course_versions set status = 'superseded' where course_id = $1 and status = 'published'",
        course_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("update course_versions set status = 'published', published_at = $1 where id = $2", now, draft)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("update courses set archived_at = null where id = $1", course_id).execute(&mut *tx).await?;
    let version =
        sqlx::query_scalar!("select version_no from course_versions where id = $1", draft).fetch_one(&mut *tx).await?;
    audit::record(
        &mut tx,
        Event::by(actor, "course_published", "course", course_id).detail(format!("version {version}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Archived courses take no new enrollments; trainees already enrolled keep their progress.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id))]
pub async fn set_archived(db: &Db, actor: Actor<'_>, course_id: i64, archived: bool) -> AppResult<()> {
    let at = archived.then(now);
    let mut tx = db.begin().await?;
    let changed =
        sqlx::query!("update courses set archived_at = $1 where id = $2", at, course_id).execute(&mut *tx).await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let action = if archived { "course_archived" } else { "course_unarchived" };
    audit::record(&mut tx, Event::by(actor, action, "course", course_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Which admin-editable list: course categories or levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceList {
    Category,
    Level,
}

fn clean_names(name_zh: &str, name_en: &str) -> AppResult<(String, String)> {
    crate::server::text::names(name_zh, name_en, 60)
}

/// Adds an entry at the end of the list.
#[tracing::instrument(skip_all, fields(actor = ?actor.id))]
pub async fn add_choice(db: &Db, actor: Actor<'_>, list: ChoiceList, name_zh: &str, name_en: &str) -> AppResult<i64> {
    let (zh, en) = clean_names(name_zh, name_en)?;
    let mut tx = db.begin().await?;
    let id = match list {
        ChoiceList::Category => sqlx::query_scalar!(
            r#"insert into course_categories (name_zh, name_en, position)
               values ($1, $2, (select coalesce(max(position), 0) + 1 from course_categories)) returning id as "id!: i64""#,
            zh,
            en
        )
        .fetch_one(&mut *tx)
        .await?,
        ChoiceList::Level => sqlx::query_scalar!(
            r#"insert into course_levels (name_zh, name_en, rank)
               values ($1, $2, (select coalesce(max(rank), 0) + 1 from course_levels)) returning id as "id!: i64""#,
            zh,
            en
        )
        .fetch_one(&mut *tx)
        .await?,
    };
    audit::record(&mut tx, Event::by(actor, "choice_added", list.name(), id).detail(en)).await?;
    tx.commit().await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn rename_choice(db: &Db, list: ChoiceList, id: i64, name_zh: &str, name_en: &str) -> AppResult<()> {
    let (zh, en) = clean_names(name_zh, name_en)?;
    let changed = match list {
        ChoiceList::Category => {
            sqlx::query!("update course_categories set name_zh = $1, name_en = $2 where id = $3", zh, en, id)
                .execute(&db.write)
                .await?
        }
        ChoiceList::Level => {
            sqlx::query!("update course_levels set name_zh = $1, name_en = $2 where id = $3", zh, en, id)
                .execute(&db.write)
                .await?
        }
    };
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Deletes an entry no course version uses (not even an old one).
#[tracing::instrument(skip_all, fields(id))]
pub async fn delete_choice(db: &Db, list: ChoiceList, id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let used = match list {
        ChoiceList::Category => {
            sqlx::query_scalar!("select count(*) as \"n!\" from course_versions where category_id = $1", id)
                .fetch_one(&mut *tx)
                .await?
        }
        ChoiceList::Level => {
            sqlx::query_scalar!("select count(*) as \"n!\" from course_versions where level_id = $1", id)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    if used > 0 {
        return Err(AppError::validation("choice", "error.choice_in_use"));
    }
    let gone = match list {
        ChoiceList::Category => {
            sqlx::query!("delete from course_categories where id = $1", id).execute(&mut *tx).await?
        }
        ChoiceList::Level => sqlx::query!("delete from course_levels where id = $1", id).execute(&mut *tx).await?,
    };
    if gone.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

impl ChoiceList {
    pub fn parse(s: &str) -> Option<ChoiceList> {
        match s {
            "category" => Some(ChoiceList::Category),
            "level" => Some(ChoiceList::Level),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ChoiceList::Category => "course_category",
            ChoiceList::Level => "course_level",
        }
    }
}

/// Makes another trainer an owner of the course, by employee number.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id))]
pub async fn add_owner(db: &Db, actor: Actor<'_>, course_id: i64, employee_no: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let no = employee_no.trim();
    let trainer = sqlx::query_scalar!(
        r#"select u.id as "id!" from users u join user_roles r on r.user_id = u.id and r.role = 'trainer'
           where lower(u.employee_no) = lower($1) and u.active = 1"#,
        no
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::validation("employee_no", "error.not_a_trainer"))?;
    sqlx::query!(
        "insert into course_owners (course_id, user_id) values ($1, $2) on conflict do nothing",
        course_id,
        trainer
    )
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, Event::by(actor, "course_owner_added", "course", course_id).detail(no)).await?;
    tx.commit().await?;
    Ok(())
}
