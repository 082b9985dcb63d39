//! Training plans (培训计划): what is trained, for whom, when and where, and who attended.

pub mod export;

use chrono::{NaiveDate, NaiveTime};

use crate::error::{AppError, AppResult, RowError};
use crate::i18n::Zone;
use crate::model::plan::{
    Attendance, AttendanceRate, AttendanceRow, AttendanceSheet, Method, PlanCourse, PlanDetail, PlanFields, PlanMember,
    PlanSession, PlanSummary,
};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::{visible_team_ids, CurrentUser};
use crate::server::cert::{self, Change};
use crate::server::course::enroll::{enroll_users, enrollable_version};
use crate::server::db::{Conn, Db};
use crate::server::now;
use crate::server::team;
use crate::server::text;
use crate::server::user;

/// Admins and the trainer who made the plan may change it.
#[tracing::instrument(skip_all, fields(caller = user.id, plan_id))]
pub async fn can_edit(db: &Db, user: &CurrentUser, plan_id: i64) -> AppResult<bool> {
    if user.has(Role::Admin) {
        return Ok(true);
    }
    let creator = sqlx::query_scalar!("select created_by from training_plans where id = $1", plan_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(user.has(Role::Trainer) && creator == user.id)
}

/// Whose records in a plan a caller may see. A person's attendance and results are personal
/// data (PIPL, GDPR): the plan's editors, its instructors and admins see every member; a manager
/// sees the members of the teams they manage; a member sees their own row, and no budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    everyone: bool,
    /// The teams (with everything below them) of a manager the plan reaches.
    teams: Vec<i64>,
    me: i64,
}

impl Viewer {
    /// May see other people's records, the budget and the record form (培训记录表).
    pub fn sees_records(&self) -> bool {
        self.everyone || !self.teams.is_empty()
    }

    pub fn sees(&self, user_id: i64, team_id: Option<i64>) -> bool {
        self.everyone || user_id == self.me || team_id.is_some_and(|t| self.teams.contains(&t))
    }
}

/// What `user` may see of the plan; `None` when it is none of their business.
#[tracing::instrument(skip_all, fields(caller = user.id, plan_id))]
pub async fn viewer(db: &Db, user: &CurrentUser, plan_id: i64) -> AppResult<Option<Viewer>> {
    let me = user.id;
    if can_edit(db, user, plan_id).await? {
        return Ok(Some(Viewer { everyone: true, teams: Vec::new(), me }));
    }
    let r = sqlx::query!(
        r#"select exists (select 1 from plan_sessions s where s.plan_id = $1 and s.instructor_id = $2) as "instructs!: bool",
                  exists (select 1 from plan_members m where m.plan_id = $1 and m.user_id = $2) as "member!: bool""#,
        plan_id,
        me
    )
    .fetch_one(&db.read)
    .await?;
    if r.instructs {
        return Ok(Some(Viewer { everyone: true, teams: Vec::new(), me }));
    }
    let mut teams = Vec::new();
    if user.has(Role::Manager) {
        let scope = visible_team_ids(db, me).await?;
        let reached = sqlx::query_scalar!(
            r#"select team_id as "team_id!: i64" from plan_teams where plan_id = $1
               union select u.team_id as "team_id!: i64" from plan_members m join users u on u.id = m.user_id
               where m.plan_id = $1 and u.team_id is not null"#,
            plan_id
        )
        .fetch_all(&db.read)
        .await?;
        if reached.iter().any(|t| scope.contains(t)) {
            teams = scope;
        }
    }
    Ok((r.member || !teams.is_empty()).then_some(Viewer { everyone: false, teams, me }))
}

#[tracing::instrument(skip_all, fields(caller = user.id, plan_id))]
pub async fn can_view(db: &Db, user: &CurrentUser, plan_id: i64) -> AppResult<bool> {
    Ok(viewer(db, user, plan_id).await?.is_some())
}

#[tracing::instrument(skip_all, fields(caller = user.id, plan_id))]
pub async fn require_edit(db: &Db, user: &CurrentUser, plan_id: i64) -> AppResult<()> {
    if can_edit(db, user, plan_id).await? {
        return Ok(());
    }
    tracing::warn!(user_id = user.id, plan_id, "denied: not an editor of this plan");
    Err(AppError::Forbidden)
}

