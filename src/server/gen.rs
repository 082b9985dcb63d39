//! `floorready gen`: a large organisation for benchmarks and load tests, sized like Moodle's
//! test-site generator (xs to xl). Structure (teams, positions, courses, banks, quizzes, rubrics,
//! scenarios, programs) goes through the app's own services; the history of each trainee
//! (attempts, answers, role-plays) is written as rows and then graded, settled and certified by
//! the same functions the app calls, at the moment each event happened, in large transactions.
//! Deterministic for a seed.

use std::collections::HashMap;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::error::AppResult;
use crate::i18n::Zone;
use crate::model::cert::{Phase, ProgramFields, ReqKind};
use crate::model::course::{CourseFields, TrainingType};
use crate::model::quiz::{Answer, QuestionBody, QuizFields, QuizKind, ReviewPolicy};
use crate::model::roleplay::{Channel, Criterion, CriterionInput, ScenarioFields, SecondRaterRule};
use crate::model::team::TeamKind;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::auth::guard;
use crate::server::auth::password::Passwords;
use crate::server::cert::{self, Change};
use crate::server::db::{Conn, Db};
use crate::server::quiz::{self, attempt, authoring, grade::grade};
use crate::server::roleplay::{self as rp, score::score};
use crate::server::{course, position, team};

const DAY: i64 = 86_400;
/// Every generated account signs in with the demo password.
pub const PASSWORD: &str = crate::server::demo::DEMO_PASSWORD;
/// Questions per course bank; the pre- and post-test ask the first `TEST_ITEMS` of them.
const BANK_ITEMS: usize = 50;
const TEST_ITEMS: usize = 25;
const PRACTICE_ITEMS: usize = 20;
const PASS_PERCENT: i64 = 75;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    Xs,
    S,
    M,
    L,
    Xl,
}

/// How big each size is: trainees, sites, departments per site, teams per department, courses.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub trainees: usize,
    pub sites: usize,
    pub departments: usize,
    pub teams: usize,
    pub courses: usize,
}

impl Size {
    pub fn shape(self) -> Shape {
        let (trainees, sites, departments, teams, courses) = match self {
            Size::Xs => (60, 1, 2, 2, 2),
            Size::S => (1_000, 2, 3, 4, 5),
            Size::M => (10_000, 4, 5, 5, 15),
            Size::L => (50_000, 8, 6, 8, 30),
            Size::Xl => (100_000, 10, 8, 10, 50),
        };
        Shape { trainees, sites, departments, teams, courses }
    }
}

/// What was written, for the closing line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Generated {
    pub people: usize,
    pub teams: usize,
    pub quizzes: usize,
    pub attempts: usize,
    pub answers: usize,
    pub roleplays: usize,
    pub followups: usize,
}

