//! Quizzes as trainers build them: settings, fixed questions and random draws, publishing, and
//! the results views (attempts with pass rate, pre-test vs post-test gain).

use crate::error::{AppError, AppResult};
use crate::model::quiz::{
    AttemptRow, AttemptStatus, QuizEditor, QuizFields, QuizKind, QuizResults, QuizSummary, ReviewPolicy, SlotView,
    RESULTS_PER_PAGE,
};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::course::require_author;
use crate::server::db::{Conn, Db};
use crate::server::now;

/// The course a quiz belongs to, once the caller is known to author it.
#[tracing::instrument(skip_all, fields(caller = user.id, quiz_id))]
pub async fn require_quiz_author(db: &Db, user: &CurrentUser, quiz_id: i64) -> AppResult<i64> {
    let course_id = sqlx::query_scalar!("select course_id from quizzes where id = $1", quiz_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    require_author(db, user, course_id).await?;
    Ok(course_id)
}

pub fn validate(f: &QuizFields) -> AppResult<()> {
    crate::server::text::authored(&f.title, "title", 200)?;
    if !(0..=100).contains(&f.pass_percent) {
        return Err(AppError::validation("pass_percent", "error.percent_invalid"));
    }
    if f.time_limit_minutes.is_some_and(|m| !(1..=600).contains(&m)) {
        return Err(AppError::validation("time_limit_minutes", "error.number_invalid"));
    }
    if f.attempts_allowed.is_some_and(|n| !(1..=100).contains(&n)) {
        return Err(AppError::validation("attempts_allowed", "error.number_invalid"));
    }
    if !(0..=60 * 24 * 90).contains(&f.cooloff_minutes) {
        return Err(AppError::validation("cooloff_minutes", "error.number_invalid"));
    }
    if let (Some(o), Some(c)) = (f.opens_at, f.closes_at) {
        if c <= o {
            return Err(AppError::validation("closes_at", "error.window_invalid"));
        }
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = user.id, course_id))]
pub async fn create(db: &Db, actor: Actor<'_>, user: &CurrentUser, course_id: i64, f: &QuizFields) -> AppResult<i64> {
    require_author(db, user, course_id).await?;
    validate(f)?;
    let at = now();
    let mut tx = db.begin().await?;
    let id = sqlx::query_scalar!(
        r#"insert into quizzes (course_id, title, title_en, kind, created_by, created_at) values ($1, $2, $3, $4, $5, $6)
           returning id as "id!""#,
        course_id,
        f.title.zh,
        f.title.en,
        "practice",
        user.id,
        at
    )
    .fetch_one(&mut *tx)
    .await?;
    write_fields(&mut tx, id, course_id, f).await?;
    audit::record(&mut tx, Event::by(actor, "quiz_created", "quiz", id).detail(f.title.both())).await?;
    tx.commit().await?;
    Ok(id)
}

async fn write_fields(conn: &mut Conn, id: i64, course_id: i64, f: &QuizFields) -> AppResult<()> {
    if let Some(pre) = f.pre_test_id {
        let ok = sqlx::query_scalar!(
            "select count(*) as \"n!\" from quizzes where id = $1 and course_id = $2 and kind = 'pre_test' and id <> $3",
            pre,
            course_id,
            id
        )
        .fetch_one(&mut *conn)
        .await?;
        if ok == 0 {
            return Err(AppError::validation("pre_test_id", "error.pre_test_other_course"));
        }
    }
    let title = crate::server::text::authored(&f.title, "title", 200)?;
    let kind = f.kind.as_str();
    let limit = f.time_limit_minutes.map(|m| m * 60);
    let cooloff = f.cooloff_minutes * 60;
    let review = f.review_policy.as_str();
    let pre = if f.kind == QuizKind::PostTest { f.pre_test_id } else { None };
    let shuffle_questions_flag = i64::from(f.shuffle_questions);
    let shuffle_options_flag = i64::from(f.shuffle_options);
    sqlx::query!(
        "update quizzes set title = $1, title_en = $2, kind = $3, pass_percent = $4, time_limit_secs = $5, opens_at = $6,
                closes_at = $7, attempts_allowed = $8, cooloff_secs = $9, review_policy = $10, shuffle_questions = $11,
                shuffle_options = $12, pre_test_id = $13
         where id = $14",
        title.zh,
        title.en,
        kind,
        f.pass_percent,
        limit,
        f.opens_at,
        f.closes_at,
        f.attempts_allowed,
        cooloff,
        review,
        shuffle_questions_flag,
        shuffle_options_flag,
        pre,
        id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(quiz_id))]
