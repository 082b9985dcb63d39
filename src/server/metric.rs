//! On-the-job metrics (issue 15): admins define them; values per person and period come from an
//! upload (CSV or XLSX: employee_no, metric, period, value), a manager's entry sheet, or
//! `POST /api/v1/metrics`. All three go through [`check_rows`], so a value is checked the same way
//! whatever brought it, and any bad row rejects the whole batch with its line named. A value for a
//! period already stored replaces it ([`store`]), so sending the same file twice changes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

use chrono::{Datelike, NaiveDate};

use crate::error::{AppError, AppResult, RowError};
use crate::model::metric::{BeforeAfter, EntryRow, EntrySheet, Metric, MetricPeriod, PersonMetrics, PersonSeries};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::{self, Actor, Event};
use crate::server::auth::guard::{visible_team_ids, CurrentUser};
use crate::server::db::{Conn, Db};
use crate::server::{now, text};

/// Rows per upload or API call.
pub const MAX_ROWS: usize = 20_000;
/// Before and after certification, values this close to it count.
const WINDOW_DAYS: i64 = 183;

/// One value as an upload row or the API gives it (the API's JSON, so it stays on the server).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetricValueInput {
    pub employee_no: String,
    /// The metric's code, or its name in either language.
    pub metric: String,
    pub period: String,
    /// A number (JSON) or text (a spreadsheet cell).
    pub value: serde_json::Value,
}

/// The fields of a metric as the admin's form gives them.
#[derive(Debug, Clone, Default)]
pub struct MetricFields {
    pub code: String,
    pub name: Names,
    pub unit: String,
    pub higher_is_better: bool,
    pub period: Option<MetricPeriod>,
}

struct MetricRow {
    id: i64,
    code: String,
    name: String,
    name_en: String,
    unit: String,
    higher_is_better: i64,
    period: String,
}

impl From<MetricRow> for Metric {
    fn from(r: MetricRow) -> Metric {
        Metric {
            id: r.id,
            code: r.code,
            name: Names::new(r.name, r.name_en),
            unit: r.unit,
            higher_is_better: r.higher_is_better == 1,
            period: MetricPeriod::parse(&r.period).unwrap_or(MetricPeriod::Month),
        }
    }
}

/// The metrics in use, by name.
pub async fn list(db: &Db) -> AppResult<Vec<Metric>> {
    let rows = sqlx::query_as!(
        MetricRow,
        r#"select id as "id!: i64", code, name, name_en, unit, higher_is_better, period from metrics
           where archived_at is null order by name_en, name"#
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(Metric::from).collect())
}

/// Defines a metric (`id` none) or changes one; the code is fixed once values use it.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id = ?id))]
pub async fn save(db: &Db, actor: Actor<'_>, id: Option<i64>, f: MetricFields) -> AppResult<i64> {
    let code = f.code.trim().to_lowercase();
    if code.is_empty()
        || code.len() > 40
        || !code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(AppError::validation("code", "error.metric_code_invalid"));
    }
    let name = text::authored(&f.name, "name", text::NAME)?;
    let unit = text::line("unit", &f.unit, 40)?;
    let period = f.period.ok_or_else(|| AppError::validation("period", "error.choice_unknown"))?;
    let (period_s, better) = (period.as_str(), i64::from(f.higher_is_better));
    let at = now();
    let mut tx = db.begin().await?;
    let id = match id {
        None => sqlx::query_scalar!(
            r#"insert into metrics (code, name, name_en, unit, higher_is_better, period, created_by, created_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8) returning id as "id!: i64""#,
            code,
            name.zh,
            name.en,
            unit,
            better,
            period_s,
            actor.id,
            at
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if crate::server::db::is_unique_violation(&e, crate::server::db::Unique::MetricCode) {
                AppError::Conflict { field: "code".into() }
            } else {
                e.into()
            }
        })?,
        Some(id) => {
            let used = sqlx::query_scalar!(
                r#"select exists(select 1 from metric_values where metric_id = $1) and
                          (select period from metrics where id = $1) <> $2 as "changed!: bool""#,
                id,
                period_s
            )
            .fetch_one(&mut *tx)
            .await?;
            if used {
                return Err(AppError::validation("period", "error.metric_period_in_use"));
            }
            let n = sqlx::query!(
                "update metrics set name = $1, name_en = $2, unit = $3, higher_is_better = $4, period = $5
                 where id = $6 and archived_at is null",
                name.zh,
                name.en,
                unit,
                better,
                period_s,
                id
            )
            .execute(&mut *tx)
            .await?;
            if n.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            id
        }
    };
    let detail = format!("{code}: {} ({unit}, {period_s}, higher is better: {better})", name.both());
    audit::record(&mut tx, Event::by(actor, "metric_saved", "metric", id).detail(detail)).await?;
    tx.commit().await?;
    Ok(id)
}