#[tracing::instrument(skip_all, fields(caller = user.id, plan_id))]
pub async fn require_view(db: &Db, user: &CurrentUser, plan_id: i64) -> AppResult<Viewer> {
    if let Some(v) = viewer(db, user, plan_id).await? {
        return Ok(v);
    }
    tracing::warn!(user_id = user.id, plan_id, "denied: plan out of scope");
    Err(AppError::Forbidden)
}

/// Other people's records (the record form, its exports): not for a plain member.
#[tracing::instrument(skip_all, fields(caller = user.id, plan_id))]
pub async fn require_records(db: &Db, user: &CurrentUser, plan_id: i64) -> AppResult<Viewer> {
    let v = require_view(db, user, plan_id).await?;
    if v.sees_records() {
        return Ok(v);
    }
    tracing::warn!(user_id = user.id, plan_id, "denied: a member asked for the plan's records");
    Err(AppError::Forbidden)
}

/// Admins, the plan's editor and the session's instructor may mark attendance.
#[tracing::instrument(skip_all, fields(caller = user.id, session_id))]
pub async fn require_mark(db: &Db, user: &CurrentUser, session_id: i64) -> AppResult<i64> {
    let s = sqlx::query!("select plan_id, instructor_id from plan_sessions where id = $1", session_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    if s.instructor_id == Some(user.id) || can_edit(db, user, s.plan_id).await? {
        return Ok(s.plan_id);
    }
    tracing::warn!(user_id = user.id, session_id, "denied: not this session's instructor");
    Err(AppError::Forbidden)
}

fn date(field: &str, value: &Option<String>) -> AppResult<Option<String>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(|d| Some(d.to_string()))
            .map_err(|_| AppError::validation(field, "error.date_invalid")),
    }
}

pub fn validate(f: &PlanFields) -> AppResult<PlanFields> {
    let title = text::authored(&f.title, "title", text::NAME)?;
    let hire_from = date("hire_from", &f.hire_from)?;
    let hire_to = date("hire_to", &f.hire_to)?;
    if let (Some(a), Some(b)) = (&hire_from, &hire_to) {
        if a > b {
            return Err(AppError::validation("hire_to", "error.range_reversed"));
        }
    }
    if f.budget_planned_cents < 0 || f.budget_actual_cents < 0 {
        return Err(AppError::validation("budget_planned", "error.money_invalid"));
    }
    Ok(PlanFields {
        title,
        purpose: text::text("purpose", &f.purpose, text::TEXT)?,
        methods: f.methods.clone(),
        materials: text::text("materials", &f.materials, text::TEXT)?,
        venue: text::line("venue", &f.venue, text::LINE)?,
        audience_positions: text::line("audience_positions", &f.audience_positions, text::LINE)?,
        hire_from,
        hire_to,
        budget_planned_cents: f.budget_planned_cents,
        budget_actual_cents: f.budget_actual_cents,
        time_zone: f.time_zone,
    })
}