pub async fn update(db: &Db, quiz_id: i64, f: &QuizFields) -> AppResult<()> {
    validate(f)?;
    let mut tx = db.begin().await?;
    let course_id = sqlx::query_scalar!("select course_id from quizzes where id = $1", quiz_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    write_fields(&mut tx, quiz_id, course_id, f).await?;
    tx.commit().await?;
    Ok(())
}

/// A bank the quiz may draw from: shared, or belonging to the quiz's course.
async fn check_bank(conn: &mut Conn, quiz_id: i64, bank_id: i64) -> AppResult<()> {
    let ok = sqlx::query_scalar!(
        "select count(*) as \"n!\" from question_banks b join quizzes z on z.id = $1
         where b.id = $2 and (b.course_id is null or b.course_id = z.course_id)",
        quiz_id,
        bank_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if ok == 0 {
        return Err(AppError::validation("bank_id", "error.choice_unknown"));
    }
    Ok(())
}

async fn next_position(conn: &mut Conn, quiz_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"select coalesce(max(position), -1) + 1 as "p!: i64" from quiz_slots where quiz_id = $1"#,
        quiz_id
    )
    .fetch_one(&mut *conn)
    .await?)
}

#[tracing::instrument(skip_all, fields(quiz_id, question_id))]
pub async fn add_question(db: &Db, quiz_id: i64, question_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let bank_id =
        sqlx::query_scalar!("select bank_id from questions where id = $1 and archived_at is null", question_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::validation("question_id", "error.choice_unknown"))?;
    check_bank(&mut tx, quiz_id, bank_id).await?;
    let pos = next_position(&mut tx, quiz_id).await?;
    sqlx::query!(
        "insert into quiz_slots (quiz_id, position, question_id) values ($1, $2, $3)",
        quiz_id,
        pos,
        question_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(quiz_id, bank_id))]
pub async fn add_draw(db: &Db, quiz_id: i64, bank_id: i64, category: &str, tag: &str, count: i64) -> AppResult<()> {
    if !(1..=200).contains(&count) {
        return Err(AppError::validation("draw_count", "error.number_invalid"));
    }
    let category = crate::server::text::line("category", category, crate::server::text::NAME)?;
    let tag = crate::server::text::line("tag", tag, crate::server::text::NAME)?;
    let (category, tag) = (category.trim_matches('/'), tag.to_lowercase());
    let mut tx = db.begin().await?;
    check_bank(&mut tx, quiz_id, bank_id).await?;
    let available = draw_pool_size(&mut tx, bank_id, category, &tag).await?;
    if available < count {
        return Err(AppError::validation("draw_count", "error.quiz_not_enough_questions"));
    }
    let pos = next_position(&mut tx, quiz_id).await?;
    sqlx::query!(
        "insert into quiz_slots (quiz_id, position, bank_id, category, tag, draw_count) values ($1, $2, $3, $4, $5, $6)",
        quiz_id,
        pos,
        bank_id,
        category,
        tag,
        count
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn draw_pool_size(conn: &mut Conn, bank_id: i64, category: &str, tag: &str) -> AppResult<i64> {
    Ok(super::draw_pool(conn, bank_id, category, tag).await?.len() as i64)
}

#[tracing::instrument(skip_all, fields(quiz_id, slot_id))]
pub async fn remove_slot(db: &Db, quiz_id: i64, slot_id: i64) -> AppResult<()> {
    let n = sqlx::query!("delete from quiz_slots where id = $1 and quiz_id = $2", slot_id, quiz_id)
        .execute(&db.write)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, quiz_id))]
pub async fn set_published(db: &Db, actor: Actor<'_>, quiz_id: i64, published: bool) -> AppResult<()> {
    let mut tx = db.begin().await?;
    if published {
        let slots = sqlx::query_scalar!("select count(*) as \"n!\" from quiz_slots where quiz_id = $1", quiz_id)
            .fetch_one(&mut *tx)
            .await?;
        if slots == 0 {
            return Err(AppError::validation("quiz", "error.quiz_empty"));
        }
    }
    let at = published.then(now);
    sqlx::query!("update quizzes set published_at = $1 where id = $2", at, quiz_id).execute(&mut *tx).await?;
    let action = if published { "quiz_published" } else { "quiz_unpublished" };
    audit::record(&mut tx, Event::by(actor, action, "quiz", quiz_id)).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(caller = user.id, quiz_id))]
