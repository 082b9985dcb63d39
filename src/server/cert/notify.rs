//! Notices of approaching expiry (and expiry) to the holder and the managers of their team and
//! the teams above it: always in the app, and by email when an SMTP server is configured.

use crate::error::AppResult;
use crate::i18n::Locale;
use crate::model::cert::{CertStatus, NotificationView};
use crate::model::Names;
use crate::server::analytics::digest;
use crate::server::config::Config;
use crate::server::db::{Conn, Db};

/// Queues one notice per person for this certificate and status (a second call adds nothing).
#[tracing::instrument(skip_all, fields(at))]
pub async fn queue(conn: &mut Conn, holder: i64, certificate: i64, status: CertStatus, at: i64) -> AppResult<()> {
    let kind = status.as_str();
    let link = format!("/people/{holder}/certification");
    let recipients = sqlx::query_scalar!(
        r#"with recursive up(id) as (
               select team_id from users where id = $1 and team_id is not null
               union
               select t.parent_id from teams t join up on t.id = up.id where t.parent_id is not null
           )
           select $1 as "id!: i64"
           union
           select m.user_id from team_managers m join up on up.id = m.team_id"#,
        holder
    )
    .fetch_all(&mut *conn)
    .await?;
    for user_id in recipients {
        once(conn, user_id, kind, certificate, &link, at).await?;
    }
    Ok(())
}

