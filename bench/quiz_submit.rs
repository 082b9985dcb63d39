//! Quiz submissions: the real HTTP endpoint against raw sqlx transactions, in the same run.
//!
//! `make bench` (or `cargo bench --bench quiz_submit --features ssr`). Environment:
//! `TRAINEES` (default 200) concurrent trainees, each submitting one 20-question attempt;
//! `ROUNDS` (default 3) alternating HTTP/raw rounds, whose median ratio is reported.
//!
//! Both sides use the same file-backed SQLite database settings as production (WAL,
//! synchronous=FULL, one writer). HTTP: every trainee has saved three pages of answers; then all
//! of them at once post the last page with "submit" (save the page, grade, record) through a real
//! socket, session cookie, CSRF check and server function. Raw: the same number of trainees with
//! the same saved state run one hand-written sqlx transaction each that stores the last page,
//! grades the 20 answers and records the score. Reported: submissions/s, p50/p99 latency, and
//! the ratio HTTP/raw. Targets (issue 4): ratio >= 0.5 and p99 < 100 ms at 200 trainees on 2 cores.
//!
//! A burst of N simultaneous submissions queues behind SQLite's single writer (each commit is an
//! fsync), so its p99 is about N / throughput for raw sqlx as much as for HTTP. The latency target
//! is therefore read at a paced load too: another N trainees submitting evenly over one second.

#[path = "common/quiz.rs"]
mod quiz_seed;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use floorready::api::quiz::SaveAttempt;
use floorready::model::quiz::Answer;
use floorready::server::auth::guard::acting_as;
use floorready::server::auth::session;
use floorready::server::config::Config;
use floorready::server::db::Db;
use floorready::server::http::router;
use floorready::server::quiz::{self, attempt};
use floorready::server::state::AppState;
use leptos::prelude::LeptosOptions;
use leptos::server_fn::ServerFn;
use quiz_seed::{form_post, page_answers, save_form, seed_quiz, QUESTIONS, SYSTEM};
use tokio::sync::Barrier;

fn service_answers(page: usize) -> BTreeMap<String, String> {
    page_answers(page, 5)
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("answers[").trim_end_matches(']').to_string(), v))
        .collect()
}

struct Setup {
    state: AppState,
    /// Per round, (session cookie, attempt id) submitted all at once through HTTP.
    http: Vec<Vec<(String, i64)>>,
    /// Per round, attempt ids submitted all at once with raw sqlx.
    raw: Vec<Vec<i64>>,
    /// Submitted through HTTP spread evenly over one second.
    paced: Vec<(String, i64)>,
}

async fn setup(dir: &std::path::Path, trainees: usize, rounds: usize) -> Setup {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let db = Db::open(&url).await.expect("open database");
    let config = Config { database_url: url, data_dir: dir.to_path_buf(), ..Config::for_tests() };
    let options = LeptosOptions::builder().output_name("floorready").site_root("target/site").build();
    let state = AppState::new(options, db, config);
    let db = &state.db;

    // People: inserted directly, since argon2 hashing 400 passwords would only time the setup.
    let now = floorready::server::now();
    let mut ids = Vec::new();
    for i in 0..=(2 * rounds + 1) * trainees {
        let no = if i == 0 { "T0".to_string() } else { format!("E{i:05}") };
        let role = if i == 0 { "trainer" } else { "trainee" };
        let id: i64 = sqlx::query_scalar(
            "insert into users (email, employee_no, display_name, password_hash, password_changed_at, created_at)
             values ($1, $2, $3, 'x', $4, $5) returning id",
        )
        .bind(format!("{no}@bench.example"))
        .bind(&no)
        .bind(&no)
        .bind(now)
        .bind(now)
        .fetch_one(&db.write)
        .await
        .expect("insert user");
        sqlx::query("insert into user_roles (user_id, role) values ($1, $2)")
            .bind(id)
            .bind(role)
            .execute(&db.write)
            .await
            .unwrap();
        ids.push((id, no));
    }
    let numbers: Vec<&str> = ids[1..].iter().map(|(_, no)| no.as_str()).collect();
    let quiz_id = seed_quiz(db, ids[0].0, &numbers).await;

    // Every trainee has an attempt with the first three pages saved.
    let (mut http, mut raw, mut paced) = (vec![Vec::new(); rounds], vec![Vec::new(); rounds], Vec::new());
    for (n, (id, _)) in ids[1..].iter().enumerate() {
        let who = acting_as(db, *id).await.unwrap();
        let attempt_id = attempt::start(db, SYSTEM, &who, quiz_id).await.unwrap();
        for page in 0..3 {
            attempt::save(db, &who, attempt_id, page as i64 + 1, page, &service_answers(page)).await.unwrap();
        }
        let group = n / trainees;
        if (rounds..2 * rounds).contains(&group) {
            raw[group - rounds].push(attempt_id);
            continue;
        }
        let mut conn = db.write.acquire().await.unwrap();
        let token = session::create(&mut conn, &state.config, *id, "127.0.0.1", "bench").await.unwrap();
        let cookie = format!("{}={token}", state.config.session_cookie_name());
        if group < rounds {
            http[group].push((cookie, attempt_id));
        } else {
            paced.push((cookie, attempt_id));
        }
    }
    Setup { state, http, raw, paced }
}

