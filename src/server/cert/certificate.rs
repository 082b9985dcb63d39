//! Certificates: the printable page for the holder and their managers, and the public
//! verification page its QR code links to.

use crate::error::{AppError, AppResult};
use crate::model::cert::{CertStatus, CertificateView, Verification};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::auth::guard::{visible_team_ids, CurrentUser};
use crate::server::db::Db;

struct Row {
    user_id: i64,
    team_id: Option<i64>,
    number: String,
    holder: String,
    employee_no: String,
    program: Names,
    level: Names,
    position: Names,
    issued_at: i64,
    expires_at: i64,
    exempted: bool,
    revoked: bool,
    current: bool,
    status: CertStatus,
}

async fn row(db: &Db, number: &str) -> AppResult<Row> {
    let r = sqlx::query!(
        r#"select k.id as "id!: i64", k.user_id, u.team_id, k.number, u.display_name, u.employee_no, p.name as program, p.name_en as program_en,
                  l.name_zh, l.name_en,
                  coalesce(x.name_zh, '') as "position_zh!: String", coalesce(x.name_en, '') as "position_en!: String",
                  k.issued_at, k.expires_at, k.exempted, k.revoked_at, c.certificate_id as "current?",
                  c.status as "status?"
           from certificates k
           join users u on u.id = k.user_id
           join programs p on p.id = k.program_id
           join course_levels l on l.id = p.level_id
           left join positions x on x.id = p.position_id
           left join certifications c on c.user_id = k.user_id and c.program_id = k.program_id
           where k.number = $1"#,
        number
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    let current = r.current == Some(r.id);
    Ok(Row {
        user_id: r.user_id,
        team_id: r.team_id,
        number: r.number,
        holder: r.display_name,
        employee_no: r.employee_no,
        program: Names::new(r.program, r.program_en),
        level: Names::new(r.name_zh, r.name_en),
        position: Names::new(r.position_zh, r.position_en),
        issued_at: r.issued_at,
        expires_at: r.expires_at,
        exempted: r.exempted != 0,
        revoked: r.revoked_at.is_some(),
        current,
        status: r.status.as_deref().and_then(CertStatus::parse).unwrap_or(CertStatus::NotStarted),
    })
}

/// The status this certificate stands for today: the person's status while it is their current
/// certificate; otherwise revoked, expired or superseded (shown as expired).
fn certificate_status(r: &Row, at: i64) -> CertStatus {
    if r.revoked {
        CertStatus::Revoked
    } else if r.current {
        r.status
    } else if at >= r.expires_at {
        CertStatus::Expired
    } else {
        // An older certificate replaced by a renewal: still within its dates, and the person's
        // standing is what counts.
        r.status
    }
}

fn qr_svg(url: &str) -> AppResult<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(crate::error::internal)?;
    let svg = code.render::<svg::Color>().min_dimensions(160, 160).quiet_zone(true).build();
    // Inline in HTML: the XML declaration is not needed.
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

/// The printable certificate, for the holder, admins, trainers and the holder's managers.
#[tracing::instrument(skip_all, fields(caller = caller.id, at))]
pub async fn view(
    db: &Db,
    caller: &CurrentUser,
    number: &str,
    public_url: &str,
    at: i64,
) -> AppResult<CertificateView> {
    let r = row(db, number).await?;
    let allowed = caller.id == r.user_id
        || caller.has(Role::Admin)
        || caller.has(Role::Trainer)
        || (caller.has(Role::Manager)
            && match r.team_id {
                Some(t) => visible_team_ids(db, caller.id).await?.contains(&t),
                None => false,
            });
    if !allowed {
        tracing::warn!(user_id = caller.id, number, "denied: certificate of another person");
        return Err(AppError::NotFound);
    }
    let verify_path = format!("/verify/{}", r.number);
    let qr = qr_svg(&format!("{}{verify_path}", public_url.trim_end_matches('/')))?;
    Ok(CertificateView {
        status: certificate_status(&r, at),
        number: r.number,
        holder: r.holder,
        employee_no: r.employee_no,
        program: r.program,
        level: r.level,
        position: r.position,
        issued_at: r.issued_at,
        expires_at: r.expires_at,
        exempted: r.exempted,
        verify_path,
        qr_svg: qr,
    })
}

/// The public check behind the QR code: only what is needed to verify the certificate.
#[tracing::instrument(skip_all, fields(at))]
pub async fn verify(db: &Db, number: &str, at: i64) -> AppResult<Verification> {
    let r = row(db, number.trim()).await?;
    Ok(Verification {
        status: certificate_status(&r, at),
        number: r.number,
        holder: r.holder,
        program: r.program,
        issued_at: r.issued_at,
        expires_at: r.expires_at,
    })
}