// ---- Checking values ------------------------------------------------------------------------

/// A value ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub metric_id: i64,
    pub user_id: i64,
    pub period: String,
    pub value: f64,
}

/// Whose values a batch may carry: everyone (an admin, a token for every team), or the people of
/// these teams (a manager's, a token's).
#[derive(Debug, Clone)]
pub enum Scope {
    Everyone,
    Teams(Vec<i64>),
}

/// A period as the metric keeps it: a day `YYYY-MM-DD`, or a month `YYYY-MM` (a date on the 1st,
/// as a spreadsheet turns "2026-11" into, counts as that month).
pub fn period_of(p: MetricPeriod, raw: &str) -> Option<String> {
    let raw = raw.trim();
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().filter(|d| (2000..=2100).contains(&d.year()));
    match p {
        MetricPeriod::Day => day.map(|d| d.format("%Y-%m-%d").to_string()),
        MetricPeriod::Month => match day {
            Some(d) if d.day() == 1 => Some(d.format("%Y-%m").to_string()),
            Some(_) => None,
            None => NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
                .ok()
                .filter(|d| (2000..=2100).contains(&d.year()))
                .map(|d| d.format("%Y-%m").to_string()),
        },
    }
}

fn number(v: &serde_json::Value) -> Option<f64> {
    let n = match v {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().replace(',', ".").parse().ok()?,
        _ => return None,
    };
    (n.is_finite() && n.abs() <= 1e9).then_some(n)
}