fn methods_text(methods: &[Method]) -> String {
    methods.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(",")
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id))]
pub async fn create(db: &Db, actor: Actor<'_>, creator: i64, fields: &PlanFields) -> AppResult<i64> {
    let f = validate(fields)?;
    let methods = methods_text(&f.methods);
    let zone = f.time_zone.name();
    let now = now();
    let mut tx = db.begin().await?;
    let id = sqlx::query_scalar!(
        r#"insert into training_plans (title, title_en, purpose, methods, materials, venue, audience_positions, hire_from,
                                       hire_to, budget_planned_cents, budget_actual_cents, time_zone, created_by, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id as "id!: i64""#,
        f.title.zh,
        f.title.en,
        f.purpose,
        methods,
        f.materials,
        f.venue,
        f.audience_positions,
        f.hire_from,
        f.hire_to,
        f.budget_planned_cents,
        f.budget_actual_cents,
        zone,
        creator,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, Event::by(actor, "plan_created", "plan", id).detail(f.title.both())).await?;
    tx.commit().await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn update(db: &Db, id: i64, fields: &PlanFields) -> AppResult<()> {
    let f = validate(fields)?;
    let methods = methods_text(&f.methods);
    let zone = f.time_zone.name();
    let changed = sqlx::query!(
        "update training_plans set title = $1, title_en = $2, purpose = $3, methods = $4, materials = $5, venue = $6,
                                   audience_positions = $7, hire_from = $8, hire_to = $9, budget_planned_cents = $10,
                                   budget_actual_cents = $11, time_zone = $12
         where id = $13",
        f.title.zh,
        f.title.en,
        f.purpose,
        methods,
        f.materials,
        f.venue,
        f.audience_positions,
        f.hire_from,
        f.hire_to,
        f.budget_planned_cents,
        f.budget_actual_cents,
        zone,
        id
    )
    .execute(&db.write)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Replaces the plan's audience teams and its courses.
#[tracing::instrument(skip_all, fields(id))]
pub async fn set_teams_and_courses(db: &Db, id: i64, team_ids: &[i64], course_ids: &[i64]) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query!("delete from plan_teams where plan_id = $1", id).execute(&mut *tx).await?;
    sqlx::query!("delete from plan_courses where plan_id = $1", id).execute(&mut *tx).await?;
    for t in team_ids {
        let ok =
            sqlx::query_scalar!("select count(*) as \"n!\" from teams where id = $1", t).fetch_one(&mut *tx).await?;
        if ok == 0 {
            return Err(AppError::validation("team_id", "error.team_unknown"));
        }
        sqlx::query!("insert into plan_teams (plan_id, team_id) values ($1, $2)", id, t).execute(&mut *tx).await?;
    }
    for c in course_ids {
        let ok =
            sqlx::query_scalar!("select count(*) as \"n!\" from courses where id = $1", c).fetch_one(&mut *tx).await?;
        if ok == 0 {
            return Err(AppError::validation("course", "error.course_unknown"));
        }
        sqlx::query!("insert into plan_courses (plan_id, course_id) values ($1, $2)", id, c).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct SessionInput {
    pub topic: String,
    pub day: String,
    pub start_time: String,
    pub end_time: String,
    pub venue: String,
    pub online_link: String,
    pub instructor_employee_no: String,
}

#[tracing::instrument(skip_all, fields(plan_id))]
pub async fn add_session(db: &Db, plan_id: i64, s: &SessionInput) -> AppResult<i64> {
    let day = NaiveDate::parse_from_str(s.day.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::validation("day", "error.date_invalid"))?;
    let time = |field: &str, v: &str| {
        NaiveTime::parse_from_str(v.trim(), "%H:%M").map_err(|_| AppError::validation(field, "error.time_invalid"))
    };
    let (start, end) = (time("start_time", &s.start_time)?, time("end_time", &s.end_time)?);
    if end <= start {
        return Err(AppError::validation("end_time", "error.range_reversed"));
    }
    let link = text::line("online_link", &s.online_link, text::LINE)?;
    let topic = text::line("topic", &s.topic, text::NAME)?;
    let venue = text::line("venue", &s.venue, text::LINE)?;
    let web_link = link.starts_with("https://") || link.starts_with("http://");
    if !link.is_empty() && !web_link {
        return Err(AppError::validation("online_link", "error.link_invalid"));
    }
    let mut tx = db.begin().await?;
    let instructor = match s.instructor_employee_no.trim() {
        "" => None,
        no => Some(
            user::active_ids_by_employee_no(&mut tx, &[(1, no)])
                .await
                .map_err(|_| AppError::validation("instructor", "error.employee_no_unknown"))?[0],
        ),
    };
    if let Some(id) = instructor {
        let trainer = sqlx::query_scalar!(
            "select count(*) as \"n!\" from user_roles where user_id = $1 and role = 'trainer'",
            id
        )
        .fetch_one(&mut *tx)
        .await?;
        if trainer == 0 {
            return Err(AppError::validation("instructor", "error.not_a_trainer"));
        }
    }
    let (day, start, end) = (day.to_string(), start.format("%H:%M").to_string(), end.format("%H:%M").to_string());
    let id = sqlx::query_scalar!(
        r#"insert into plan_sessions (plan_id, topic, day, start_time, end_time, venue, online_link, instructor_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning id as "id!: i64""#,
        plan_id,
        topic,
        day,
        start,
        end,
        venue,
        link,
        instructor
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(plan_id, session_id))]
pub async fn delete_session(db: &Db, plan_id: i64, session_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    // Attendance is evidence for certification: a session that holds some is kept.
    let marked = sqlx::query_scalar!("select count(*) as \"n!\" from attendance where session_id = $1", session_id)
        .fetch_one(&mut *tx)
        .await?;
    if marked > 0 {
        return Err(AppError::validation("session", "error.session_has_attendance"));
    }
    let gone = sqlx::query!("delete from plan_sessions where id = $1 and plan_id = $2", session_id, plan_id)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Adds members and enrolls them in each of the plan's courses that takes enrollments.
async fn add_members(conn: &mut Conn, actor: Actor<'_>, plan_id: i64, user_ids: &[i64]) -> AppResult<u32> {
    let now = now();
    let mut added = 0;
    for u in user_ids {
        let r = sqlx::query!(
            "insert into plan_members (plan_id, user_id, enrolled_at, enrolled_by) values ($1, $2, $3, $4)
             on conflict (plan_id, user_id) do nothing",
            plan_id,
            u,
            now,
            actor.id
        )
        .execute(&mut *conn)
        .await?;
        added += r.rows_affected() as u32;
        if r.rows_affected() > 0 {
            cert::person_changed(conn, *u, Change::JoinedPlan, actor, now).await?;
        }
    }
    let courses = sqlx::query_scalar!("select course_id from plan_courses where plan_id = $1", plan_id)
        .fetch_all(&mut *conn)
        .await?;
    for c in courses {
        // Courses not yet published are taken up when the plan is enrolled again after publishing.
        if enrollable_version(conn, c).await.is_ok() {
            enroll_users(conn, actor, c, user_ids).await?;
        }
    }
    audit::record(
        conn,
        Event::by(actor, "plan_enrolled", "plan", plan_id).detail(format!("{added} new of {}", user_ids.len())),
    )
    .await?;
    Ok(added)
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, plan_id))]
pub async fn enroll_numbers(db: &Db, actor: Actor<'_>, plan_id: i64, list: &str) -> AppResult<u32> {
    let numbers = user::split_employee_numbers(list);
    let mut tx = db.begin().await?;
    let ids = user::active_ids_by_employee_no(&mut tx, &numbers).await?;
    let added = add_members(&mut tx, actor, plan_id, &ids).await?;
    tx.commit().await?;
    Ok(added)
}

/// A CSV with an `employee_no` column; errors carry the file's line numbers. All or nothing.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, plan_id))]
pub async fn enroll_csv(db: &Db, actor: Actor<'_>, plan_id: i64, data: &[u8]) -> AppResult<u32> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(data);
    let headers = reader.headers().map_err(|_| AppError::validation("file", "error.csv_unreadable"))?.clone();
    let Some(col) = headers.iter().position(|h| h == "employee_no") else {
        return Err(AppError::Rows(vec![RowError {
            line: 1,
            field: "employee_no".into(),
            key: "error.csv_missing_column".into(),
            value: String::new(),
        }]));
    };
    let mut numbers = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u32 + 2;
        match record.as_ref().ok().and_then(|r| r.get(col)).filter(|v| !v.is_empty()) {
            Some(no) => numbers.push((line, no.to_string())),
            None => errors.push(RowError {
                line,
                field: "employee_no".into(),
                key: "error.csv_row_malformed".into(),
                value: String::new(),
            }),
        }
    }
    let mut tx = db.begin().await?;
    let refs: Vec<(u32, &str)> = numbers.iter().map(|(l, n)| (*l, n.as_str())).collect();
    let ids = match user::active_ids_by_employee_no(&mut tx, &refs).await {
        Ok(ids) if errors.is_empty() => ids,
        Ok(_) => return Err(AppError::Rows(errors)),
        Err(AppError::Rows(more)) => {
            errors.extend(more);
            errors.sort_by_key(|e| e.line);
            return Err(AppError::Rows(errors));
        }
        Err(e) if errors.is_empty() => return Err(e),
        Err(_) => return Err(AppError::Rows(errors)),
    };
    let added = add_members(&mut tx, actor, plan_id, &ids).await?;
    tx.commit().await?;
    Ok(added)
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, plan_id, team_id))]
pub async fn enroll_team(db: &Db, actor: Actor<'_>, plan_id: i64, team_id: i64) -> AppResult<u32> {
    let mut tx = db.begin().await?;
    let ids = team::active_trainees(&mut tx, team_id).await?;
    let added = add_members(&mut tx, actor, plan_id, &ids).await?;
    tx.commit().await?;
    Ok(added)
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, session_id, user_id))]
pub async fn mark(db: &Db, actor: Actor<'_>, session_id: i64, user_id: i64, status: Attendance) -> AppResult<()> {
    let now = now();
    let s = status.as_str();
    let mut tx = db.begin().await?;
    let member = sqlx::query_scalar!(
        "select count(*) as \"n!\" from plan_sessions s join plan_members m on m.plan_id = s.plan_id where s.id = $1 and m.user_id = $2",
        session_id,
        user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if member == 0 {
        return Err(AppError::validation("user", "error.not_a_member"));
    }
    let session = sqlx::query!(
        "select s.day, s.start_time, p.time_zone from plan_sessions s join training_plans p on p.id = s.plan_id
         where s.id = $1",
        session_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let zone = Zone::parse(&session.time_zone).unwrap_or(Zone::UTC);
    if !started(zone, &session.day, &session.start_time, now) {
        return Err(AppError::validation("session", "error.session_not_started"));
    }
    sqlx::query!(
        "insert into attendance (session_id, user_id, status, marked_by, marked_at) values ($1, $2, $3, $4, $5)
         on conflict (session_id, user_id) do update set status = excluded.status, marked_by = excluded.marked_by,
                                                          marked_at = excluded.marked_at",
        session_id,
        user_id,
        s,
        actor.id,
        now
    )
    .execute(&mut *tx)
    .await?;
    cert::person_changed(&mut tx, user_id, Change::AttendanceMarked, actor, now).await?;
    if matches!(status, Attendance::Present | Attendance::Late) {
        crate::server::survey::session_attended(&mut tx, user_id, session_id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A session has started once its day and start time have come on the plan's clock.
fn started(zone: Zone, day: &str, start_time: &str, at: i64) -> bool {
    let Some(now) = zone.local(at) else { return false };
    format!("{day} {start_time}") <= now.format("%Y-%m-%d %H:%M").to_string()
}

async fn sessions(conn: &mut Conn, plan_id: i64) -> AppResult<Vec<PlanSession>> {
    Ok(sqlx::query_as!(
        PlanSession,
        r#"select s.id as "id!", s.topic, s.day, s.start_time, s.end_time, s.venue, s.online_link, s.instructor_id,
                  u.display_name as "instructor_name?"
           from plan_sessions s left join users u on u.id = s.instructor_id
           where s.plan_id = $1 order by s.day, s.start_time"#,
        plan_id
    )
    .fetch_all(&mut *conn)
    .await?)
}

#[tracing::instrument(skip_all, fields(caller = user.id, id))]
pub async fn detail(db: &Db, user: &CurrentUser, id: i64) -> AppResult<PlanDetail> {
    let viewer = require_view(db, user, id).await?;
    let can_edit = can_edit(db, user, id).await?;
    let mut conn = db.read.acquire().await?;
    let p = sqlx::query!(
        "select title, title_en, purpose, methods, materials, venue, audience_positions, hire_from, hire_to,
                budget_planned_cents, budget_actual_cents, time_zone from training_plans where id = $1",
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let team_ids = sqlx::query_scalar!("select team_id from plan_teams where plan_id = $1 order by team_id", id)
        .fetch_all(&mut *conn)
        .await?;
    let courses = sqlx::query!(
        r#"select c.id as "id!", v.title, v.title_en from plan_courses pc join courses c on c.id = pc.course_id
           join course_versions v on v.id = (select w.id from course_versions w where w.course_id = c.id
                                              order by w.status = 'published' desc, w.version_no desc limit 1)
           where pc.plan_id = $1 order by 2, 3"#,
        id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| PlanCourse { id: r.id, title: Names::new(r.title, r.title_en) })
    .collect();
    let sessions = sessions(&mut conn, id).await?;
    let rows = sqlx::query!(
        r#"select u.id as "id!", u.team_id, u.display_name, u.employee_no,
                  (select max(a.percent) from attempts a join quizzes z on z.id = a.quiz_id
                    join plan_courses pc on pc.course_id = z.course_id
                    where pc.plan_id = m.plan_id and z.kind = 'post_test' and a.user_id = u.id
                      and a.status = 'graded') as "post: f64",
                  (select max(a.passed) from attempts a join quizzes z on z.id = a.quiz_id
                    join plan_courses pc on pc.course_id = z.course_id
                    where pc.plan_id = m.plan_id and z.kind = 'post_test' and a.user_id = u.id
                      and a.status = 'graded') = 1 as "post_passed?: bool"
           from plan_members m join users u on u.id = m.user_id where m.plan_id = $1 order by u.display_name"#,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut total = AttendanceRate::default();
    let mut members = Vec::new();
    for r in rows.into_iter().filter(|r| viewer.sees(r.id, r.team_id)) {
        // The certification check's own count, so the page and the check never disagree.
        let rate = cert::evidence::attendance_rate(&mut conn, id, r.id).await?;
        total = total + rate;
        members.push(PlanMember {
            user_id: r.id,
            display_name: r.display_name,
            employee_no: r.employee_no,
            attendance_percent: rate.percent(),
            post_test_percent: r.post.map(|p| p.round() as u32),
            post_test_passed: r.post_passed,
        });
    }
    Ok(PlanDetail {
        id,
        fields: PlanFields {
            title: Names::new(p.title, p.title_en),
            purpose: p.purpose,
            methods: p.methods.split(',').filter_map(Method::parse).collect(),
            materials: p.materials,
            venue: p.venue,
            audience_positions: p.audience_positions,
            hire_from: p.hire_from,
            hire_to: p.hire_to,
            budget_planned_cents: if viewer.sees_records() { p.budget_planned_cents } else { 0 },
            budget_actual_cents: if viewer.sees_records() { p.budget_actual_cents } else { 0 },
            time_zone: Zone::parse(&p.time_zone).unwrap_or(Zone::UTC),
        },
        team_ids,
        courses,
        sessions,
        members,
        attendance_percent: total.percent(),
        can_edit,
        sees_records: viewer.sees_records(),
    })
}

/// Plans the user may see, soonest session first.
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn list_for(db: &Db, user: &CurrentUser, zone: Zone) -> AppResult<Vec<PlanSummary>> {
    let today = zone.today(now()).map(|d| d.to_string()).unwrap_or_default();
    let rows = sqlx::query!(
        r#"select p.id as "id!", p.title, p.title_en,
                  (select count(*) from plan_sessions s where s.plan_id = p.id) as "sessions!: i64",
                  (select count(*) from plan_members m where m.plan_id = p.id) as "members!: i64",
                  (select s.day || ' ' || s.start_time from plan_sessions s where s.plan_id = p.id and s.day >= $1
                    order by s.day, s.start_time limit 1) as "next_session?: String"
           from training_plans p order by p.created_at desc"#,
        today
    )
    .fetch_all(&db.read)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        if can_view(db, user, r.id).await? {
            out.push(PlanSummary {
                id: r.id,
                title: Names::new(r.title, r.title_en),
                sessions: r.sessions,
                members: r.members,
                next_session: r.next_session,
            });
        }
    }
    Ok(out)
}

#[tracing::instrument(skip_all, fields(session_id))]
pub async fn attendance_sheet(db: &Db, session_id: i64) -> AppResult<AttendanceSheet> {
    let mut conn = db.read.acquire().await?;
    let plan = sqlx::query!(
        r#"select p.id as "id!", p.title, p.title_en, p.time_zone from plan_sessions s
           join training_plans p on p.id = s.plan_id
           where s.id = $1"#,
        session_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let session =
        sessions(&mut conn, plan.id).await?.into_iter().find(|s| s.id == session_id).ok_or(AppError::NotFound)?;
    let rows = sqlx::query!(
        r#"select u.id as "id!", u.display_name, u.employee_no, a.status as "status?"
           from plan_members m join users u on u.id = m.user_id
           left join attendance a on a.session_id = $1 and a.user_id = u.id
           where m.plan_id = $2 order by u.display_name"#,
        session_id,
        plan.id
    )
    .fetch_all(&mut *conn)
    .await?;
    let zone = Zone::parse(&plan.time_zone).unwrap_or(Zone::UTC);
    let started = started(zone, &session.day, &session.start_time, now());
    Ok(AttendanceSheet {
        plan_id: plan.id,
        plan_title: Names::new(plan.title, plan.title_en),
        started,
        session,
        rows: rows
            .into_iter()
            .map(|r| AttendanceRow {
                user_id: r.id,
                display_name: r.display_name,
                employee_no: r.employee_no,
                status: r.status.as_deref().and_then(Attendance::parse),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::started;
    use crate::i18n::Zone;

    #[test]
    fn a_session_has_started_from_its_start_time_on_the_plan_clock() {
        let at =
            chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap().and_hms_opt(9, 0, 0).unwrap().and_utc().timestamp();
        let utc = Zone::UTC;
        assert!(started(utc, "2026-12-03", "09:00", at) && started(utc, "2026-12-02", "18:00", at));
        assert!(!started(utc, "2026-12-03", "09:01", at) && !started(utc, "2026-12-04", "08:00", at));
        // 09:00 UTC is 17:00 in Shanghai: the 16:00 session has begun, the 18:00 one has not.
        let shanghai = Zone::parse("Asia/Shanghai").unwrap();
        assert!(started(shanghai, "2026-12-03", "16:00", at) && !started(shanghai, "2026-12-03", "18:00", at));
    }
}
