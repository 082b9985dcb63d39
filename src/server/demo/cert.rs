//! Demo certification: a junior and an intermediate after-sales program, and people in every
//! status. Statuses come from the real recompute: people take the course, the post-test and the
//! role-play through the services. For "expiring" and "expired" their evidence and certificate
//! are moved back in time, then the scheduled check runs, as it would have.

use super::quiz::answer;
use crate::error::AppResult;
use crate::model::cert::{Decision, Phase, ProgramFields, ReqKind};
use crate::model::roleplay::{Mode, ScoreInput};
use crate::server::analytics::summary;
use crate::server::audit::Actor;
use crate::server::auth::guard::{self, CurrentUser};
use crate::server::cert::{self, recompute, status};
use crate::server::course::learn;
use crate::server::db::Db;
use crate::server::now;
use crate::server::quiz::attempt;
use crate::server::roleplay::attempt as roleplay;
use crate::server::user;

/// The position the demo's programs are for (its trainees hold it).
pub const POSITION_ZH: &str = "售后服务专员";
const DAY: i64 = 86_400;

async fn id_of(db: &Db, sql: &str) -> AppResult<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(&db.read).await?)
}

/// Completes every lesson of the course, in order, but the last `leave` ones.
async fn finish_course(db: &Db, user_id: i64, course_id: i64) -> AppResult<()> {
    read_course(db, user_id, course_id, 0).await
}

async fn read_course(db: &Db, user_id: i64, course_id: i64, leave: usize) -> AppResult<()> {
    let lessons: Vec<i64> = sqlx::query_scalar(
        "select l.id from lessons l join course_modules m on m.id = l.module_id
         join course_versions v on v.id = m.version_id
         where v.course_id = $1 and v.status = 'published' order by m.position, l.position",
    )
    .bind(course_id)
    .fetch_all(&db.read)
    .await?;
    for l in &lessons[..lessons.len().saturating_sub(leave)] {
        learn::complete(db, user_id, *l).await?;
    }
    Ok(())
}

/// Takes the quiz with every answer right and has the essay graded in full.
async fn pass_quiz(db: &Db, trainer: &CurrentUser, who: &CurrentUser, quiz: i64) -> AppResult<()> {
    let me = Actor { id: Some(who.id), ip: "" };
    let a = attempt::start(db, me, who, quiz).await?;
    answer(db, who, a, 10).await?;
    attempt::submit(db, me, who, a).await?;
    for item in attempt::grading_queue(db, trainer).await? {
        if item.attempt_id == a {
            let t = Actor { id: Some(trainer.id), ip: "" };
            attempt::grade_item(db, t, trainer, a, item.position as i64, item.points as f64, "完整。Complete.").await?;
        }
    }
    Ok(())
}

/// A live role-play of the scenario rated by one trainer at these levels (rubric order).
async fn roleplay(db: &Db, trainer: &CurrentUser, who: &CurrentUser, scenario: i64, levels: [u8; 6]) -> AppResult<()> {
    let t = Actor { id: Some(trainer.id), ip: "" };
    let id = roleplay::open(db, t, trainer, scenario, &who.employee_no, Mode::Live, roleplay::Raters::opener()).await?;
    let scores: Vec<ScoreInput> =
        levels.iter().map(|l| ScoreInput { level: Some(l.to_string()), comment: String::new() }).collect();
    roleplay::rate(db, t, trainer, id, &scores, "").await
}