/// Checks every row (numbered from `first_line`), naming each problem; nothing is returned unless
/// every row is good. A period in the future, an unknown person or metric, a person outside
/// `scope`, a bad number, and the same person, metric and period twice are refused.
pub async fn check_rows(
    conn: &mut Conn,
    rows: &[MetricValueInput],
    scope: &Scope,
    first_line: u32,
) -> AppResult<Vec<Checked>> {
    if rows.is_empty() {
        return Err(AppError::validation("file", "error.file_empty"));
    }
    if rows.len() > MAX_ROWS {
        return Err(AppError::validation("file", "error.too_many"));
    }
    let metrics: Vec<Metric> = sqlx::query_as!(
        MetricRow,
        r#"select id as "id!: i64", code, name, name_en, unit, higher_is_better, period from metrics
           where archived_at is null"#
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(Metric::from)
    .collect();
    let find_metric = |m: &str| {
        let m = m.trim().to_lowercase();
        metrics.iter().find(|x| x.code == m || x.name.zh.to_lowercase() == m || x.name.en.to_lowercase() == m)
    };
    let people: HashMap<String, (i64, Option<i64>)> = sqlx::query!(
        r#"select id as "id!: i64", lower(employee_no) as "no!: String", team_id from users where active = 1"#
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.no, (r.id, r.team_id)))
    .collect();
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let line = first_line + i as u32;
        let mut bad = |field: &str, key: &str, value: &str| {
            errors.push(RowError { line, field: field.into(), key: key.into(), value: value.to_string() })
        };
        let person = people.get(&r.employee_no.trim().to_lowercase()).copied();
        let in_scope = match (person, scope) {
            (Some(_), Scope::Everyone) => true,
            (Some((_, Some(team))), Scope::Teams(teams)) => teams.contains(&team),
            _ => false,
        };
        let user_id = match person {
            None => {
                bad("employee_no", "error.employee_unknown", &r.employee_no);
                None
            }
            Some(_) if !in_scope => {
                bad("employee_no", "error.employee_out_of_scope", &r.employee_no);
                None
            }
            Some((id, _)) => Some(id),
        };
        let metric = find_metric(&r.metric);
        if metric.is_none() {
            bad("metric", "error.metric_unknown", &r.metric);
        }
        let period = metric.and_then(|m| {
            let p = period_of(m.period, &r.period);
            if p.is_none() {
                let key = if m.period == MetricPeriod::Day {
                    "error.period_day_invalid"
                } else {
                    "error.period_month_invalid"
                };
                bad("period", key, &r.period);
            }
            p
        });
        if period.as_deref().is_some_and(|p| p > today.as_str()) {
            bad("period", "error.period_future", &r.period);
        }
        let value = number(&r.value);
        if value.is_none() {
            let given = match &r.value {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            bad("value", "error.number_invalid", &given);
        }
        if let (Some(user_id), Some(m), Some(period), Some(value)) = (user_id, metric, period, value) {
            if !seen.insert((user_id, m.id, period.clone())) {
                bad("period", "error.metric_row_twice", &r.period);
                continue;
            }
            out.push(Checked { metric_id: m.id, user_id, period, value });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    Ok(out)
}

/// Where a value came from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Upload,
    Typed,
    Api { token_id: i64 },
}

/// Stores checked values in one transaction, each replacing what was there for its person, metric
/// and period; one audit entry for the batch.
pub async fn store(db: &Db, actor: Actor<'_>, values: &[Checked], source: Source) -> AppResult<usize> {
    let (source_s, token_id) = match source {
        Source::Upload => ("upload", None),
        Source::Typed => ("typed", None),
        Source::Api { token_id } => ("api", Some(token_id)),
    };
    let at = now();
    let mut tx = db.begin().await?;
    for v in values {
        sqlx::query!(
            "insert into metric_values (metric_id, user_id, period, value, source, recorded_by, token_id, recorded_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)
             on conflict (metric_id, user_id, period) do update set value = excluded.value, source = excluded.source,
                 recorded_by = excluded.recorded_by, token_id = excluded.token_id, recorded_at = excluded.recorded_at",
            v.metric_id,
            v.user_id,
            v.period,
            v.value,
            source_s,
            actor.id,
            token_id,
            at
        )
        .execute(&mut *tx)
        .await?;
    }
    let detail = format!("{} values ({source_s})", values.len());
    let event = Event {
        actor: actor.id,
        action: "metric_values_stored",
        subject_type: if token_id.is_some() { "api_token" } else { "metric" },
        subject_id: token_id,
        detail,
        ip: actor.ip,
    };
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(values.len())
}

/// A spreadsheet's rows under a header naming the columns (in either language, any order).
fn rows_from_table(table: Vec<Vec<String>>) -> AppResult<Vec<MetricValueInput>> {
    let mut it = table.into_iter();
    let header: Vec<String> = it.next().unwrap_or_default().iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let (Some(no), Some(metric), Some(period), Some(value)) = (
        col(&["employee_no", "工号"]),
        col(&["metric", "指标"]),
        col(&["period", "期间", "日期", "月份"]),
        col(&["value", "数值", "值"]),
    ) else {
        return Err(AppError::validation("file", "error.metric_header"));
    };
    let cell = |r: &[String], i: usize| r.get(i).cloned().unwrap_or_default();
    Ok(it
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .map(|r| MetricValueInput {
            employee_no: cell(&r, no),
            metric: cell(&r, metric),
            period: cell(&r, period),
            value: serde_json::Value::String(cell(&r, value)),
        })
        .collect())
}

/// An uploaded CSV or XLSX file as rows (line 2 is the first after the header).
pub fn read_upload(name: &str, data: &[u8]) -> AppResult<Vec<MetricValueInput>> {
    if data.len() > 10 * 1024 * 1024 {
        return Err(AppError::validation("file", "error.file_too_large"));
    }
    let table: Vec<Vec<String>> = if data.starts_with(b"PK\x03\x04") || name.to_lowercase().ends_with(".xlsx") {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> =
            Xlsx::new(Cursor::new(data)).map_err(|_| AppError::validation("file", "error.xlsx_unreadable"))?;
        let sheet = book
            .worksheet_range_at(0)
            .ok_or_else(|| AppError::validation("file", "error.file_empty"))?
            .map_err(|_| AppError::validation("file", "error.xlsx_unreadable"))?;
        // A date cell is a day count from 1899-12-30; the rest as the cell shows it.
        let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("a date");
        sheet
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::DateTime(d) => epoch
                            .checked_add_days(chrono::Days::new(d.as_f64().max(0.0) as u64))
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default(),
                        c => c.to_string(),
                    })
                    .collect()
            })
            .collect()
    } else {
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(data);
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|_| AppError::validation("file", "error.csv_unreadable"))?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        rows
    };
    rows_from_table(table)
}

