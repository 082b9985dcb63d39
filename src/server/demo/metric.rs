//! Demo on-the-job metrics: customer satisfaction and complaints per 100 tickets, monthly, for the
//! last six months of the Shanghai floor, uploaded as a CSV file would be. People do better once
//! certified (the before/after report shows it), and 高翔's satisfaction drops in the month his
//! supervisor saw him quote the wrong warranty rule.

use crate::error::AppResult;
use crate::model::metric::MetricPeriod;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::auth::guard;
use crate::server::db::Db;
use crate::server::metric::{self, MetricFields};
use crate::server::user;

pub async fn seed(db: &Db) -> AppResult<()> {
    let admin = guard::acting_as(db, user::find_id(db, "A0001").await?).await?;
    let actor = Actor { id: Some(admin.id), ip: "" };
    let define = |code: &str, name: Names, unit: &str, higher_is_better: bool| MetricFields {
        code: code.into(),
        name,
        unit: unit.into(),
        higher_is_better,
        period: Some(MetricPeriod::Month),
    };
    metric::save(db, actor, None, define("csat", Names::new("客户满意度", "Customer satisfaction (CSAT)"), "%", true))
        .await?;
    metric::save(db, actor, None, define("complaints", Names::new("投诉率", "Complaints"), "per 100 tickets", false))
        .await?;
    // Each person's first certificate, to know which months come before it.
    let people: Vec<(String, Option<i64>)> = sqlx::query_as(
        "select u.employee_no, (select min(k.issued_at) from certificates k where k.user_id = u.id)
         from users u where u.employee_no in ('E1001', 'E1004', 'E1005', 'E1009', 'E1011', 'E1012', 'E1013', 'E1014')
         order by u.employee_no",
    )
    .fetch_all(&db.read)
    .await?;
    let today = chrono::Utc::now().date_naive();
    let months: Vec<String> = (1..=6)
        .rev()
        .filter_map(|back| today.checked_sub_months(chrono::Months::new(back)))
        .map(|d| d.format("%Y-%m").to_string())
        .collect();
    let mut csv = String::from("employee_no,metric,period,value\n");
    for (i, (no, certified)) in people.iter().enumerate() {
        let spread = i as f64 * 1.3 % 5.0;
        for (m, month) in months.iter().enumerate() {
            let after = certified.is_some_and(|at| month.as_str() > month_of(at).as_str());
            let wobble = if m % 2 == 0 { 0.6 } else { -0.4 };
            let mut csat = 80.0 + spread + wobble + if after { 7.0 } else { 0.0 };
            let complaints = 3.4 - spread / 10.0 - if after { 1.3 } else { 0.0 } + wobble / 4.0;
            // The month after 高翔's failed follow-up.
            if no == "E1013" && m == months.len() - 1 {
                csat -= 9.0;
            }
            csv.push_str(&format!("{no},csat,{month},{csat:.1}\n{no},complaints,{month},{complaints:.2}\n"));
        }
    }
    metric::import_file(db, actor, &admin, "demo-metrics.csv", csv.as_bytes()).await?;
    Ok(())
}

/// The month (YYYY-MM, UTC) of a Unix time.
fn month_of(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().format("%Y-%m").to_string()
}
