//! A trainee working through their courses: lessons open in order, completion is recorded once.

use super::markdown;
use crate::error::{AppError, AppResult};
use crate::model::course::{
    CourseOutline, CoursePreview, EnrolledCourse, LessonView, OutlineLesson, OutlineModule, PreviewModule,
};
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::cert::{self, Change};
use crate::server::db::{Conn, Db};
use crate::server::now;

struct Step {
    lesson_id: i64,
    module_id: i64,
    module_title: Names,
    title: Names,
}

/// The lessons of a version in reading order.
async fn steps(conn: &mut Conn, version_id: i64) -> AppResult<Vec<Step>> {
    let rows = sqlx::query!(
        r#"select l.id as "lesson_id!", m.id as "module_id!", m.title as module_title, m.title_en as module_title_en,
                  l.title, l.title_en
           from lessons l join course_modules m on m.id = l.module_id
           where m.version_id = $1 order by m.position, l.position"#,
        version_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Step {
            lesson_id: r.lesson_id,
            module_id: r.module_id,
            module_title: Names::new(r.module_title, r.module_title_en),
            title: Names::new(r.title, r.title_en),
        })
        .collect())
}

struct Enrollment {
    id: i64,
    course_id: i64,
    version_id: i64,
    title: Names,
    summary: String,
    completed_at: Option<i64>,
}

async fn enrollment(conn: &mut Conn, user_id: i64, course_id: i64) -> AppResult<Enrollment> {
    let r = sqlx::query!(
        r#"select e.id as "id!", e.version_id, e.completed_at, v.title, v.title_en, v.summary
           from enrollments e join course_versions v on v.id = e.version_id
           where e.user_id = $1 and e.course_id = $2"#,
        user_id,
        course_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Enrollment {
        id: r.id,
        course_id,
        version_id: r.version_id,
        title: Names::new(r.title, r.title_en),
        summary: r.summary,
        completed_at: r.completed_at,
    })
}

async fn done_ids(conn: &mut Conn, enrollment_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!("select lesson_id from lesson_completions where enrollment_id = $1", enrollment_id)
        .fetch_all(&mut *conn)
        .await?)
}