/// An admin's upload: every row checked, then all stored, or none.
#[tracing::instrument(skip_all, fields(actor = ?actor.id))]
pub async fn import_file(db: &Db, actor: Actor<'_>, caller: &CurrentUser, name: &str, data: &[u8]) -> AppResult<usize> {
    if !caller.has(Role::Admin) {
        tracing::warn!(user_id = caller.id, "denied: metric upload");
        return Err(AppError::Forbidden);
    }
    let rows = read_upload(name, data)?;
    let mut conn = db.read.acquire().await?;
    let checked = check_rows(&mut conn, &rows, &Scope::Everyone, 2).await?;
    drop(conn);
    store(db, actor, &checked, Source::Upload).await
}

/// The API's batch, for a token's teams; rows are numbered from 1 in the order sent.
pub async fn api_write(db: &Db, token_id: i64, teams: Option<Vec<i64>>, rows: &[MetricValueInput]) -> AppResult<usize> {
    let scope = match teams {
        None => Scope::Everyone,
        Some(t) => Scope::Teams(t),
    };
    let mut conn = db.read.acquire().await?;
    let checked = check_rows(&mut conn, rows, &scope, 1).await?;
    drop(conn);
    store(db, Actor { id: None, ip: "api" }, &checked, Source::Api { token_id }).await
}

async fn caller_scope(db: &Db, caller: &CurrentUser) -> AppResult<Scope> {
    if caller.has(Role::Admin) {
        return Ok(Scope::Everyone);
    }
    if caller.has(Role::Manager) {
        return Ok(Scope::Teams(visible_team_ids(db, caller.id).await?));
    }
    tracing::warn!(user_id = caller.id, "denied: metric entry");
    Err(AppError::Forbidden)
}

