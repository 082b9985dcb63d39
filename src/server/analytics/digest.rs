//! The weekly digest: at the first sweep of each ISO week (Monday 00:00 UTC, 08:00 in China)
//! every manager gets one notice with their dashboard's headline figures, in the app and by email
//! when SMTP is set. One per manager and week, however often the sweep runs.

use chrono::Datelike;

use crate::error::AppResult;
use crate::i18n::Locale;
use crate::model::analytics::{Dashboard, Digest, PeriodPass};
use crate::server::auth::guard::acting_as;
use crate::server::db::Db;

pub const KIND: &str = "digest";

/// The week `at` falls in: a number that orders (202649) and its label (2026-W49).
pub fn week_of(at: i64) -> (i64, String) {
    let w = chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().date_naive().iso_week();
    (i64::from(w.year()) * 100 + i64::from(w.week()), format!("{}-W{:02}", w.year(), w.week()))
}

fn figures(week: String, d: &Dashboard) -> Digest {
    Digest {
        week,
        people: d.people,
        cleared: d.cleared,
        expiring_30: d.expiring[0],
        expired: d.expired,
        suspended_or_revoked: d.suspended + d.revoked,
        this_period: d.this_period,
        previous: d.previous,
        worst_quiz: d.worst_quiz.clone(),
        essays_overdue: d.essays_overdue,
        roleplays_overdue: d.roleplays_overdue,
    }
}

/// Writes this week's digest for every active manager who has none yet; returns how many.
#[tracing::instrument(skip_all, fields(at))]
pub async fn weekly(db: &Db, at: i64) -> AppResult<usize> {
    let (subject, week) = week_of(at);
    let managers = sqlx::query_scalar!(
        r#"select distinct m.user_id as "id!: i64" from team_managers m join users u on u.id = m.user_id
           where u.active = 1 and exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'manager')
             and not exists (select 1 from notifications n where n.user_id = u.id and n.kind = $1 and n.subject_id = $2)
           order by 1"#,
        KIND,
        subject
    )
    .fetch_all(&db.read)
    .await?;
    for id in &managers {
        let caller = acting_as(db, *id).await?;
        let d = super::dashboard::dashboard(db, &caller, None, at).await?;
        let params = serde_json::to_string(&figures(week.clone(), &d)).map_err(crate::error::internal)?;
        let mut tx = db.begin().await?;
        sqlx::query!(
            "insert into notifications (user_id, kind, subject_id, params, link, created_at) values ($1, $2, $3, $4, '/', $5)
             on conflict (user_id, kind, subject_id) do nothing",
            id,
            KIND,
            subject,
            params,
            at
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(managers.len())
}

/// A digest's figures read back from its notice; a damaged one reads as empty rather than failing the list.
pub fn parse(params: &str) -> Digest {
    serde_json::from_str(params).unwrap_or_default()
}

fn rate(p: PeriodPass) -> String {
    p.first_rate().map_or("—".into(), |r| format!("{r:.0}%"))
}

/// The email: both languages in one message, as the expiry notices are.
pub fn email(d: &Digest, link: &str) -> (String, String) {
    let subject = format!("培训周报 Weekly training digest {}", d.week);
    let worst = d.worst_quiz.as_ref().map(|w| {
        (
            format!("首次通过率最低的测验：{}（{:.0}%）\n", w.title.shown(Locale::ZhCn), w.first_rate),
            format!("Weakest quiz on the first attempt: {} ({:.0}%)\n", w.title.shown(Locale::En), w.first_rate),
        )
    });
    let (worst_zh, worst_en) = worst.unwrap_or_default();
    let body = format!(
        "今日可上岗：{cleared} / {people} 人\n30 天内到期：{exp} 人；已过期：{expired} 人；暂停或吊销：{held} 人\n\
         近 30 天首次通过率：{now_rate}（此前 30 天：{prev_rate}）\n{worst_zh}\
         逾期待评：{essays} 份问答题，{rps} 个角色扮演\n\n\
         Cleared for the floor today: {cleared} of {people} people\n\
         Expiring within 30 days: {exp}; expired: {expired}; suspended or revoked: {held}\n\
         First-attempt pass rate, last 30 days: {now_rate} (30 days before: {prev_rate})\n{worst_en}\
         Overdue for a rater: {essays} essays, {rps} role-plays\n\n{link}\n",
        cleared = d.cleared,
        people = d.people,
        exp = d.expiring_30,
        expired = d.expired,
        held = d.suspended_or_revoked,
        now_rate = rate(d.this_period),
        prev_rate = rate(d.previous),
        essays = d.essays_overdue,
        rps = d.roleplays_overdue,
    );
    (subject, body)
}
