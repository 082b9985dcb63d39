//! Demo follow-ups on the job. The junior program gets an evaluation plan (the supervisor at 30, 60
//! and 90 days on the repair role-play's rubric, the person's own view at 30, re-assessment on a
//! failure) that has been in place for a year; the sweep then makes everyone's follow-ups as it
//! would have, and the observations are made through the service:
//! - 赵磊 E1005 (certified 330 days ago): all done and passed;
//! - 高翔 E1013 (100 days): passed at 30 days; at 60 days his supervisor saw him quote the wrong
//!   warranty rule, a critical criterion, which sent him back to re-assessment; 90 days overdue;
//! - 罗敏 E1014 (80 days): the 30-day one waived (on leave), the 60-day one overdue;
//! - 冯雪 E1011 and 何静 E1012 (35 days): their 30-day follow-ups are due now;
//! - 李娜 E1001 and 吴芳 E2002 (certified today): scheduled.

use crate::error::AppResult;
use crate::model::followup::{Observer, OnFail};
use crate::model::roleplay::ScoreInput;
use crate::server::audit::Actor;
use crate::server::auth::guard::{self, CurrentUser};
use crate::server::db::Db;
use crate::server::followup::{self, Observation, StepInput};
use crate::server::{now, user};

async fn followup_of(db: &Db, no: &str, offset: i64, observer: Observer) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "select f.id from followups f join users u on u.id = f.user_id
         where u.employee_no = $1 and f.offset_days = $2 and f.observer = $3 order by f.id desc limit 1",
    )
    .bind(no)
    .bind(offset)
    .bind(observer.as_str())
    .fetch_one(&db.read)
    .await?)
}

/// `by` observes `no`'s follow-up at these levels (the repair rubric's six criteria), and it is
/// dated two days after its due day, as it would have been.
async fn observe(
    db: &Db,
    by: &CurrentUser,
    (no, offset, observer): (&str, i64, Observer),
    levels: [u8; 6],
    notes: [&str; 6],
    overall: &str,
) -> AppResult<i64> {
    let id = followup_of(db, no, offset, observer).await?;
    let o = Observation {
        scores: levels
            .iter()
            .zip(notes)
            .map(|(l, n)| ScoreInput { level: Some(l.to_string()), comment: n.into() })
            .collect(),
        overall: overall.into(),
        ..Default::default()
    };
    followup::submit(db, Actor { id: Some(by.id), ip: "" }, by, id, &o).await?;
    let mut tx = db.begin().await?;
    sqlx::query("update followups set completed_at = case when due_at + 2 * 86400 < completed_at then due_at + 2 * 86400 else completed_at end where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn seed(db: &Db) -> AppResult<()> {
    let trainer = user::find_id(db, "T1001").await?;
    let chen = Actor { id: Some(trainer), ip: "" };
    let junior: i64 = sqlx::query_scalar("select id from programs where level_id = 1 order by id limit 1")
        .fetch_one(&db.read)
        .await?;
    let rubric: i64 = sqlx::query_scalar(
        "select s.rubric_id from program_requirements q join scenarios s on s.id = q.scenario_id
         where q.program_id = $1 and q.kind = 'roleplay' order by q.id limit 1",
    )
    .bind(junior)
    .fetch_one(&db.read)
    .await?;
    followup::save_settings(db, chen, junior, OnFail::Reassess, 7, 7).await?;
    let step = |offset_days, observer| StepInput {
        offset_days,
        observer,
        rubric_id: Some(rubric),
        form_id: None,
        pass_percent: 70,
    };
    for d in [30, 60, 90] {
        followup::add_step(db, chen, junior, step(d, Observer::Supervisor)).await?;
    }
    followup::add_step(db, chen, junior, step(30, Observer::SelfAssessment)).await?;
    // In place for a year: every current certificate gets its follow-ups.
    let mut tx = db.begin().await?;
    sqlx::query("update followup_steps set created_at = created_at - 400 * 86400").execute(&mut *tx).await?;
    tx.commit().await?;
    followup::sweep(db, now()).await?;

    let manager = guard::acting_as(db, user::find_id(db, "M1001").await?).await?;
    let person = |no: &'static str| async move { guard::acting_as(db, user::find_id(db, no).await?).await };
    let fine = ["", "", "", "", "", ""];
    // 赵磊 E1005: a steady year.
    let zhao = person("E1005").await?;
    observe(
        db,
        &zhao,
        ("E1005", 30, Observer::SelfAssessment),
        [3, 3, 3, 4, 3, 3],
        fine,
        "还在熟悉系统。Still learning the system.",
    )
    .await?;
    for (offset, levels) in [(30, [3, 3, 3, 4, 3, 3]), (60, [4, 3, 4, 4, 3, 4]), (90, [4, 4, 4, 4, 4, 4])] {
        observe(
            db,
            &manager,
            ("E1005", offset, Observer::Supervisor),
            levels,
            fine,
            "按培训要求执行。Works as trained.",
        )
        .await?;
    }
    // 高翔 E1013: passed at 30 days; at 60 the wrong warranty rule, on a real call.
    let gao = person("E1013").await?;
    observe(db, &gao, ("E1013", 30, Observer::SelfAssessment), [4, 4, 4, 4, 4, 4], fine, "").await?;
    observe(db, &manager, ("E1013", 30, Observer::Supervisor), [4, 3, 3, 3, 3, 3], fine, "").await?;
    let notes = [
        "",
        "",
        "",
        "告诉客户人为损坏也在三包范围内。Told the customer accidental damage is covered by the warranty.",
        "",
        "",
    ];
    observe(
        db,
        &manager,
        ("E1013", 60, Observer::Supervisor),
        [3, 3, 3, 1, 3, 2],
        notes,
        "三包政策需重新考核后再独立接线。Re-assess the warranty rules before he takes calls alone again.",
    )
    .await?;
    // The re-assessment is dated with the observation.
    let mut tx = db.begin().await?;
    sqlx::query(
        "update certifications set reassess_since = (select completed_at from followups where id = reassess_followup_id)
         where reassess_followup_id is not null",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    // 罗敏 E1014: on leave at 30 days; back since, and her 60-day follow-up is overdue.
    for observer in [Observer::Supervisor, Observer::SelfAssessment] {
        let id = followup_of(db, "E1014", 30, observer).await?;
        followup::waive(db, Actor { id: Some(manager.id), ip: "" }, &manager, id, "产假中 On maternity leave").await?;
    }
    // 冯雪 E1011 has given her own view; her supervisor's is due.
    let feng = person("E1011").await?;
    observe(db, &feng, ("E1011", 30, Observer::SelfAssessment), [4, 3, 3, 4, 3, 3], fine, "").await?;
    // The history above was made at once: its notices of since-finished follow-ups are not news.
    let mut tx = db.begin().await?;
    sqlx::query(
        "delete from notifications where kind like 'followup%'
         and subject_id in (select id from followups where state in ('completed', 'waived'))",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