/// The manager's entry sheet: the people of their teams (all for an admin) with the value stored
/// for this metric and period, if any.
#[tracing::instrument(skip_all, fields(caller = caller.id))]
pub async fn entry_sheet(db: &Db, caller: &CurrentUser, metric_id: Option<i64>, period: &str) -> AppResult<EntrySheet> {
    let scope = caller_scope(db, caller).await?;
    let metrics = list(db).await?;
    let metric = metric_id.and_then(|id| metrics.iter().find(|m| m.id == id)).or(metrics.first()).cloned();
    let period = match &metric {
        Some(m) if !period.trim().is_empty() => {
            period_of(m.period, period).ok_or_else(|| AppError::validation("period", "error.period_invalid"))?
        }
        Some(m) => {
            let today = chrono::Utc::now().date_naive();
            match m.period {
                MetricPeriod::Day => today.format("%Y-%m-%d").to_string(),
                MetricPeriod::Month => today.format("%Y-%m").to_string(),
            }
        }
        None => String::new(),
    };
    let (all, teams) = match &scope {
        Scope::Everyone => (true, "[]".to_string()),
        Scope::Teams(t) => (false, serde_json::to_string(t).map_err(crate::error::internal)?),
    };
    let metric_id = metric.as_ref().map(|m| m.id);
    let people = sqlx::query!(
        r#"select u.id as "id!: i64", u.display_name, u.employee_no, t.name as "team?", t.name_en as "team_en?",
                  (select v.value from metric_values v where v.metric_id = $3 and v.user_id = u.id and v.period = $4)
                      as "value?: f64"
           from users u left join teams t on t.id = u.team_id
           where u.active = 1 and exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'trainee')
             and ($1 or u.team_id in (select value from json_each($2)))
           order by t.name, u.employee_no limit 500"#,
        all,
        teams,
        metric_id,
        period
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| EntryRow {
        user_id: r.id,
        display_name: r.display_name,
        employee_no: r.employee_no,
        team: Names::new(r.team.unwrap_or_default(), r.team_en.unwrap_or_default()),
        value: r.value,
    })
    .collect();
    Ok(EntrySheet { metrics, metric_id, period, people })
}

/// A manager types values in: `values` maps a person's id to the text typed; blanks are left as
/// they were. Checked as any upload is, for the caller's teams.
#[tracing::instrument(skip_all, fields(caller = caller.id, metric_id))]
pub async fn save_entries(
    db: &Db,
    actor: Actor<'_>,
    caller: &CurrentUser,
    metric_id: i64,
    period: &str,
    values: &BTreeMap<String, String>,
) -> AppResult<usize> {
    let scope = caller_scope(db, caller).await?;
    let m = sqlx::query!("select code, period from metrics where id = $1 and archived_at is null", metric_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    let typed: Vec<(i64, &String)> = values
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(id, v)| {
            let id =
                id.trim_start_matches('u').parse().map_err(|_| AppError::validation("values", "error.number_invalid"));
            id.map(|id| (id, v))
        })
        .collect::<AppResult<_>>()?;
    // The typed people's numbers and what is stored for them, in one read.
    let kept = MetricPeriod::parse(&m.period).and_then(|p| period_of(p, period));
    let ids =
        serde_json::to_string(&typed.iter().map(|(id, _)| *id).collect::<Vec<_>>()).map_err(crate::error::internal)?;
    let mut conn = db.read.acquire().await?;
    let people: HashMap<i64, (String, Option<f64>)> = sqlx::query!(
        r#"select u.id as "id!: i64", u.employee_no,
                  (select v.value from metric_values v where v.metric_id = $1 and v.user_id = u.id and v.period = $2)
                      as "value?: f64"
           from users u where u.id in (select value from json_each($3))"#,
        metric_id,
        kept,
        ids
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.id, (r.employee_no, r.value)))
    .collect();
    let mut rows = Vec::new();
    for (id, v) in typed {
        let (no, before) = people.get(&id).cloned().unwrap_or_default();
        // The sheet shows what is stored: a value sent back unchanged is not a new entry.
        if before.is_some_and(|b| v.trim().replace(',', ".").parse::<f64>().is_ok_and(|n| (n - b).abs() < 1e-9)) {
            continue;
        }
        rows.push(MetricValueInput {
            employee_no: no,
            metric: m.code.clone(),
            period: period.to_string(),
            value: serde_json::Value::String(v.clone()),
        });
    }
    if rows.is_empty() {
        return if values.values().all(|v| v.trim().is_empty()) {
            Err(AppError::validation("values", "error.metric_nothing_typed"))
        } else {
            Ok(0)
        };
    }
    let checked = check_rows(&mut conn, &rows, &scope, 1).await?;
    drop(conn);
    store(db, actor, &checked, Source::Typed).await
}

// ---- Reading them -----------------------------------------------------------------------------

