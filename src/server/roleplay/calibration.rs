//! Rater calibration: for every pair of trainers who rated the same performances, agreement per
//! criterion and overall (see `kappa`).

use std::collections::BTreeMap;

use super::decode_criteria;
use super::kappa::agreement;
use crate::error::AppResult;
use crate::model::roleplay::{AgreementPoint, CalibrationRow, CALIBRATION_MIN_N};
use crate::model::Names;
use crate::server::db::Db;

/// One role-play rated by a pair of raters: (criterion name, level count, level A, level B).
type Paired = Vec<(Names, usize, u8, u8)>;

/// One rater's rating: (rater id, name, levels, the rubric version's criteria JSON).
type Rating = (i64, String, Vec<u8>, String);

/// Every pair of raters with their agreement per criterion and overall (all criteria pooled on the
/// widest scale), pairs flagged when kappa is below `threshold`.
#[tracing::instrument(skip_all)]
pub async fn report(db: &Db, threshold: f64) -> AppResult<Vec<CalibrationRow>> {
    let rows = sqlx::query!(
        r#"select g.roleplay_id, g.rater_id, u.display_name, g.levels, v.criteria
           from roleplay_ratings g
           join users u on u.id = g.rater_id
           join roleplays p on p.id = g.roleplay_id
           join rubric_versions v on v.id = p.rubric_version_id
           where g.is_self = 0 and p.status = 'final'
           order by g.roleplay_id, g.submitted_at, g.id"#
    )
    .fetch_all(&db.read)
    .await?;
    // Role-play → its raters in order; only the first two count (there are never more).
    let mut by_roleplay: BTreeMap<i64, Vec<Rating>> = BTreeMap::new();
    for r in rows {
        let levels = serde_json::from_str(&r.levels).unwrap_or_default();
        by_roleplay.entry(r.roleplay_id).or_default().push((r.rater_id, r.display_name, levels, r.criteria));
    }
    // (rater A id, rater B id) with A < B → names and paired levels.
    let mut pairs: BTreeMap<(i64, i64), (String, String, Paired)> = BTreeMap::new();
    for ratings in by_roleplay.values() {
        let [x, y, ..] = ratings.as_slice() else { continue };
        let (a, b) = if x.0 < y.0 { (x, y) } else { (y, x) };
        let criteria = decode_criteria(&a.3)?;
        let entry = pairs.entry((a.0, b.0)).or_insert_with(|| (a.1.clone(), b.1.clone(), Vec::new()));
        for ((c, la), lb) in criteria.iter().zip(&a.2).zip(&b.2) {
            entry.2.push((c.name.clone(), c.levels.len(), *la, *lb));
        }
    }
    let mut out = Vec::new();
    for (name_a, name_b, paired) in pairs.into_values() {
        let widest = paired.iter().map(|p| p.1).max().unwrap_or(0);
        let all: Vec<(u8, u8)> = paired.iter().map(|p| (p.2, p.3)).collect();
        let mut rows_for_pair = Vec::new();
        if let Some(a) = agreement(&all, widest) {
            rows_for_pair.push((None, a));
        }
        let mut by_criterion: BTreeMap<(&Names, usize), Vec<(u8, u8)>> = BTreeMap::new();
        for (name, levels, la, lb) in &paired {
            by_criterion.entry((name, *levels)).or_default().push((*la, *lb));
        }
        for ((name, levels), pairs) in by_criterion {
            if let Some(a) = agreement(&pairs, levels) {
                rows_for_pair.push((Some(name.clone()), a));
            }
        }
        out.extend(rows_for_pair.into_iter().map(|(criterion, a)| CalibrationRow {
            rater_a: name_a.clone(),
            rater_b: name_b.clone(),
            criterion,
            n: a.n,
            kappa: a.kappa,
            exact_percent: a.exact_percent,
            adjacent_percent: a.adjacent_percent,
            flagged: a.n >= CALIBRATION_MIN_N && a.kappa.is_some_and(|k| k < threshold),
            too_few: a.n < CALIBRATION_MIN_N,
        }));
    }
    Ok(out)
}

/// Agreement over time: every pair's scores pooled (all criteria on the widest scale, as the
/// overall rows), per month the role-plays became final, oldest first.
#[tracing::instrument(skip_all)]
pub async fn trend(db: &Db) -> AppResult<Vec<AgreementPoint>> {
    let rows = sqlx::query!(
        r#"select g.roleplay_id, g.levels, v.criteria, p.finalized_at as "finalized_at!: i64"
           from roleplay_ratings g
           join roleplays p on p.id = g.roleplay_id
           join rubric_versions v on v.id = p.rubric_version_id
           where g.is_self = 0 and p.status = 'final' and p.finalized_at is not null
           order by g.roleplay_id, g.submitted_at, g.id"#
    )
    .fetch_all(&db.read)
    .await?;
    let mut by_roleplay: BTreeMap<i64, (i64, String, Vec<Vec<u8>>)> = BTreeMap::new();
    for r in rows {
        let levels: Vec<u8> = serde_json::from_str(&r.levels).unwrap_or_default();
        by_roleplay.entry(r.roleplay_id).or_insert_with(|| (r.finalized_at, r.criteria, Vec::new())).2.push(levels);
    }
    let mut months: BTreeMap<String, (usize, Vec<(u8, u8)>)> = BTreeMap::new();
    for (at, criteria, ratings) in by_roleplay.into_values() {
        let [a, b, ..] = ratings.as_slice() else { continue };
        let criteria = decode_criteria(&criteria)?;
        let month = chrono::DateTime::from_timestamp(at, 0).map(|t| t.format("%Y-%m").to_string()).unwrap_or_default();
        let e = months.entry(month).or_default();
        for ((c, la), lb) in criteria.iter().zip(a).zip(b) {
            e.0 = e.0.max(c.levels.len());
            e.1.push((*la, *lb));
        }
    }
    Ok(months
        .into_iter()
        .filter_map(|(month, (widest, pairs))| {
            agreement(&pairs, widest).map(|a| AgreementPoint {
                month,
                n: a.n,
                kappa: a.kappa,
                exact_percent: a.exact_percent,
            })
        })
        .collect())
}