/// A notice for one person, once per kind and subject (a second call adds nothing).
pub async fn once(conn: &mut Conn, user_id: i64, kind: &str, subject_id: i64, link: &str, at: i64) -> AppResult<()> {
    sqlx::query!(
        "insert into notifications (user_id, kind, subject_id, link, created_at) values ($1, $2, $3, $4, $5)
         on conflict (user_id, kind, subject_id) do nothing",
        user_id,
        kind,
        subject_id,
        link,
        at
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn list(db: &Db, user_id: i64) -> AppResult<Vec<NotificationView>> {
    // A digest is about the manager's teams, not a certificate: the left joins find nothing.
    let rows = sqlx::query!(
        r#"select n.id as "id!: i64", n.kind, n.params, n.link, n.created_at, n.read_at,
                  coalesce(u.display_name, '') as "display_name!: String",
                  coalesce(p.name, sv.title) as "program?: String", coalesce(p.name_en, sv.title_en) as "program_en?: String",
                  coalesce(c.expires_at, q.due_at, f.due_at) as "expires_at?: i64"
           from notifications n
           left join certificates c on c.id = n.subject_id and n.kind in ('expiring', 'expired', 'suspended', 'revoked', 'reassess')
           -- A follow-up notice is about a follow-up: the person observed, the program, the due day.
           left join followups f on f.id = n.subject_id and n.kind in ('followup_due', 'followup_overdue', 'followup_escalated')
           left join users u on u.id = coalesce(c.user_id, f.user_id)
           left join programs p on p.id = coalesce(c.program_id, f.program_id)
           -- A survey notice is about a survey request: the course it asks about and its due date.
           left join survey_requests q on q.id = n.subject_id and n.kind in ('survey', 'survey_reminder')
           left join survey_subjects sv on sv.survey_id = q.survey_id
           where n.user_id = $1 and (c.id is not null or q.id is not null or f.id is not null or n.kind = 'digest')
           order by n.created_at desc, n.id desc limit 100"#,
        user_id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| NotificationView {
            id: r.id,
            digest: (r.kind == digest::KIND).then(|| digest::parse(&r.params)),
            kind: r.kind,
            holder: r.display_name,
            program: Names::new(r.program.unwrap_or_default(), r.program_en.unwrap_or_default()),
            expires_at: r.expires_at.unwrap_or_default(),
            link: r.link,
            created_at: r.created_at,
            read: r.read_at.is_some(),
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn unread(db: &Db, user_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "select count(*) as \"n!\" from notifications where user_id = $1 and read_at is null",
        user_id
    )
    .fetch_one(&db.read)
    .await?)
}

#[tracing::instrument(skip_all, fields(user_id, at))]
pub async fn mark_read(db: &Db, user_id: i64, at: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query!("update notifications set read_at = $1 where user_id = $2 and read_at is null", at, user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Emails notices not yet emailed, when SMTP is configured; without it notices stay in the app
/// only, which is not an error. A failed send is logged and retried on the next run.
#[tracing::instrument(skip_all, fields(at))]
pub async fn send_email(db: &Db, config: &Config, at: i64) -> AppResult<usize> {
    use lettre::message::header::ContentType;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let Some(url) = config.smtp_url.as_deref() else { return Ok(0) };
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
        Ok(t) => t.build(),
        Err(e) => {
            tracing::error!(error = %e, "FLOORREADY_SMTP_URL is not a valid SMTP URL");
            return Ok(0);
        }
    };
    let pending = sqlx::query!(
        r#"select n.id, n.kind, n.params, n.link, r.email, r.display_name as recipient,
                  h.display_name as "holder?", coalesce(p.name, sv.title) as "program?: String",
                  coalesce(p.name_en, sv.title_en) as "program_en?: String",
                  coalesce(c.expires_at, q.due_at, f.due_at) as "expires_at?: i64"
           from notifications n
           join users r on r.id = n.user_id
           left join certificates c on c.id = n.subject_id and n.kind in ('expiring', 'expired', 'suspended', 'revoked', 'reassess')
           left join followups f on f.id = n.subject_id and n.kind in ('followup_due', 'followup_overdue', 'followup_escalated')
           left join users h on h.id = coalesce(c.user_id, f.user_id)
           left join programs p on p.id = coalesce(c.program_id, f.program_id)
           left join survey_requests q on q.id = n.subject_id and n.kind in ('survey', 'survey_reminder')
           left join survey_subjects sv on sv.survey_id = q.survey_id
           where n.emailed_at is null and r.active = 1
             and (c.id is not null or q.id is not null or f.id is not null or n.kind = 'digest')
           order by n.id limit 100"#
    )
    .fetch_all(&db.read)
    .await?;
    let base = config.public_url.trim_end_matches('/');
    let mut sent = 0;
    for n in pending {
        let program = Names::new(n.program.unwrap_or_default(), n.program_en.unwrap_or_default());
        let (subject, body) = if n.kind == digest::KIND {
            digest::email(&digest::parse(&n.params), &format!("{base}{}", n.link))
        } else if n.kind == crate::server::survey::NOTICE || n.kind == crate::server::survey::REMINDER {
            survey_email(&program, n.expires_at.unwrap_or_default(), &format!("{base}{}", n.link))
        } else {
            expiry_email(
                &n.kind,
                n.holder.unwrap_or_default(),
                &program,
                n.expires_at.unwrap_or_default(),
                &format!("{base}{}", n.link),
            )
        };
        let message = (|| {
            Message::builder()
                .from(config.smtp_from.parse().ok()?)
                .to(format!("{} <{}>", n.recipient, n.email).parse().ok()?)
                .subject(subject)
                .header(ContentType::TEXT_PLAIN)
                .body(body)
                .ok()
        })();
        let Some(message) = message else {
            tracing::warn!(notification = n.id, "cannot build the email (check FLOORREADY_SMTP_FROM and the address)");
            continue;
        };
        match transport.send(message).await {
            Ok(_) => {
                let mut tx = db.begin().await?;
                sqlx::query!("update notifications set emailed_at = $1 where id = $2", at, n.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(error = %e, notification = n.id, "email not sent; will retry");
                break;
            }
        }
    }
    Ok(sent)
}

/// A survey request's email (the first notice and the reminder), in both languages.
fn survey_email(course: &Names, due_at: i64, link: &str) -> (String, String) {
    let day = chrono::DateTime::from_timestamp(due_at, 0).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let (zh, en) = (course.shown(Locale::ZhCn), course.shown(Locale::En));
    (
        format!("请评价课程 Please rate the course: {en}"),
        format!("请在 {day} 前填写「{zh}」的课程反馈。\nPlease tell us what you thought of {en} by {day}.\n\n{link}\n"),
    )
}

/// A certificate notice's email, in both languages: the recipient's locale is a UI setting, and
/// a notice forwarded to a colleague should still read.
fn expiry_email(kind: &str, holder: String, program: &Names, expires_at: i64, link: &str) -> (String, String) {
    let day =
        chrono::DateTime::from_timestamp(expires_at, 0).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let (zh, en) = (program.shown(Locale::ZhCn), program.shown(Locale::En));
    let (subject, body) = match kind {
        "expired" => (
            format!("证书已过期 Certificate expired: {holder}"),
            format!("{holder} 的「{zh}」证书已于 {day} 到期。\n{holder}'s {en} certificate expired on {day}."),
        ),
        "revoked" => (
            format!("证书已吊销 Certificate revoked: {holder}"),
            format!("{holder} 的「{zh}」证书已被吊销。\n{holder}'s {en} certificate was revoked."),
        ),
        "suspended" => (
            format!("证书已暂停 Certificate suspended: {holder}"),
            format!("{holder} 的「{zh}」证书已被暂停。\n{holder}'s {en} certificate was suspended."),
        ),
        "reassess" => (
            format!("需重新考核 Re-assessment required: {holder}"),
            format!(
                "{holder} 的「{zh}」在岗跟踪评估未通过，须重新通过情景演练后方可上岗。\n\
                 {holder} failed an on-the-job follow-up in {en} and must pass the role-play again before going back on the floor."
            ),
        ),
        "followup_due" => (
            format!("跟踪评估待完成 Follow-up due: {holder}"),
            format!("请在 {day} 前完成 {holder} 的「{zh}」在岗跟踪评估。\nPlease observe {holder} on the job for {en} by {day}."),
        ),
        "followup_overdue" | "followup_escalated" => (
            format!("跟踪评估已逾期 Follow-up overdue: {holder}"),
            format!(
                "{holder} 的「{zh}」在岗跟踪评估已逾期（应于 {day} 完成）。\n\
                 The on-the-job follow-up of {holder} in {en} is overdue (it was due on {day})."
            ),
        ),
        _ => (
            format!("证书即将到期 Certificate expiring: {holder}"),
            format!("{holder} 的「{zh}」证书将于 {day} 到期。\n{holder}'s {en} certificate expires on {day}."),
        ),
    };
    (subject, format!("{body}\n\n{link}\n"))
}