pub async fn editor(db: &Db, user: &CurrentUser, quiz_id: i64) -> AppResult<QuizEditor> {
    let q = sqlx::query!(
        r#"select course_id, title, title_en, kind, pass_percent, time_limit_secs, opens_at, closes_at, attempts_allowed,
                  cooloff_secs, review_policy, (shuffle_questions = 1) as "shuffle_questions!: bool",
                  (shuffle_options = 1) as "shuffle_options!: bool", pre_test_id, published_at
           from quizzes where id = $1"#,
        quiz_id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    let slots = sqlx::query!(
        r#"select s.id as "id!", s.position, s.question_id, s.bank_id, s.category, s.tag, s.draw_count,
                  v.title as "q_title?", v.stem as "q_stem?",
                  (select name from question_banks b where b.id = coalesce(s.bank_id, q.bank_id)) as "bank_name?"
           from quiz_slots s
           left join questions q on q.id = s.question_id
           left join question_versions v on v.id = q.current_version_id
           where s.quiz_id = $1 order by s.position"#,
        quiz_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| SlotView {
        id: r.id,
        position: r.position,
        question_id: r.question_id,
        question_label: match (r.q_title, r.q_stem) {
            (Some(t), _) if !t.is_empty() => t,
            (_, Some(stem)) => stem.chars().take(80).collect(),
            _ => String::new(),
        },
        bank_id: r.bank_id,
        bank_name: r.bank_name.unwrap_or_default(),
        category: r.category,
        tag: r.tag,
        draw_count: r.draw_count,
    })
    .collect();
    let banks = super::list_banks(db, user)
        .await?
        .into_iter()
        .filter(|b| b.course_id.is_none() || b.course_id == Some(q.course_id))
        .collect();
    let siblings = sqlx::query!(
        r#"select id as "id!", title, title_en from quizzes where course_id = $1 and id <> $2 and kind = 'pre_test'
           order by id"#,
        q.course_id,
        quiz_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id, Names::new(r.title, r.title_en)))
    .collect();
    Ok(QuizEditor {
        id: quiz_id,
        course_id: q.course_id,
        fields: QuizFields {
            title: Names::new(q.title, q.title_en),
            kind: QuizKind::parse(&q.kind).unwrap_or(QuizKind::Practice),
            pass_percent: q.pass_percent,
            time_limit_minutes: q.time_limit_secs.map(|s| s / 60),
            opens_at: q.opens_at,
            closes_at: q.closes_at,
            attempts_allowed: q.attempts_allowed,
            cooloff_minutes: q.cooloff_secs / 60,
            review_policy: ReviewPolicy::parse(&q.review_policy).unwrap_or(ReviewPolicy::ScoreOnly),
            shuffle_questions: q.shuffle_questions,
            shuffle_options: q.shuffle_options,
            pre_test_id: q.pre_test_id,
        },
        published: q.published_at.is_some(),
        slots,
        banks,
        siblings,
        remediation_lesson_id: sqlx::query_scalar!("select remediation_lesson_id from quizzes where id = $1", quiz_id)
            .fetch_one(&db.read)
            .await?,
        lessons: course_lessons(db, q.course_id).await?,
    })
}

/// The lessons of a course's current version (draft, else published), in reading order.
async fn course_lessons(db: &Db, course_id: i64) -> AppResult<Vec<(i64, Names)>> {
    Ok(sqlx::query!(
        r#"select l.id as "id!: i64", m.title as module, m.title_en as module_en, l.title, l.title_en
           from lessons l join course_modules m on m.id = l.module_id
           where m.version_id = (select id from course_versions where course_id = $1 and status in ('draft', 'published')
                                 order by status = 'published' desc, version_no desc limit 1)
           order by m.position, l.position"#,
        course_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id, Names::path(&[Names::new(r.module, r.module_en), Names::new(r.title, r.title_en)])))
    .collect())
}

