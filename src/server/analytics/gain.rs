//! Pre/post gains over matched pairs (people who took both tests): Hake's class normalized gain
//! <g>, the average of individual gains, and Marx & Cummings' normalized change c, which also
//! handles a loss and a pre-test of 100 %. Scores are percentages; gains are fractions.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub pre: f64,
    pub post: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GainFigures {
    pub pairs: usize,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    /// (mean post - mean pre) / (100 - mean pre); none when everyone started at 100 %.
    pub class_gain: Option<f64>,
    /// The mean of (post - pre) / (100 - pre) over those with a pre-test below 100 %.
    pub mean_gain: Option<f64>,
    pub gain_pairs: usize,
    /// The mean of c over the pairs it is defined for (all but 0 -> 0 and 100 -> 100).
    pub mean_change: Option<f64>,
    pub change_pairs: usize,
}

/// One person's normalized gain; undefined from a pre-test of 100 %.
pub fn gain(p: Pair) -> Option<f64> {
    (p.pre < 100.0).then(|| (p.post - p.pre) / (100.0 - p.pre))
}

/// Marx & Cummings (2007): a gain is measured against the room left, a loss against what was
/// there; no change is 0, except 0 -> 0 and 100 -> 100, which say nothing and are dropped.
pub fn change(p: Pair) -> Option<f64> {
    if p.post > p.pre {
        Some((p.post - p.pre) / (100.0 - p.pre))
    } else if p.post < p.pre {
        Some((p.post - p.pre) / p.pre)
    } else if p.pre == 0.0 || p.pre == 100.0 {
        None
    } else {
        Some(0.0)
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

pub fn figures(pairs: &[Pair]) -> GainFigures {
    let mean_pre = mean(&pairs.iter().map(|p| p.pre).collect::<Vec<_>>());
    let mean_post = mean(&pairs.iter().map(|p| p.post).collect::<Vec<_>>());
    let gains: Vec<f64> = pairs.iter().copied().filter_map(gain).collect();
    let changes: Vec<f64> = pairs.iter().copied().filter_map(change).collect();
    GainFigures {
        pairs: pairs.len(),
        mean_pre,
        mean_post,
        class_gain: match (mean_pre, mean_post) {
            (Some(a), Some(b)) if a < 100.0 => Some((b - a) / (100.0 - a)),
            _ => None,
        },
        mean_gain: mean(&gains),
        gain_pairs: gains.len(),
        mean_change: mean(&changes),
        change_pairs: changes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pre: f64, post: f64) -> Pair {
        Pair { pre, post }
    }

    /// Worked by hand: five people, one starting at 100 %, one who got worse, one who stayed.
    #[test]
    fn a_hand_computed_class() {
        let class = [p(40.0, 70.0), p(100.0, 100.0), p(80.0, 60.0), p(0.0, 50.0), p(50.0, 50.0)];
        assert_eq!(gain(class[0]), Some(0.5));
        assert_eq!(gain(class[1]), None, "no room left to gain");
        assert_eq!(gain(class[2]), Some(-1.0), "a loss measured against the room left overstates it");
        assert_eq!(change(class[2]), Some(-0.25), "c measures a loss against what was there");
        assert_eq!(change(class[1]), None);
        assert_eq!(change(p(0.0, 0.0)), None);
        assert_eq!(change(class[4]), Some(0.0));
        let f = figures(&class);
        assert_eq!((f.pairs, f.mean_pre, f.mean_post), (5, Some(54.0), Some(66.0)));
        assert!((f.class_gain.unwrap() - 12.0 / 46.0).abs() < 1e-12);
        assert_eq!((f.mean_gain, f.gain_pairs), (Some(0.0), 4), "(0.5 - 1 + 0.5 + 0) / 4");
        assert_eq!((f.mean_change, f.change_pairs), (Some(0.1875), 4), "(0.5 - 0.25 + 0.5 + 0) / 4");
        assert_eq!(figures(&[p(100.0, 90.0)]).class_gain, None);
        assert_eq!(figures(&[]), GainFigures::default());
    }
}

pub use report::{gain_report, gains_page, table, GainFilter};

mod report {
    use std::collections::{BTreeMap, HashMap};

    use super::{change, figures, GainFigures, Pair};
    use crate::error::{AppError, AppResult};
    use crate::i18n::Locale;
    use crate::model::analytics::{GainLine, GainPerson, GainQuery, GainReport, GainSummary, GainsPage, QuestionGain};
    use crate::model::user::Role;
    use crate::model::Names;
    use crate::server::auth::guard::{require_team_scope, visible_team_ids, CurrentUser};
    use crate::server::db::Db;
    use crate::server::spreadsheet::Table;

    fn summary(f: GainFigures) -> GainSummary {
        GainSummary {
            pairs: f.pairs as u32,
            mean_pre: f.mean_pre,
            mean_post: f.mean_post,
            class_gain: f.class_gain,
            mean_gain: f.mean_gain,
            gain_pairs: f.gain_pairs as u32,
            mean_change: f.mean_change,
            change_pairs: f.change_pairs as u32,
        }
    }

    /// Per question asked in both tests, over the matched people shown it both times (each
    /// one's first graded attempt of each): pairs, right before, right after, wrong -> right and
    /// right -> wrong. Counted in the database: at 50,000 answers per test, handing each answer
    /// over was most of the report's time.
    async fn per_question(db: &Db, pre: i64, post: i64, matched: &[i64]) -> AppResult<Vec<QuestionGain>> {
        let matched = serde_json::to_string(matched).map_err(crate::error::internal)?;
        let rows = sqlx::query!(
            r#"with firsts as (
                   select quiz_id, user_id, min(attempt_no) as n from attempts
                   where quiz_id in ($1, $2) and status = 'graded' and user_id in (select value from json_each($3))
                   group by quiz_id, user_id
               ),
               answers as (
                   select v.question_id, a.user_id, max(i.question_version_id) as version,
                          max(case when a.quiz_id = $1 then case when coalesce(i.fraction, 0) >= 1 - 1e-9 then 1 else 0 end end) as was,
                          max(case when a.quiz_id = $2 then case when coalesce(i.fraction, 0) >= 1 - 1e-9 then 1 else 0 end end) as now
                   from firsts f
                   join attempts a on a.quiz_id = f.quiz_id and a.user_id = f.user_id and a.attempt_no = f.n
                   join attempt_items i on i.attempt_id = a.id
                   join question_versions v on v.id = i.question_version_id
                   where i.points > 0
                   group by v.question_id, a.user_id
               )
               select g.question_id as "question_id!: i64", g.pairs as "pairs!: i64", g.was as "was!: i64",
                      g.now as "now!: i64", g.gained as "gained!: i64", g.lost as "lost!: i64", v.title, v.stem
               from (select question_id, count(*) as pairs, cast(sum(was) as bigint) as was, cast(sum(now) as bigint) as now,
                            cast(sum(case when was = 0 and now = 1 then 1 else 0 end) as bigint) as gained,
                            cast(sum(case when was = 1 and now = 0 then 1 else 0 end) as bigint) as lost,
                            max(version) as version
                     from answers where was is not null and now is not null
                     group by question_id) g
               join question_versions v on v.id = g.version
               order by g.question_id"#,
            pre,
            post,
            matched
        )
        .fetch_all(&db.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| QuestionGain {
                question: if r.title.trim().is_empty() { r.stem } else { r.title },
                pairs: r.pairs as u32,
                right_before: 100.0 * r.was as f64 / r.pairs as f64,
                right_after: 100.0 * r.now as f64 / r.pairs as f64,
                wrong_to_right: r.gained as u32,
                right_to_wrong: r.lost as u32,
            })
            .collect())
    }

    /// The gain report of a post-test paired with a pre-test (first graded attempts of each),
    /// or none when it has no pre-test; `teams`: only the people of these teams.
    #[tracing::instrument(skip_all, fields(post_test_id))]
    pub async fn gain_report(db: &Db, post_test_id: i64, teams: Option<&[i64]>) -> AppResult<Option<GainReport>> {
        let Some(pre) = sqlx::query!(
            r#"select p.id as "id!", p.title, p.title_en, z.course_id as post_course
               from quizzes z join quizzes p on p.id = z.pre_test_id where z.id = $1"#,
            post_test_id
        )
        .fetch_optional(&db.read)
        .await?
        else {
            return Ok(None);
        };
        let everyone = teams.is_none();
        let teams = serde_json::to_string(&teams.unwrap_or_default()).map_err(crate::error::internal)?;
        let rows = sqlx::query!(
            r#"select u.id as "id!", u.display_name, u.employee_no, u.team_id, u.hire_date,
                      (select first_percent from quiz_outcomes o where o.quiz_id = $1 and o.user_id = u.id) as "pre?: f64",
                      (select first_percent from quiz_outcomes o where o.quiz_id = $2 and o.user_id = u.id) as "post?: f64"
               from users u
               where u.id in (select user_id from quiz_outcomes where quiz_id in ($1, $2))
                 and ($3 or u.team_id in (select value from json_each($4)))
               order by u.display_name"#,
            pre.id,
            post_test_id,
            everyone,
            teams
        )
        .fetch_all(&db.read)
        .await?;
        // Cohorts: each person's plans, and who taught them in the post-test's course.
        let plan_of = super::super::report::plan_members(db, Some(post_test_id)).await?;
        let taught = super::super::report::instructors(db, Some(pre.post_course)).await?;
        let tree = crate::server::team::tree(db).await?;
        let paths: HashMap<i64, Names> = tree.into_iter().map(|t| (t.id, t.path)).collect();
        let mut pairs = Vec::new();
        let mut teams: BTreeMap<Names, Vec<Pair>> = BTreeMap::new();
        let mut months: BTreeMap<String, Vec<Pair>> = BTreeMap::new();
        let mut plans: BTreeMap<Names, Vec<Pair>> = BTreeMap::new();
        let mut instructors: BTreeMap<Names, Vec<Pair>> = BTreeMap::new();
        let (mut pre_only, mut post_only) = (0, 0);
        let mut matched = Vec::new();
        let mut people = Vec::new();
        for r in &rows {
            let pair = match (r.pre, r.post) {
                (Some(pre), Some(post)) => Some(Pair { pre, post }),
                (Some(_), None) => {
                    pre_only += 1;
                    None
                }
                _ => {
                    post_only += 1;
                    None
                }
            };
            if let Some(p) = pair {
                pairs.push(p);
                matched.push(r.id);
                let team = r.team_id.and_then(|t| paths.get(&t)).cloned().unwrap_or_default();
                teams.entry(team).or_default().push(p);
                if let Some(m) = r.hire_date.as_deref().filter(|d| d.len() >= 7) {
                    months.entry(m[..7].to_string()).or_default().push(p);
                }
                for (_, plan) in plan_of.get(&r.id).into_iter().flatten() {
                    plans.entry(plan.clone()).or_default().push(p);
                }
                for (_, who) in taught.get(&(r.id, pre.post_course)).into_iter().flatten() {
                    instructors.entry(Names::same(who.clone())).or_default().push(p);
                }
            }
            people.push(GainPerson {
                display_name: r.display_name.clone(),
                employee_no: r.employee_no.clone(),
                pre: r.pre,
                post: r.post,
                change: pair.and_then(change),
            });
        }
        let questions = per_question(db, pre.id, post_test_id, &matched).await?;
        let line = |label: Names, v: Vec<Pair>| GainLine { label, summary: summary(figures(&v)) };
        Ok(Some(GainReport {
            pre_test: Names::new(pre.title, pre.title_en),
            summary: summary(figures(&pairs)),
            pre_only,
            post_only,
            by_team: teams.into_iter().map(|(t, v)| line(t, v)).collect(),
            by_hire_month: months.into_iter().map(|(m, v)| line(Names::same(m), v)).collect(),
            by_plan: plans.into_iter().map(|(t, v)| line(t, v)).collect(),
            by_instructor: instructors.into_iter().map(|(t, v)| line(t, v)).collect(),
            people,
            questions,
        }))
    }

    /// The report's filters, checked: a bad value is named.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct GainFilter {
        pub quiz: Option<i64>,
        pub team: Option<i64>,
    }

    impl GainFilter {
        pub fn parse(q: &GainQuery) -> AppResult<GainFilter> {
            let id = |field: &str, v: &str| match v.trim() {
                "" => Ok(None),
                v => v.parse().map(Some).map_err(|_| AppError::validation(field, "error.choice_unknown")),
            };
            Ok(GainFilter { quiz: id("quiz", &q.quiz)?, team: id("team", &q.team)? })
        }
    }

    /// The gains report for `caller`: the post-tests they may pick, and the one picked over the
    /// people they may see. Its course's trainers and admins see everyone who took it; managers
    /// the people of their teams; a picked team narrows either and must be the caller's.
    #[tracing::instrument(skip_all, fields(caller = caller.id))]
    pub async fn gains_page(db: &Db, caller: &CurrentUser, f: &GainFilter) -> AppResult<GainsPage> {
        let admin = caller.has(Role::Admin);
        let managed = if caller.has(Role::Manager) { visible_team_ids(db, caller.id).await? } else { Vec::new() };
        let any_quiz = admin || !managed.is_empty();
        let quizzes: Vec<(i64, Names, bool)> = sqlx::query!(
            r#"select z.id as "id!", z.title, z.title_en,
                      exists(select 1 from course_owners o where o.course_id = z.course_id and o.user_id = $1) as "own!: bool"
               from quizzes z
               where z.pre_test_id is not null
               order by z.title, z.id"#,
            caller.id
        )
        .fetch_all(&db.read)
        .await?
        .into_iter()
        .filter(|r| any_quiz || (r.own && caller.has(Role::Trainer)))
        .map(|r| (r.id, Names::new(r.title, r.title_en), r.own && caller.has(Role::Trainer)))
        .collect();
        let tree = crate::server::team::tree(db).await?;
        let teams = tree.iter().filter(|t| admin || managed.contains(&t.id)).map(|t| (t.id, t.path.clone())).collect();
        let page = |report| GainsPage { quiz: f.quiz, team: f.team, quizzes: pick(&quizzes), teams, report };
        let Some(quiz) = f.quiz else { return Ok(page(None)) };
        let Some((_, _, own)) = quizzes.iter().find(|q| q.0 == quiz) else {
            tracing::warn!(user_id = caller.id, quiz, "denied: post-test out of scope");
            return Err(AppError::Forbidden);
        };
        let everyone = admin || *own;
        let people = match f.team {
            Some(t) => {
                if !everyone {
                    require_team_scope(db, caller, t, "gains report").await?;
                }
                Some(super::super::report::subtree(&tree, t))
            }
            None if everyone => None,
            None => Some(managed.clone()),
        };
        let report = gain_report(db, quiz, people.as_deref()).await?;
        Ok(page(report))
    }

    fn pick(quizzes: &[(i64, Names, bool)]) -> Vec<(i64, Names)> {
        quizzes.iter().map(|(id, names, _)| (*id, names.clone())).collect()
    }

    /// Every grouping's lines as one sheet (the first column names the grouping), or with
    /// `people` each matched person's scores.
    pub fn table(g: &GainReport, people: bool, locale: Locale) -> Table {
        let t = |k: &str| locale.t(k);
        let f2 = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_default();
        let f1 = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_default();
        if people {
            let header =
                ["field.display_name", "field.employee_no", "quiz.kind.pre_test", "quiz.kind.post_test", "gain.change"]
                    .iter()
                    .map(|k| t(k))
                    .collect();
            let rows = g
                .people
                .iter()
                .map(|p| vec![p.display_name.clone(), p.employee_no.clone(), f1(p.pre), f1(p.post), f2(p.change)])
                .collect();
            return Table { sheet: t("gain.people"), header, rows };
        }
        let header = [
            "gain.grouping",
            "gain.group",
            "gain.pairs",
            "gain.mean_pre",
            "gain.mean_post",
            "gain.class_gain",
            "gain.mean_gain",
            "gain.mean_change",
        ]
        .iter()
        .map(|k| t(k))
        .collect();
        let all = [GainLine { label: Names::default(), summary: g.summary }];
        let groups: [(&str, &[GainLine]); 5] = [
            ("gain.all", &all),
            ("gain.by_team", &g.by_team),
            ("gain.by_hire_month", &g.by_hire_month),
            ("gain.by_plan", &g.by_plan),
            ("gain.by_instructor", &g.by_instructor),
        ];
        let rows = groups
            .iter()
            .flat_map(|(kind, lines)| {
                lines.iter().map(move |l| {
                    let s = &l.summary;
                    vec![
                        t(kind),
                        l.label.both(),
                        s.pairs.to_string(),
                        f1(s.mean_pre),
                        f1(s.mean_post),
                        f2(s.class_gain),
                        f2(s.mean_gain),
                        f2(s.mean_change),
                    ]
                })
            })
            .collect();
        Table { sheet: t("gain.sheet"), header, rows }
    }
}