fn next_open(steps: &[Step], done: &[i64]) -> Option<i64> {
    steps.iter().find(|s| !done.contains(&s.lesson_id)).map(|s| s.lesson_id)
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn my_courses(db: &Db, user_id: i64) -> AppResult<Vec<EnrolledCourse>> {
    let mut conn = db.read.acquire().await?;
    let course_ids = sqlx::query_scalar!(
        "select e.course_id from enrollments e join course_versions v on v.id = e.version_id
         where e.user_id = $1 order by e.completed_at is not null, e.enrolled_at, v.title",
        user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(course_ids.len());
    for course_id in course_ids {
        let e = enrollment(&mut conn, user_id, course_id).await?;
        let steps = steps(&mut conn, e.version_id).await?;
        let done = done_ids(&mut conn, e.id).await?;
        out.push(EnrolledCourse {
            course_id,
            title: e.title,
            done: done.len() as u32,
            total: steps.len() as u32,
            next_lesson_id: next_open(&steps, &done),
            completed_at: e.completed_at,
        });
    }
    Ok(out)
}

#[tracing::instrument(skip_all, fields(user_id, course_id))]
pub async fn outline(db: &Db, user_id: i64, course_id: i64) -> AppResult<CourseOutline> {
    let mut conn = db.read.acquire().await?;
    let e = enrollment(&mut conn, user_id, course_id).await?;
    let steps = steps(&mut conn, e.version_id).await?;
    let done = done_ids(&mut conn, e.id).await?;
    let next = next_open(&steps, &done);
    let mut modules: Vec<(i64, OutlineModule)> = Vec::new();
    let mut open = true;
    for s in &steps {
        if modules.last().is_none_or(|(id, _)| *id != s.module_id) {
            modules.push((s.module_id, OutlineModule { title: s.module_title.clone(), lessons: Vec::new() }));
        }
        let is_done = done.contains(&s.lesson_id);
        modules.last_mut().expect("pushed above").1.lessons.push(OutlineLesson {
            id: s.lesson_id,
            title: s.title.clone(),
            done: is_done,
            open,
        });
        open = open && is_done;
    }
    Ok(CourseOutline {
        course_id,
        title: e.title,
        summary: e.summary,
        done: done.len() as u32,
        total: steps.len() as u32,
        next_lesson_id: next,
        modules: modules.into_iter().map(|(_, m)| m).collect(),
    })
}

/// The enrollment whose version contains `lesson_id`, for this user.
async fn enrollment_of_lesson(conn: &mut Conn, user_id: i64, lesson_id: i64) -> AppResult<Enrollment> {
    let course_id = sqlx::query_scalar!(
        "select e.course_id from enrollments e join course_modules m on m.version_id = e.version_id
         join lessons l on l.module_id = m.id where e.user_id = $1 and l.id = $2",
        user_id,
        lesson_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    enrollment(conn, user_id, course_id).await
}

fn locked_error() -> AppError {
    AppError::validation("lesson", "error.lesson_locked")
}

async fn lesson_view(
    conn: &mut Conn,
    e: &Enrollment,
    steps: &[Step],
    done: &[i64],
    lesson_id: i64,
) -> AppResult<LessonView> {
    let index = steps.iter().position(|s| s.lesson_id == lesson_id).ok_or(AppError::NotFound)?;
    let body =
        sqlx::query_scalar!("select body_md from lessons where id = $1", lesson_id).fetch_one(&mut *conn).await?;
    Ok(LessonView {
        id: lesson_id,
        course_id: e.course_id,
        course_title: e.title.clone(),
        title: steps[index].title.clone(),
        html: markdown::render(&body),
        done: done.contains(&lesson_id),
        number: index as u32 + 1,
        total: steps.len() as u32,
        prev_id: index.checked_sub(1).map(|i| steps[i].lesson_id),
        next_id: steps.get(index + 1).map(|s| s.lesson_id),
    })
}

/// A lesson of the trainee's own enrollment, once every lesson before it is done.
#[tracing::instrument(skip_all, fields(user_id, lesson_id))]
pub async fn lesson(db: &Db, user_id: i64, lesson_id: i64) -> AppResult<LessonView> {
    let mut conn = db.read.acquire().await?;
    let e = enrollment_of_lesson(&mut conn, user_id, lesson_id).await?;
    let steps = steps(&mut conn, e.version_id).await?;
    let done = done_ids(&mut conn, e.id).await?;
    if steps.iter().take_while(|s| s.lesson_id != lesson_id).any(|s| !done.contains(&s.lesson_id)) {
        return Err(locked_error());
    }
    lesson_view(&mut conn, &e, &steps, &done, lesson_id).await
}

/// Records the lesson as completed (once; a repeat keeps the first time) and returns where to go
/// next: the following lesson, or `None` when the course is finished.
#[tracing::instrument(skip_all, fields(user_id, lesson_id))]
pub async fn complete(db: &Db, user_id: i64, lesson_id: i64) -> AppResult<Option<i64>> {
    let mut tx = db.begin().await?;
    let e = enrollment_of_lesson(&mut tx, user_id, lesson_id).await?;
    let steps = steps(&mut tx, e.version_id).await?;
    let mut done = done_ids(&mut tx, e.id).await?;
    if steps.iter().take_while(|s| s.lesson_id != lesson_id).any(|s| !done.contains(&s.lesson_id)) {
        return Err(locked_error());
    }
    let now = now();
    sqlx::query!(
        "insert into lesson_completions (enrollment_id, lesson_id, completed_at) values ($1, $2, $3)
         on conflict (enrollment_id, lesson_id) do nothing",
        e.id,
        lesson_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    if !done.contains(&lesson_id) {
        done.push(lesson_id);
    }
    // Reading a remediation lesson again (after a failed attempt) clears the way to the retake.
    sqlx::query!(
        "update remediations set done_at = $1 where lesson_id = $2 and done_at is null
           and attempt_id in (select id from attempts where user_id = $3)",
        now,
        lesson_id,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    let next = next_open(&steps, &done);
    if next.is_none() && e.completed_at.is_none() {
        sqlx::query!("update enrollments set completed_at = $1 where id = $2", now, e.id).execute(&mut *tx).await?;
        cert::person_changed(&mut tx, user_id, Change::CourseCompleted, Actor { id: Some(user_id), ip: "" }, now)
            .await?;
        crate::server::survey::course_completed(&mut tx, user_id, e.course_id, now).await?;
    }
    tx.commit().await?;
    let index = steps.iter().position(|s| s.lesson_id == lesson_id).unwrap_or(0);
    Ok(steps.get(index + 1).map(|s| s.lesson_id).or(next))
}

/// The draft (or else published) version rendered for its authors.
#[tracing::instrument(skip_all, fields(course_id))]
pub async fn preview(db: &Db, course_id: i64) -> AppResult<CoursePreview> {
    let mut conn = db.read.acquire().await?;
    let v = sqlx::query!(
        r#"select id as "id!", version_no, title, title_en, summary from course_versions
           where course_id = $1 and status in ('draft', 'published') order by status = 'draft' desc limit 1"#,
        course_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let e = Enrollment {
        id: 0,
        course_id,
        version_id: v.id,
        title: Names::new(&v.title, &v.title_en),
        summary: v.summary.clone(),
        completed_at: None,
    };
    let steps = steps(&mut conn, v.id).await?;
    let mut modules: Vec<(i64, PreviewModule)> = Vec::new();
    for s in &steps {
        if modules.last().is_none_or(|(id, _)| *id != s.module_id) {
            modules.push((s.module_id, PreviewModule { title: s.module_title.clone(), lessons: Vec::new() }));
        }
        let view = lesson_view(&mut conn, &e, &steps, &[], s.lesson_id).await?;
        modules.last_mut().expect("pushed above").1.lessons.push(view);
    }
    Ok(CoursePreview {
        course_id,
        title: e.title,
        summary: v.summary,
        version_no: v.version_no,
        modules: modules.into_iter().map(|(_, m)| m).collect(),
    })
}