/// A normal draw (Box-Muller): `rand` alone has no distributions.
fn normal(rng: &mut StdRng, mean: f64, sd: f64) -> f64 {
    let (u, v): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
    mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// One question as the generator answers it: difficulty, and whether its key is wrong (a broken
/// item, which the better trainees miss more often).
#[derive(Debug, Clone)]
struct Item {
    version_id: i64,
    body: QuestionBody,
    key: usize,
    difficulty: f64,
    broken: bool,
}

impl Item {
    fn p_right(&self, skill: f64) -> f64 {
        let p = logistic(1.3 * (skill - self.difficulty));
        if self.broken {
            0.25 + 0.5 * (1.0 - p)
        } else {
            0.25 + 0.75 * p
        }
    }
}

struct Quiz {
    id: i64,
    items: Vec<usize>,
}

/// One course with what hangs off it; people hold its position.
struct Track {
    position_id: i64,
    trainer: i64,
    items: Vec<Item>,
    pre: Quiz,
    post: Quiz,
    practice: Quiz,
    refresher: Quiz,
    scenario: i64,
    rubric_version: i64,
    rubric: Vec<Criterion>,
}

fn gift(course: usize, rng: &mut StdRng) -> String {
    let mut out = format!("$CATEGORY: 课程{n} Course {n}\n\n", n = course + 1);
    for q in 0..BANK_ITEMS {
        let key = q % 4;
        let mut options: Vec<String> =
            (0..4).map(|i| format!("~选项{} option {}", i + 1, rng.random_range(100..999))).collect();
        options[key] = format!("=正确做法 the right practice {}", q + 1);
        out.push_str(&format!(
            "::C{c}Q{q}:: 课程{c} 第{q}题：客户来电时应当怎样处理？ Course {c}, question {q}: what should be done? {{ {} }}\n\n",
            options.join(" "),
            c = course + 1,
            q = q + 1,
        ));
    }
    out
}

fn quiz_fields(title: Names, kind: QuizKind, pre: Option<i64>) -> QuizFields {
    QuizFields {
        title,
        kind,
        pass_percent: if kind == QuizKind::PreTest { 0 } else { PASS_PERCENT },
        time_limit_minutes: Some(30),
        opens_at: None,
        closes_at: None,
        attempts_allowed: None,
        cooloff_minutes: 0,
        review_policy: ReviewPolicy::ScoreAndWrong,
        // Authored order: the statistics' slots are the positions shown.
        shuffle_questions: false,
        shuffle_options: false,
        pre_test_id: pre,
    }
}

fn rubric() -> Vec<CriterionInput> {
    let levels = "0 未做到 Not done\n1 较差 Poor\n2 合格 Acceptable\n3 良好 Good\n4 优秀 Excellent";
    let c = |zh: &str, en: &str, weight: &str, critical: bool| CriterionInput {
        name_zh: zh.into(),
        name_en: en.into(),
        weight: weight.into(),
        critical: critical.then(|| "on".into()),
        pass_level: if critical { "2".into() } else { String::new() },
        levels: levels.into(),
    };
    vec![
        c("问候与身份确认", "Greeting and identification", "1", false),
        c("倾听与共情", "Listening and empathy", "2", false),
        c("问题诊断", "Diagnosing the problem", "2", false),
        c("政策与事实准确", "Accuracy of policy and facts", "3", true),
        c("解决方案与承诺", "Solution and commitment", "2", false),
        c("结束与跟进", "Closing and follow-up", "1", false),
    ]
}

/// Users in bulk: one argon2 hash for all (hashing 100,000 passwords would take hours).
#[derive(Clone)]
struct NewUser {
    no: String,
    name: String,
    team: Option<i64>,
    position: Option<i64>,
    hired: Option<String>,
    role: &'static str,
}

async fn insert_users(conn: &mut Conn, users: &[NewUser], hash: &str, at: i64) -> AppResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(users.len());
    for chunk in users.chunks(400) {
        let mut q = sqlx::QueryBuilder::new(
            "insert into users (email, employee_no, display_name, hire_date, locale, team_id, active, password_hash,
                                password_changed_at, created_at, position_id) ",
        );
        q.push_values(chunk.iter().enumerate(), |mut b, (i, u)| {
            b.push_bind(format!("{}@gen.floorready", u.no.to_lowercase()))
                .push_bind(&u.no)
                .push_bind(&u.name)
                .push_bind(&u.hired)
                .push_bind(if i % 3 == 0 { "en" } else { "zh-CN" })
                .push_bind(u.team)
                .push_bind(1)
                .push_bind(hash)
                .push_bind(at)
                .push_bind(at)
                .push_bind(u.position);
        });
        q.push(" returning id");
        let rows: Vec<i64> = q.build_query_scalar().fetch_all(&mut *conn).await?;
        let mut r = sqlx::QueryBuilder::new("insert into user_roles (user_id, role) ");
        r.push_values(rows.iter().zip(chunk), |mut b, (id, u)| {
            b.push_bind(id).push_bind(u.role);
        });
        r.build().execute(&mut *conn).await?;
        ids.extend(rows);
    }
    Ok(ids)
}

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: &[&str] =
    &["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"];