/// Moves a person's evidence and certificates `days` into the past.
async fn backdate(db: &Db, user_id: i64, days: i64) -> AppResult<()> {
    let d = days * DAY;
    let mut tx = db.begin().await?;
    let before = summary::outcomes_of(&mut tx, user_id).await?;
    let rated_before = summary::roleplays_of(&mut tx, user_id).await?;
    for sql in [
        "update attempts set started_at = started_at - $1, submitted_at = submitted_at - $1,
                deadline_at = deadline_at - $1, graded_at = graded_at - $1 where user_id = $2",
        "update enrollments set enrolled_at = enrolled_at - $1, completed_at = completed_at - $1 where user_id = $2",
        "update lesson_completions set completed_at = completed_at - $1
          where enrollment_id in (select id from enrollments where user_id = $2)",
        "update roleplays set opened_at = opened_at - $1, finalized_at = finalized_at - $1 where trainee_id = $2",
        "update certificates set issued_at = issued_at - $1, expires_at = expires_at - $1 where user_id = $2",
    ] {
        sqlx::query(sql).bind(d).bind(user_id).execute(&mut *tx).await?;
    }
    // The outcomes carry the attempts' times: move them with the attempts.
    sqlx::query!(
        "update quiz_outcomes set first_at = first_at - $1, passed_at = passed_at - $1 where user_id = $2",
        d,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update roleplay_outcomes set first_at = first_at - $1, passed_at = passed_at - $1 where user_id = $2",
        d,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    // And the dashboard's sums, which count them by day.
    let after = summary::outcomes_of(&mut tx, user_id).await?;
    for ((quiz, b), (_, a)) in before.into_iter().zip(after) {
        summary::outcome_changed(&mut tx, quiz, user_id, Some(b), Some(a)).await?;
    }
    let rated_after = summary::roleplays_of(&mut tx, user_id).await?;
    summary::roleplays_changed(&mut tx, user_id, &rated_before, &rated_after).await?;
    summary::person(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn seed(db: &Db, course_id: i64) -> AppResult<()> {
    let trainer = guard::acting_as(db, user::find_id(db, "T1001").await?).await?;
    let chen = Actor { id: Some(trainer.id), ip: "" };
    let post = id_of(db, "select id from quizzes where kind = 'post_test' order by id limit 1").await?;
    let scenario = |title: &str| {
        let sql = format!("select id from scenarios where title like '{title}%' order by id limit 1");
        async move { id_of(db, &sql).await }
    };
    let (repair, appliance, complaint) =
        (scenario("家具维修超期").await?, scenario("保修期内家电故障").await?, scenario("投诉升级至主管").await?);
    let plan = id_of(db, "select id from training_plans order by id limit 1").await?;

    // A refresher quiz for renewals: five questions from the bank, pass mark 80%.
    let bank = id_of(db, "select id from question_banks order by id limit 1").await?;
    let refresher = crate::server::quiz::authoring::create(
        db,
        chen,
        &trainer,
        course_id,
        &crate::model::quiz::QuizFields {
            title: super::bilingual("季度复训测验 Quarterly refresher quiz"),
            kind: crate::model::quiz::QuizKind::Refresher,
            pass_percent: 80,
            time_limit_minutes: Some(15),
            opens_at: None,
            closes_at: None,
            attempts_allowed: None,
            cooloff_minutes: 0,
            review_policy: crate::model::quiz::ReviewPolicy::ScoreAndWrong,
            shuffle_questions: true,
            shuffle_options: true,
            pre_test_id: None,
        },
    )
    .await?;
    crate::server::quiz::authoring::add_draw(db, refresher, bank, "售后服务 After-sales", "", 5).await?;
    crate::server::quiz::authoring::set_published(db, chen, refresher, true).await?;

    let position_id = crate::server::position::find_by_name(&mut *db.read.acquire().await?, POSITION_ZH)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let program = |name: &str, level_id: i64, requires: Option<i64>| ProgramFields {
        name: super::bilingual(name),
        position_id,
        level_id,
        requires_program_id: requires,
        validity_days: 365,
        window_days: 60,
        veteran_cycle_days: Some(90),
        manager_cycle_days: Some(180),
    };
    let junior =
        cert::save_program(db, chen, None, program("售后服务专员·初级 After-sales specialist, junior", 1, None))
            .await?;
    cert::add_requirement(db, chen, junior, Phase::Initial, ReqKind::Course, course_id, None).await?;
    cert::add_requirement(db, chen, junior, Phase::Initial, ReqKind::Quiz, post, Some(80)).await?;
    cert::add_requirement(db, chen, junior, Phase::Initial, ReqKind::Roleplay, repair, None).await?;
    cert::add_requirement(db, chen, junior, Phase::Recert, ReqKind::Quiz, refresher, Some(80)).await?;
    let intermediate = cert::save_program(
        db,
        chen,
        None,
        program("售后服务专员·中级 After-sales specialist, intermediate", 2, Some(junior)),
    )
    .await?;
    cert::add_requirement(db, chen, intermediate, Phase::Initial, ReqKind::Roleplay, appliance, None).await?;
    cert::add_requirement(db, chen, intermediate, Phase::Initial, ReqKind::Roleplay, complaint, None).await?;
    cert::add_requirement(db, chen, intermediate, Phase::Initial, ReqKind::Attendance, plan, Some(80)).await?;
    cert::add_requirement(db, chen, intermediate, Phase::Recert, ReqKind::Quiz, refresher, Some(80)).await?;

    let person = |no: &'static str| async move { guard::acting_as(db, user::find_id(db, no).await?).await };
    let good = [4, 3, 3, 4, 3, 3];
    // 李娜 E1001: finishes the course; with her post-test and role-play she is certified.
    let li = person("E1001").await?;
    finish_course(db, li.id, course_id).await?;
    // 王芳 E1004: course and post-test passed, but a wrong warranty rule in the role-play: a
    // critical criterion failed, so she is still in training.
    let wang = person("E1004").await?;
    finish_course(db, wang.id, course_id).await?;
    pass_quiz(db, &trainer, &wang, post).await?;
    roleplay(db, &trainer, &wang, repair, [4, 4, 4, 1, 4, 4]).await?;
    // E1005 to E1008 qualify in full first.
    let mut qualified = Vec::new();
    for no in ["E1005", "E1006", "E1007", "E1008"] {
        let p = person(no).await?;
        finish_course(db, p.id, course_id).await?;
        pass_quiz(db, &trainer, &p, post).await?;
        roleplay(db, &trainer, &p, repair, good).await?;
        qualified.push(p);
    }
    let [zhao, qian, sun, zhou] = &qualified[..] else { return Ok(()) };
    // 林晨 E1009 and 郑阳 E1010: one lesson from the floor.
    for no in ["E1009", "E1010"] {
        let p = person(no).await?;
        read_course(db, p.id, course_id, 1).await?;
        pass_quiz(db, &trainer, &p, post).await?;
        roleplay(db, &trainer, &p, repair, good).await?;
    }
    // 冯雪 E1011 and 何静 E1012, certified 35 days ago; 罗敏 E1014, 80 days ago; 高翔 E1013,
    // 100 days ago: their follow-ups on the job are due, overdue or done (`followup::seed`).
    for (no, days) in [("E1011", 35), ("E1012", 35), ("E1013", 100), ("E1014", 80)] {
        let p = person(no).await?;
        finish_course(db, p.id, course_id).await?;
        pass_quiz(db, &trainer, &p, post).await?;
        roleplay(db, &trainer, &p, repair, good).await?;
        backdate(db, p.id, days).await?;
    }
    // 赵磊 E1005: certified 330 days ago: inside the renewal window, expiring.
    backdate(db, zhao.id, 330).await?;
    // 钱静 E1006: certified 400 days ago and not renewed: expired.
    backdate(db, qian.id, 400).await?;
    recompute::sweep(db, now()).await?;
    // 孙浩 E1007: revoked by his manager; 周婷 E1008: suspended.
    let manager = person("M1001").await?;
    let m = Actor { id: Some(manager.id), ip: "" };
    status::decide(
        db,
        m,
        &manager,
        sun.id,
        junior,
        Decision::Revoke,
        "客户投诉核实：违反三包政策 Complaint confirmed: warranty rules breached",
    )
    .await?;
    status::decide(
        db,
        m,
        &manager,
        zhou.id,
        junior,
        Decision::Suspend,
        "停岗调查中 Off the floor pending an investigation",
    )
    .await?;
    // 吴芳 E2002 (Beijing): certified with an exemption by her manager.
    let wu = person("E2002").await?;
    let bj = person("M2001").await?;
    status::decide(
        db,
        Actor { id: Some(bj.id), ip: "" },
        &bj,
        wu.id,
        junior,
        Decision::Exempt,
        "从其他分公司调入，持同等证书 Transferred with an equivalent certificate",
    )
    .await?;
    Ok(())
}