/// Who may see a person's metrics: the person, their managers, trainers and admins.
async fn may_see(db: &Db, caller: &CurrentUser, user_id: i64) -> AppResult<bool> {
    if caller.id == user_id || caller.has(Role::Admin) || caller.has(Role::Trainer) {
        return Ok(true);
    }
    if !caller.has(Role::Manager) {
        return Ok(false);
    }
    let team = sqlx::query_scalar!("select team_id from users where id = $1", user_id).fetch_optional(&db.read).await?;
    Ok(match team.flatten() {
        Some(t) => visible_team_ids(db, caller.id).await?.contains(&t),
        None => false,
    })
}

/// One person's metrics over time, with the days they were certified.
#[tracing::instrument(skip_all, fields(caller = caller.id, user_id))]
pub async fn of_person(db: &Db, caller: &CurrentUser, user_id: i64) -> AppResult<PersonMetrics> {
    if !may_see(db, caller, user_id).await? {
        tracing::warn!(user_id = caller.id, subject = user_id, "denied: metrics out of scope");
        return Err(AppError::Forbidden);
    }
    let metrics = list(db).await?;
    let values = sqlx::query!(
        r#"select metric_id, period, value from metric_values where user_id = $1 order by metric_id, period"#,
        user_id
    )
    .fetch_all(&db.read)
    .await?;
    let series = metrics
        .into_iter()
        .filter_map(|m| {
            let points: Vec<(String, f64)> =
                values.iter().filter(|v| v.metric_id == m.id).map(|v| (v.period.clone(), v.value)).collect();
            (!points.is_empty()).then_some(PersonSeries { metric: m, points })
        })
        .collect();
    let certified = sqlx::query!(
        r#"select k.issued_at, p.name, p.name_en
           from certificates k join programs p on p.id = k.program_id
           where k.user_id = $1 order by k.issued_at"#,
        user_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (utc_day(r.issued_at).to_string(), Names::new(r.name, r.name_en)))
    .collect();
    Ok(PersonMetrics { series, certified })
}

/// The UTC day of a Unix time, as the certification day of the metrics' charts.
fn utc_day(at: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().date_naive()
}

/// Whether a period lies before the certification day, after it, or neither (the month it fell
/// in), within [`WINDOW_DAYS`].
fn side(period: &str, certified: NaiveDate) -> Option<bool> {
    let (start, end) = if period.len() == 7 {
        let start = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()?;
        let end = start.checked_add_months(chrono::Months::new(1))?.pred_opt()?;
        (start, end)
    } else {
        let d = NaiveDate::parse_from_str(period, "%Y-%m-%d").ok()?;
        (d, d)
    };
    let window = chrono::Days::new(WINDOW_DAYS as u64);
    if end < certified && start >= certified.checked_sub_days(window)? {
        Some(false)
    } else if start >= certified && end <= certified.checked_add_days(window)? {
        Some(true)
    } else {
        None
    }
}