/// Sets (or clears) the lesson a trainee must re-read after failing before a retake. The lesson
/// must belong to the quiz's course.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, quiz_id, lesson_id = ?lesson_id))]
pub async fn set_remediation(db: &Db, actor: Actor<'_>, quiz_id: i64, lesson_id: Option<i64>) -> AppResult<()> {
    let mut tx = db.begin().await?;
    if let Some(lesson) = lesson_id {
        let ok = sqlx::query_scalar!(
            "select count(*) as \"n!\" from lessons l join course_modules m on m.id = l.module_id
             join course_versions v on v.id = m.version_id join quizzes z on z.course_id = v.course_id
             where l.id = $1 and z.id = $2",
            lesson,
            quiz_id
        )
        .fetch_one(&mut *tx)
        .await?;
        if ok == 0 {
            return Err(AppError::validation("lesson", "error.choice_unknown"));
        }
    }
    let n = sqlx::query!("update quizzes set remediation_lesson_id = $1 where id = $2", lesson_id, quiz_id)
        .execute(&mut *tx)
        .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Event::by(actor, "quiz_remediation_set", "quiz", quiz_id).detail(format!("{lesson_id:?}")))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The quizzes of the courses the user authors (all for admins).
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn list_for_author(db: &Db, user: &CurrentUser) -> AppResult<Vec<QuizSummary>> {
    let all = user.has(Role::Admin);
    let rows = sqlx::query!(
        r#"select z.id as "id!", z.course_id, z.title, z.title_en, z.kind, z.published_at,
                  v.title as course_title, v.title_en as course_title_en,
                  (select cast(coalesce(sum(draw_count), 0) as bigint) from quiz_slots s where s.quiz_id = z.id) as "questions!: i64",
                  (select count(*) from attempts a where a.quiz_id = z.id and a.status <> 'in_progress') as "attempts!: i64",
                  (select count(*) from attempts a where a.quiz_id = z.id and a.passed = 1) as "passed!: i64"
           from quizzes z
           join course_versions v on v.id = (select max(w.id) from course_versions w where w.course_id = z.course_id)
           where $1 or z.course_id in (select course_id from course_owners where user_id = $2)
           order by z.course_id, z.id"#,
        all,
        user.id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| QuizSummary {
            id: r.id,
            course_id: r.course_id,
            course_title: Names::new(r.course_title, r.course_title_en),
            title: Names::new(r.title, r.title_en),
            kind: QuizKind::parse(&r.kind).unwrap_or(QuizKind::Practice),
            published: r.published_at.is_some(),
            question_count: r.questions,
            attempts: r.attempts,
            passed: r.passed,
        })
        .collect())
}

/// Every finished or open attempt of a quiz, and the pass rate among graded ones. Overdue attempts
/// are closed by the minute sweep (`attempt::close_overdue`): reading this page writes nothing.
#[tracing::instrument(skip_all, fields(quiz_id))]
pub async fn results(db: &Db, quiz_id: i64, page: u32) -> AppResult<QuizResults> {
    let title = sqlx::query!("select title, title_en from quizzes where id = $1", quiz_id)
        .fetch_optional(&db.read)
        .await?
        .map(|r| Names::new(r.title, r.title_en))
        .ok_or(AppError::NotFound)?;
    let counts = sqlx::query!(
        r#"select count(*) as "total!: i64",
                  cast(coalesce(sum(case when status = 'graded' then 1 else 0 end), 0) as bigint) as "graded!: i64",
                  cast(coalesce(sum(case when status = 'graded' and passed = 1 then 1 else 0 end), 0) as bigint) as "passed!: i64"
           from attempts where quiz_id = $1"#,
        quiz_id
    )
    .fetch_one(&db.read)
    .await?;
    let pages = ((counts.total + RESULTS_PER_PAGE - 1) / RESULTS_PER_PAGE).max(1) as u32;
    let page = page.min(pages - 1);
    let offset = page as i64 * RESULTS_PER_PAGE;
    let attempts: Vec<AttemptRow> = sqlx::query!(
        r#"select a.id as "id!", u.display_name, u.employee_no, a.attempt_no, a.status, a.submitted_at,
                  a.percent, (a.passed = 1) as "passed?: bool"
           from attempts a join users u on u.id = a.user_id
           where a.quiz_id = $1 order by u.display_name, a.attempt_no, a.id limit $2 offset $3"#,
        quiz_id,
        RESULTS_PER_PAGE,
        offset
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| AttemptRow {
        id: r.id,
        display_name: r.display_name,
        employee_no: r.employee_no,
        attempt_no: r.attempt_no,
        status: AttemptStatus::parse(&r.status).unwrap_or(AttemptStatus::InProgress),
        submitted_at: r.submitted_at,
        percent: r.percent,
        passed: r.passed,
    })
    .collect();
    let pass_rate = (counts.graded > 0).then(|| counts.passed as f64 * 100.0 / counts.graded as f64);
    Ok(QuizResults { quiz_id, title, attempts, pass_rate, total: counts.total, page, pages })
}