fn person_name(rng: &mut StdRng) -> String {
    let s = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let g: String = (0..rng.random_range(1..=2)).map(|_| GIVEN[rng.random_range(0..GIVEN.len())]).collect();
    format!("{s}{g}")
}

/// Builds the organisation into an empty database (the caller checks it is empty); `progress` hears a line now and then.
pub async fn generate(db: &Db, size: Size, seed: u64, at: i64, progress: &dyn Fn(&str)) -> AppResult<Generated> {
    let shape = size.shape();
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let system = Actor { id: None, ip: "" };
    let hash = Passwords::new().hash(PASSWORD).await?;
    let mut out = Generated::default();

    // The team tree: sites > departments > teams, each site on China's clock.
    let mut teams = Vec::new();
    let mut departments = Vec::new();
    let mut sites = Vec::new();
    for s in 0..shape.sites {
        let site = team::create(
            db,
            system,
            None,
            &Names::new(format!("站点{}", s + 1), format!("Site {}", s + 1)),
            TeamKind::Site,
        )
        .await?;
        team::set_zone(db, system, site, Zone(chrono_tz::Asia::Shanghai)).await?;
        sites.push(site);
        for d in 0..shape.departments {
            let name = Names::new(format!("服务部{}", d + 1), format!("Service department {}", d + 1));
            let dept = team::create(db, system, Some(site), &name, TeamKind::Department).await?;
            departments.push(dept);
            for t in 0..shape.teams {
                let name = Names::new(format!("客服{}组", t + 1), format!("Team {}", t + 1));
                teams.push(team::create(db, system, Some(dept), &name, TeamKind::Team).await?);
            }
        }
    }
    out.teams = sites.len() + departments.len() + teams.len();
    progress(&format!("{} teams", out.teams));

    // Staff: an admin, a manager per site and per department, a trainer per five courses.
    let mut staff = vec![NewUser {
        no: "A0001".into(),
        name: "系统管理员 Admin".into(),
        team: None,
        position: None,
        hired: None,
        role: "admin",
    }];
    for (i, t) in sites.iter().chain(&departments).enumerate() {
        staff.push(NewUser {
            no: format!("M{:05}", i + 1),
            name: format!("{}经理", person_name(&mut rng)),
            team: Some(*t),
            position: None,
            hired: None,
            role: "manager",
        });
    }
    let trainers = shape.courses.div_ceil(5);
    for i in 0..trainers {
        staff.push(NewUser {
            no: format!("T{:04}", i + 1),
            name: format!("{}培训师", person_name(&mut rng)),
            team: Some(departments[i % departments.len()]),
            position: None,
            hired: None,
            role: "trainer",
        });
    }
    let mut tx = db.begin().await?;
    let staff_ids = insert_users(&mut tx, &staff, &hash, at).await?;
    for (i, t) in sites.iter().chain(&departments).enumerate() {
        sqlx::query!("insert into team_managers (team_id, user_id) values ($1, $2)", t, staff_ids[1 + i])
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let trainer_ids: Vec<i64> = staff_ids[staff_ids.len() - trainers..].to_vec();

    // The shared rubric, then one track per course.
    let first_trainer = guard::acting_as(db, trainer_ids[0]).await?;
    let rubric_id = rp::save_rubric(
        db,
        Actor { id: Some(first_trainer.id), ip: "" },
        None,
        "通用服务量表 Service rubric",
        &rubric(),
    )
    .await?;
    let r = sqlx::query!(r#"select current_version_id as "v!: i64" from rubrics where id = $1"#, rubric_id)
        .fetch_one(&db.read)
        .await?;
    let rubric_version = r.v;
    let rubric_criteria: Vec<Criterion> = serde_json::from_str(
        &sqlx::query_scalar!("select criteria from rubric_versions where id = $1", rubric_version)
            .fetch_one(&db.read)
            .await?,
    )
    .map_err(crate::error::internal)?;
    let mut tracks = Vec::new();
    let mut programs = Vec::new();
    for c in 0..shape.courses {
        let trainer = guard::acting_as(db, trainer_ids[c / 5]).await?;
        let actor = Actor { id: Some(trainer.id), ip: "" };
        let n = c + 1;
        let position_id =
            position::add(db, system, &format!("客服专员{n}"), &format!("Service specialist {n}")).await?;
        let fields = CourseFields {
            title: Names::new(format!("岗前培训{n}"), format!("Onboarding {n}")),
            summary: String::new(),
            category_id: 1 + (c as i64 % 5),
            level_id: 1,
            training_type: TrainingType::PreJob,
            duration_minutes: 240,
        };
        let course_id = course::create(db, actor, trainer.id, &fields).await?;
        let module = course::add_module(db, course_id, &Names::new("服务规范", "Service standards")).await?;
        course::add_lesson(db, course_id, module, &Names::new("服务承诺", "Commitments"), "…").await?;
        course::publish(db, actor, course_id).await?;
        let bank = quiz::create_bank(db, actor, &trainer, Some(course_id), &format!("题库{n} Bank {n}")).await?;
        quiz::import_gift(db, actor, bank, &gift(c, &mut rng)).await?;
        let rows = sqlx::query!(
            r#"select q.id as "id!: i64", v.id as "version!: i64", v.body from questions q
               join question_versions v on v.id = q.current_version_id where q.bank_id = $1 order by q.id"#,
            bank
        )
        .fetch_all(&db.read)
        .await?;
        let mut items = Vec::new();
        let mut question_ids = Vec::new();
        for (i, r) in rows.into_iter().enumerate() {
            let body = quiz::parse_body(&r.body)?;
            // Some items too easy, a few broken (a wrong key), the rest around the middle.
            let roll: f64 = rng.random();
            let difficulty = if roll < 0.1 { -3.0 } else { normal(&mut rng, -0.6, 0.9) };
            items.push(Item {
                version_id: r.version,
                body,
                key: i % 4,
                difficulty,
                broken: (0.1..0.14).contains(&roll),
            });
            question_ids.push(r.id);
        }
        let make = |title: Names, kind: QuizKind, pre: Option<i64>, range: std::ops::Range<usize>| {
            let (trainer, question_ids) = (&trainer, &question_ids);
            async move {
                let id = authoring::create(db, actor, trainer, course_id, &quiz_fields(title, kind, pre)).await?;
                for q in range.clone() {
                    authoring::add_question(db, id, question_ids[q]).await?;
                }
                authoring::set_published(db, actor, id, true).await?;
                AppResult::Ok(Quiz { id, items: range.collect() })
            }
        };
        let pre = make(Names::new(format!("前测{n}"), format!("Pre-test {n}")), QuizKind::PreTest, None, 0..TEST_ITEMS)
            .await?;
        let post = make(
            Names::new(format!("后测{n}"), format!("Post-test {n}")),
            QuizKind::PostTest,
            Some(pre.id),
            0..TEST_ITEMS,
        )
        .await?;
        let practice = make(
            Names::new(format!("练习{n}"), format!("Practice {n}")),
            QuizKind::Practice,
            None,
            BANK_ITEMS - PRACTICE_ITEMS..BANK_ITEMS,
        )
        .await?;
        let refresher = make(
            Names::new(format!("复训{n}"), format!("Refresher {n}")),
            QuizKind::Refresher,
            None,
            10..10 + PRACTICE_ITEMS,
        )
        .await?;
        let scenario = rp::save_scenario(
            db,
            actor,
            None,
            ScenarioFields {
                title: Names::new(format!("投诉处理{n}"), format!("Handling a complaint {n}")),
                channel: Channel::Phone,
                product: String::new(),
                situation: "客户第三次来电投诉维修延误。 A third call about a late repair.".into(),
                persona: String::new(),
                mood: String::new(),
                objective: String::new(),
                cues: String::new(),
                facts: String::new(),
                customer_turns: String::new(),
                time_box_minutes: 10,
                rubric_id,
                pass_percent: 70,
                rule: SecondRaterRule::Average,
                course_ids: vec![course_id],
            },
        )
        .await?;
        let program = cert::save_program(
            db,
            actor,
            None,
            ProgramFields {
                name: Names::new(format!("客服专员{n}·初级"), format!("Service specialist {n}, junior")),
                position_id,
                level_id: 1,
                requires_program_id: None,
                validity_days: 365,
                window_days: 60,
                veteran_cycle_days: None,
                manager_cycle_days: None,
            },
        )
        .await?;
        programs.push(program);
        cert::add_requirement(db, actor, program, Phase::Initial, ReqKind::Quiz, post.id, Some(PASS_PERCENT)).await?;
        cert::add_requirement(db, actor, program, Phase::Initial, ReqKind::Roleplay, scenario, None).await?;
        cert::add_requirement(db, actor, program, Phase::Recert, ReqKind::Quiz, refresher.id, Some(PASS_PERCENT))
            .await?;
        tracks.push(Track {
            position_id,
            trainer: trainer.id,
            items,
            pre,
            post,
            practice,
            refresher,
            scenario,
            rubric_version,
            rubric: rubric_criteria.clone(),
        });
    }
    out.quizzes = tracks.len() * 4;
    progress(&format!("{} courses, {} quizzes ({:.0?})", tracks.len(), out.quizzes, started.elapsed()));

    // Trainees: a team and its track; hired over the last two years and a bit.
    let team_skill: HashMap<i64, f64> = teams.iter().map(|t| (*t, normal(&mut rng, 0.0, 0.35))).collect();
    let per_chunk = 1_000;
    let mut done = 0;
    let mut next_report = shape.trainees / 10;
    while done < shape.trainees {
        let n = per_chunk.min(shape.trainees - done);
        let mut people = Vec::with_capacity(n);
        for i in done..done + n {
            let t = teams[i % teams.len()];
            let track = (i % teams.len()) % tracks.len();
            // One in 50 was hired yesterday and has not started: the intake never stops.
            let days_ago = if i % 50 == 49 {
                1
            } else if rng.random_bool(0.12) {
                rng.random_range(730..1000)
            } else {
                rng.random_range(1..730)
            };
            let hired = chrono::DateTime::from_timestamp(at - days_ago * DAY, 0).unwrap_or_default().date_naive();
            people.push((
                NewUser {
                    no: format!("E{:06}", i + 1),
                    name: person_name(&mut rng),
                    team: Some(t),
                    position: Some(tracks[track].position_id),
                    hired: Some(hired.to_string()),
                    role: "trainee",
                },
                track,
                at - days_ago * DAY + 9 * 3600,
            ));
        }
        let mut tx = db.begin().await?;
        let users: Vec<NewUser> = people.iter().map(|(u, _, _)| u.clone()).collect();
        let ids = insert_users(&mut tx, &users, &hash, at).await?;
        for (id, (u, track, hired_at)) in ids.iter().zip(&people) {
            let skill = normal(&mut rng, team_skill[&u.team.unwrap_or_default()], 1.0);
            history(&mut tx, &mut rng, &tracks[*track], *id, skill, *hired_at, at, &mut out).await?;
        }
        // New hires with nothing done yet were never re-evaluated: they count as not started.
        let list = serde_json::to_string(&ids).map_err(crate::error::internal)?;
        let untouched = sqlx::query_scalar!(
            r#"select u.id as "id!: i64" from users u
               where u.id in (select value from json_each($1)) and u.id not in (select user_id from floor_people)"#,
            list
        )
        .fetch_all(&mut *tx)
        .await?;
        for id in untouched {
            crate::server::analytics::summary::person(&mut tx, id).await?;
        }
        tx.commit().await?;
        done += n;
        out.people = done;
        if done >= next_report || done == shape.trainees {
            next_report += shape.trainees / 10;
            progress(&format!(
                "{done} of {} trainees, {} attempts, {} answers ({:.0?})",
                shape.trainees,
                out.attempts,
                out.answers,
                started.elapsed()
            ));
        }
    }
    // Time passing up to now, as the server's sweep does it, and the dashboard's trend.
    cert::recompute::sweep(db, at).await?;
    followups(db, &mut rng, &programs, rubric_id, &rubric_criteria, at, &mut out).await?;
    progress(&format!("{} follow-ups on the job ({:.0?})", out.followups, started.elapsed()));
    crate::server::analytics::floor::snapshot(db, at).await?;
    progress(&format!("done ({:.0?})", started.elapsed()));
    Ok(out)
}

/// One trainee's two years: pre-test, practice, post-test until passed, role-play until passed,
/// and a refresher before each certificate runs out. Events after `now` do not happen.
#[allow(clippy::too_many_arguments)]
async fn history(
    conn: &mut Conn,
    rng: &mut StdRng,
    t: &Track,
    user: i64,
    skill: f64,
    hired: i64,
    now: i64,
    out: &mut Generated,
) -> AppResult<()> {
    // A few recent hires have not started.
    if now - hired < 20 * DAY && rng.random_bool(0.4) {
        return Ok(());
    }
    let mut at = hired + DAY + rng.random_range(0..2 * DAY);
    if at >= now {
        return Ok(());
    }
    take(conn, rng, t, &t.pre, user, skill - 0.9, at, out).await?;
    if rng.random_bool(0.7) {
        at += 3 * DAY + rng.random_range(0..DAY);
        if at >= now {
            return Ok(());
        }
        take(conn, rng, t, &t.practice, user, skill - 0.4, at, out).await?;
        if rng.random_bool(0.4) && at + DAY < now {
            take(conn, rng, t, &t.practice, user, skill - 0.2, at + DAY, out).await?;
        }
    }
    let mut at = hired + 8 * DAY + rng.random_range(0..6 * DAY);
    let mut passed_at = None;
    for k in 0..5 {
        if at >= now {
            break;
        }
        if take(conn, rng, t, &t.post, user, skill + 0.3 * k as f64, at, out).await? {
            passed_at = Some(at);
            break;
        }
        at += 2 * DAY + rng.random_range(0..2 * DAY);
    }
    let Some(post) = passed_at else { return Ok(()) };
    let mut at = post + DAY + rng.random_range(0..5 * DAY);
    let mut certified = None;
    for k in 0..3 {
        if at >= now {
            break;
        }
        if roleplay(conn, rng, t, user, skill + 0.4 * k as f64, at, out).await? {
            certified = Some(at);
            break;
        }
        at += 5 * DAY;
    }
    // Renewals: most take the refresher in the last 60 days before expiry.
    let Some(mut cycle) = certified else { return Ok(()) };
    loop {
        let at = cycle + (365 - rng.random_range(5..55)) * DAY;
        if at >= now || rng.random_bool(0.15) {
            return Ok(());
        }
        let fresh = skill + normal(rng, 0.2, 0.3);
        if !take(conn, rng, t, &t.refresher, user, fresh, at, out).await? {
            let again = at + 3 * DAY;
            if again >= now || !take(conn, rng, t, &t.refresher, user, skill + 0.4, again, out).await? {
                return Ok(());
            }
        }
        cycle = at;
    }
}

/// One graded attempt, answered by `skill`, then settled (score, outcome, certification) as
/// the app settles a submitted attempt. True when it passed.
#[allow(clippy::too_many_arguments)]
async fn take(
    conn: &mut Conn,
    rng: &mut StdRng,
    t: &Track,
    q: &Quiz,
    user: i64,
    skill: f64,
    at: i64,
    out: &mut Generated,
) -> AppResult<bool> {
    let no = sqlx::query_scalar!(
        r#"select coalesce(max(attempt_no), 0) + 1 as "n!: i64" from attempts where quiz_id = $1 and user_id = $2"#,
        q.id,
        user
    )
    .fetch_one(&mut *conn)
    .await?;
    let max = q.items.len() as f64;
    let started = at - rng.random_range(300..1500);
    let (deadline, seq) = (started + 1800, 5);
    let id = sqlx::query_scalar!(
        r#"insert into attempts (quiz_id, user_id, attempt_no, status, started_at, deadline_at, submitted_at,
                                closed_by, save_seq, max_score)
           values ($1, $2, $3, 'awaiting_grading', $4, $5, $6, 'trainee', $7, $8) returning id as "id!: i64""#,
        q.id,
        user,
        no,
        started,
        deadline,
        at,
        seq,
        max
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut rows = sqlx::QueryBuilder::new(
        "insert into attempt_items (attempt_id, position, slot_no, question_version_id, points, option_order, answer, fraction) ",
    );
    let answers: Vec<(usize, String, Option<f64>)> = q
        .items
        .iter()
        .enumerate()
        .map(|(pos, i)| {
            let item = &t.items[*i];
            let pick = if rng.random_bool(item.p_right(skill).clamp(0.0, 1.0)) {
                item.key
            } else {
                // A wrong answer: the distractors are not equally tempting.
                let wrong: Vec<usize> = (0..4).filter(|o| *o != item.key).collect();
                wrong[if rng.random_bool(0.5) { 0 } else { rng.random_range(0..wrong.len()) }]
            };
            let answer = Answer::Choices(vec![pick]);
            let fraction = grade(&item.body, Some(&answer));
            (pos, serde_json::to_string(&answer).unwrap_or_default(), fraction)
        })
        .collect();
    rows.push_values(&answers, |mut b, (pos, answer, fraction)| {
        let item = &t.items[q.items[*pos]];
        b.push_bind(id)
            .push_bind(*pos as i64)
            .push_bind(*pos as i64)
            .push_bind(item.version_id)
            .push_bind(1)
            .push_bind("[0,1,2,3]")
            .push_bind(answer)
            .push_bind(fraction);
    });
    rows.build().execute(&mut *conn).await?;
    attempt::settle(conn, id, at).await?;
    out.attempts += 1;
    out.answers += answers.len();
    Ok(sqlx::query_scalar!(r#"select (passed = 1) as "p!: bool" from attempts where id = $1"#, id)
        .fetch_one(&mut *conn)
        .await?)
}

/// A live role-play rated by the course's trainer, final at `at`. True when it passed.
async fn roleplay(
    conn: &mut Conn,
    rng: &mut StdRng,
    t: &Track,
    user: i64,
    skill: f64,
    at: i64,
    out: &mut Generated,
) -> AppResult<bool> {
    let levels: Vec<u8> = t
        .rubric
        .iter()
        .map(|c| {
            let l = normal(rng, 2.6 + 0.7 * skill, 0.8).round();
            l.clamp(0.0, f64::from(c.max_level())) as u8
        })
        .collect();
    let o = score(&t.rubric, &levels.iter().map(|l| f64::from(*l)).collect::<Vec<_>>(), 70.0);
    let failed = serde_json::to_string(&o.critical_failed).map_err(crate::error::internal)?;
    let deciding = serde_json::to_string(&o.levels).map_err(crate::error::internal)?;
    let opened = at - 1800;
    let passed_flag = i64::from(o.passed);
    let id = sqlx::query_scalar!(
        r#"insert into roleplays (scenario_id, rubric_version_id, trainee_id, mode, raters_required, status, percent,
                                 passed, critical_failed, finalized_at, opened_by, opened_at, rater_id, levels)
           values ($1, $2, $3, 'live', 1, 'final', $4, $5, $6, $7, $8, $9, $10, $11) returning id as "id!: i64""#,
        t.scenario,
        t.rubric_version,
        user,
        o.percent,
        passed_flag,
        failed,
        at,
        t.trainer,
        opened,
        t.trainer,
        deciding
    )
    .fetch_one(&mut *conn)
    .await?;
    let levels = serde_json::to_string(&levels).map_err(crate::error::internal)?;
    sqlx::query!(
        "insert into roleplay_ratings (roleplay_id, rater_id, levels, submitted_at) values ($1, $2, $3, $4)",
        id,
        t.trainer,
        levels,
        at
    )
    .execute(&mut *conn)
    .await?;
    crate::server::analytics::summary::roleplay_final(conn, id).await?;
    cert::person_changed(conn, user, Change::RoleplayFinal, Actor::SYSTEM, at).await?;
    out.roleplays += 1;
    Ok(o.passed)
}

/// Each program's evaluation plan (the supervisor at 30, 60 and 90 days on the shared rubric, in
/// place all along), the follow-ups the sweep makes for every current certificate, and four in
/// five of those due more than three days ago done: on the job people score a little below their
/// certifying role-play, some miss a criterion they met in training, and the rest stay due or
/// overdue.
async fn followups(
    db: &Db,
    rng: &mut StdRng,
    programs: &[i64],
    rubric_id: i64,
    rubric: &[Criterion],
    at: i64,
    out: &mut Generated,
) -> AppResult<()> {
    use crate::model::followup::Observer;
    use crate::server::followup::{self, StepInput};
    for p in programs {
        for offset_days in [30, 60, 90] {
            let step = StepInput {
                offset_days,
                observer: Observer::Supervisor,
                rubric_id: Some(rubric_id),
                form_id: None,
                pass_percent: 70,
            };
            followup::add_step(db, Actor::SYSTEM, *p, step).await?;
        }
    }
    let mut tx = db.begin().await?;
    sqlx::query!("update followup_steps set created_at = created_at - 1100 * 86400").execute(&mut *tx).await?;
    tx.commit().await?;
    out.followups = followup::sweep(db, at).await?.created;
    let before = at - 3 * DAY;
    let due = sqlx::query!(
        r#"select f.id as "id!: i64", f.due_at, f.assignee_id,
                  (select r.levels from roleplays r where r.trainee_id = f.user_id and r.status = 'final' and r.passed = 1
                    order by r.finalized_at desc limit 1) as "levels?: String"
           from followups f where f.state in ('due', 'overdue') and f.due_at < $1"#,
        before
    )
    .fetch_all(&db.read)
    .await?;
    for chunk in due.chunks(5_000) {
        let mut tx = db.begin().await?;
        for f in chunk {
            if !rng.random_bool(0.8) {
                continue;
            }
            let trained: Vec<f64> = f.levels.as_deref().and_then(|l| serde_json::from_str(l).ok()).unwrap_or_default();
            let levels: Vec<u8> = rubric
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let l = normal(rng, trained.get(i).copied().unwrap_or(2.5) - 0.3, 0.7).round();
                    l.clamp(0.0, f64::from(c.max_level())) as u8
                })
                .collect();
            let o = score(rubric, &levels.iter().map(|l| f64::from(*l)).collect::<Vec<_>>(), 70.0);
            let (levels, failed) = (
                serde_json::to_string(&levels).map_err(crate::error::internal)?,
                serde_json::to_string(&o.critical_failed).map_err(crate::error::internal)?,
            );
            let completed = (f.due_at + rng.random_range(0..6) * DAY).min(at);
            let passed_flag = i64::from(o.passed);
            sqlx::query!(
                "update followups set state = 'completed', levels = $1, comments = '[]', answers = '[]', percent = $2,
                        passed = $3, critical_failed = $4, observer_id = assignee_id, completed_at = $5
                 where id = $6",
                levels,
                o.percent,
                passed_flag,
                failed,
                completed,
                f.id
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