/// The raw baseline: one transaction storing the last page, grading and recording the score.
async fn raw_submit(db: &Db, attempt_id: i64) {
    let mut tx = db.begin().await.unwrap();
    let items: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "select i.position, i.points, i.option_order, v.body, i.answer from attempt_items i
         join question_versions v on v.id = i.question_version_id where i.attempt_id = $1 order by i.position",
    )
    .bind(attempt_id)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let mut score = 0.0;
    let mut max = 0.0;
    for (position, points, order, body, answer) in items {
        let body: floorready::model::quiz::QuestionBody = serde_json::from_str(&body).unwrap();
        let order: Vec<usize> = serde_json::from_str(&order).unwrap();
        let answer: Option<Answer> = if position >= 15 {
            let a = match body.kind() {
                floorready::model::quiz::QuestionKind::TrueFalse => Answer::Bool(true),
                floorready::model::quiz::QuestionKind::Single | floorready::model::quiz::QuestionKind::Multiple => {
                    Answer::Choices(vec![order[0]])
                }
                _ => Answer::Text("0".into()),
            };
            sqlx::query("update attempt_items set answer = $1 where attempt_id = $2 and position = $3")
                .bind(serde_json::to_string(&a).unwrap())
                .bind(attempt_id)
                .bind(position)
                .execute(&mut *tx)
                .await
                .unwrap();
            Some(a)
        } else {
            answer.map(|a| serde_json::from_str(&a).unwrap())
        };
        let fraction = quiz::grade::grade(&body, answer.as_ref()).unwrap_or(0.0);
        sqlx::query("update attempt_items set fraction = $1 where attempt_id = $2 and position = $3")
            .bind(fraction)
            .bind(attempt_id)
            .bind(position)
            .execute(&mut *tx)
            .await
            .unwrap();
        score += fraction * points as f64;
        max += points as f64;
    }
    let now = floorready::server::now();
    sqlx::query(
        "update attempts set status = 'graded', submitted_at = $1, graded_at = $2, score = $3, percent = $4, passed = $5
         where id = $6",
    )
    .bind(now)
    .bind(now)
    .bind(score)
    .bind(score * 100.0 / max)
    .bind(score * 100.0 / max >= 80.0)
    .bind(attempt_id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

struct Run {
    per_sec: f64,
    p50: Duration,
    p99: Duration,
}

fn summarize(wall: Duration, mut latencies: Vec<Duration>) -> Run {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    Run { per_sec: latencies.len() as f64 / wall.as_secs_f64(), p50: at(0.50), p99: at(0.99) }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let trainees: usize = std::env::var("TRAINEES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let dir = std::env::temp_dir().join(format!("floorready-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("setting up {} trainees ...", (2 * rounds + 1) * trainees);
    let s = setup(&dir, trainees, rounds).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(s.state.clone());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    let client = reqwest::Client::builder().pool_max_idle_per_host(trainees).build().unwrap();
    let url = format!("http://{addr}{}", <SaveAttempt as ServerFn>::PATH);

    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("quiz_submit: {trainees} concurrent trainees, {QUESTIONS} questions each, {cores} cores, {rounds} rounds");
    // Disk latency drifts, so HTTP and raw alternate within each round and the ratio is taken per
    // round: a burst of everyone submitting at once (the end of a timed post-test).
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let (http, raw) = if round % 2 == 0 {
            let http = http_phase(&client, &url, &s.http[round], Duration::ZERO).await;
            (http, raw_phase(&s.state.db, &s.raw[round]).await)
        } else {
            let raw = raw_phase(&s.state.db, &s.raw[round]).await;
            (http_phase(&client, &url, &s.http[round], Duration::ZERO).await, raw)
        };
        let ratio = http.per_sec / raw.per_sec;
        println!(
            "  round {round}: http {:6.1}/s p50 {:6.1} ms p99 {:6.1} ms | raw {:6.1}/s p50 {:6.1} ms p99 {:6.1} ms | ratio {ratio:.2}",
            http.per_sec,
            ms(http.p50),
            ms(http.p99),
            raw.per_sec,
            ms(raw.p50),
            ms(raw.p99)
        );
        ratios.push(ratio);
    }
    // Paced: the same number of trainees submitting evenly over one second.
    let paced = http_phase(&client, &url, &s.paced, Duration::from_secs(1)).await;
    let graded: i64 = sqlx::query_scalar("select count(*) from attempts where status = 'graded'")
        .fetch_one(&s.state.db.read)
        .await
        .unwrap();
    assert_eq!(graded as usize, (2 * rounds + 1) * trainees, "every submission was graded once");
    println!(
        "  paced: http {:6.1}/s p50 {:6.1} ms p99 {:6.1} ms (all {trainees} within 1 s)",
        paced.per_sec,
        ms(paced.p50),
        ms(paced.p99)
    );
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!(
        "  median ratio http/raw {median:.2} (target >= 0.50); paced http p99 {:.1} ms (target < 100 ms)",
        ms(paced.p99)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every attempt submitted at once with one raw sqlx transaction each.
async fn raw_phase(db: &Db, attempts: &[i64]) -> Run {
    let barrier = Arc::new(Barrier::new(attempts.len() + 1));
    let mut tasks = Vec::new();
    for attempt_id in attempts.iter().copied() {
        let (db, barrier) = (db.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let t = Instant::now();
            raw_submit(&db, attempt_id).await;
            t.elapsed()
        }));
    }
    release(&barrier, tasks).await
}

/// Every trainee posts the last page with "submit"; the i-th starts at i/n of `spread`.
async fn http_phase(client: &reqwest::Client, url: &str, who: &[(String, i64)], spread: Duration) -> Run {
    let n = who.len();
    let barrier = Arc::new(Barrier::new(n + 1));
    let mut tasks = Vec::new();
    for (i, (cookie, attempt_id)) in who.iter().cloned().enumerate() {
        let (client, url, barrier) = (client.clone(), url.to_string(), barrier.clone());
        let delay = spread.mul_f64(i as f64 / n as f64);
        tasks.push(tokio::spawn(async move {
            let body = save_form(attempt_id, 4, 3, "submit", &page_answers(3, 5));
            barrier.wait().await;
            tokio::time::sleep(delay).await;
            let t = Instant::now();
            let res = form_post(&client, &url, &cookie, body).send().await.expect("request");
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            assert!(status.is_success() || status.is_redirection(), "{status}: {body}");
            t.elapsed()
        }));
    }
    release(&barrier, tasks).await
}

/// Lets every waiting task go at once and collects their latencies and the wall time.
async fn release(barrier: &Barrier, tasks: Vec<tokio::task::JoinHandle<Duration>>) -> Run {
    barrier.wait().await;
    let start = Instant::now();
    let mut latencies = Vec::with_capacity(tasks.len());
    for t in tasks {
        latencies.push(t.await.unwrap());
    }
    summarize(start.elapsed(), latencies)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