/// Each metric before and after the first certification in `program` (none: the first program), over the people certified
/// who are in `team` (and below it) and the caller's scope: the mean of each person's mean before
/// against the mean of their mean after, counting only people with values on both sides.
#[tracing::instrument(skip_all, fields(caller = caller.id, program_id))]
pub async fn before_after(
    db: &Db,
    caller: &CurrentUser,
    program: Option<i64>,
    team: Option<i64>,
) -> AppResult<Vec<BeforeAfter>> {
    // No program picked: the first, as the on-the-job results page shows it.
    let program_id = match program {
        Some(p) => p,
        None => sqlx::query_scalar!(
            r#"select id as "id!: i64" from programs where archived_at is null order by level_id, id limit 1"#
        )
        .fetch_optional(&db.read)
        .await?
        .unwrap_or_default(),
    };
    let scope = match caller_scope(db, caller).await {
        Ok(s) => s,
        Err(_) if caller.has(Role::Trainer) => Scope::Everyone,
        Err(e) => return Err(e),
    };
    let teams: Option<Vec<i64>> = match (team, &scope) {
        (Some(t), Scope::Teams(mine)) if !mine.contains(&t) => return Err(AppError::Forbidden),
        (Some(t), _) => Some(crate::server::team::subtree_ids(db, t).await?),
        (None, Scope::Teams(mine)) => Some(mine.clone()),
        (None, Scope::Everyone) => None,
    };
    let (all, teams_json) = match &teams {
        None => (true, "[]".to_string()),
        Some(t) => (false, serde_json::to_string(t).map_err(crate::error::internal)?),
    };
    let first = sqlx::query!(
        r#"select k.user_id as "user_id!: i64", min(k.issued_at) as "first_at!: i64"
           from certificates k join users u on u.id = k.user_id
           where k.program_id = $1 and ($2 or u.team_id in (select value from json_each($3)))
           group by k.user_id"#,
        program_id,
        all,
        teams_json
    )
    .fetch_all(&db.read)
    .await?;
    let certified: HashMap<i64, NaiveDate> = first.into_iter().map(|r| (r.user_id, utc_day(r.first_at))).collect();
    let values = sqlx::query!(
        r#"select v.metric_id, v.user_id, v.period, v.value from metric_values v
           where v.user_id in (select k.user_id from certificates k where k.program_id = $1)"#,
        program_id
    )
    .fetch_all(&db.read)
    .await?;
    let mut out = Vec::new();
    for m in list(db).await? {
        // person -> (sum, n) before and after
        let mut sides: HashMap<i64, [(f64, u32); 2]> = HashMap::new();
        for v in values.iter().filter(|v| v.metric_id == m.id) {
            let Some(day) = certified.get(&v.user_id) else { continue };
            let Some(after) = side(&v.period, *day) else { continue };
            let s = &mut sides.entry(v.user_id).or_default()[usize::from(after)];
            s.0 += v.value;
            s.1 += 1;
        }
        let both: Vec<(f64, f64)> = sides
            .values()
            .filter(|[b, a]| b.1 > 0 && a.1 > 0)
            .map(|[b, a]| (b.0 / f64::from(b.1), a.0 / f64::from(a.1)))
            .collect();
        let n = both.len();
        let mean = |f: fn(&(f64, f64)) -> f64| (n > 0).then(|| both.iter().map(f).sum::<f64>() / n as f64);
        out.push(BeforeAfter {
            before: mean(|p| p.0),
            after: mean(|p| p.1),
            people: n as i64,
            one_sided: (sides.len() - n) as i64,
            metric: m,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_as_each_metric_keeps_them() {
        assert_eq!(period_of(MetricPeriod::Day, " 2026-11-03 ").as_deref(), Some("2026-11-03"));
        assert_eq!(period_of(MetricPeriod::Day, "2026-11"), None);
        assert_eq!(period_of(MetricPeriod::Day, "2026-02-30"), None);
        assert_eq!(period_of(MetricPeriod::Month, "2026-11").as_deref(), Some("2026-11"));
        assert_eq!(period_of(MetricPeriod::Month, "2026-11-01").as_deref(), Some("2026-11"), "a spreadsheet's month");
        assert_eq!(period_of(MetricPeriod::Month, "2026-11-15"), None, "a day is not a month");
        assert_eq!(period_of(MetricPeriod::Month, "2026-13"), None);
        assert_eq!(period_of(MetricPeriod::Month, "1999-12"), None);
    }

    #[test]
    fn before_and_after_certification() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        assert_eq!(side("2026-05", day), Some(false));
        assert_eq!(side("2026-06", day), None, "the month it happened in is neither");
        assert_eq!(side("2026-07", day), Some(true));
        assert_eq!(side("2026-06-14", day), Some(false));
        assert_eq!(side("2026-06-15", day), Some(true), "the day itself is after");
        assert_eq!(side("2025-11", day), None, "outside the half year before");
        assert_eq!(side("2026-12", day), None, "ends after the half year after");
    }
}
