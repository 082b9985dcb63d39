//! A login burst: memory given back afterwards, and headroom left for everyone else.
//!
//! `cargo bench --bench login_burst --features ssr` (also run by `make bench`). `LOGINS` (default
//! 1000) people sign in through the real HTTP endpoint, `CONCURRENCY` (default 100) at a time,
//! while people already signed in keep asking for a page's data (`get_me`, no hashing). Reported:
//! the process's resident memory before, at the peak and after the burst; and the p50 of those
//! other requests during the burst against the same requests with no burst (the ratio is the
//! headroom target: a login burst must not starve requests that do not hash). Run with
//! `KEEP_ARENAS=1` to skip the allocator setting and see the memory without it in the same way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use floorready::api::auth::{GetMe, Login};
use floorready::server::auth::password::{return_hash_memory, Passwords};
use floorready::server::config::Config;
use floorready::server::db::Db;
use floorready::server::http::{listen, router};
use floorready::server::state::AppState;
use leptos::prelude::LeptosOptions;
use leptos::server_fn::ServerFn;

const PASSWORD: &str = "lantern-orbit-maple";

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn p50(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

async fn get_me_p50(client: &reqwest::Client, url: &str, cookies: &[String], stop: Arc<AtomicBool>) -> Duration {
    let mut times = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) || times.len() < 50 {
        let t = Instant::now();
        let res = client
            .post(url)
            .header("cookie", &cookies[i % cookies.len()])
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
        times.push(t.elapsed());
        i += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    p50(times)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if std::env::var("KEEP_ARENAS").is_err() {
        return_hash_memory();
    }
    let logins: usize = std::env::var("LOGINS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let concurrency: usize = std::env::var("CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let dir = std::env::temp_dir().join(format!("floorready-login-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let db = Db::open(&url).await.unwrap();
    // One real hash shared by every account, written directly: creating 1000 hashes is not the point.
    let hash = Passwords::new().hash(PASSWORD).await.unwrap();
    for i in 0..logins + 10 {
        sqlx::query(
            "insert into users (email, employee_no, display_name, password_hash, created_at, password_changed_at)
             values (?, ?, ?, ?, 0, 0)",
        )
        .bind(format!("p{i}@bench"))
        .bind(format!("P{i}"))
        .bind(format!("Person {i}"))
        .bind(&hash)
        .execute(&db.write)
        .await
        .unwrap();
    }
    let options = LeptosOptions::builder().output_name("floorready").site_root("target/site").build();
    let state = AppState::new(options, db, Config::for_tests());
    let listener = listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = axum::serve::Listener::local_addr(&listener).unwrap();
    let app = router(state);
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency + 10).build().unwrap();
    let login_url = format!("http://{addr}{}", <Login as ServerFn>::PATH);
    let me_url = format!("http://{addr}{}", <GetMe as ServerFn>::PATH);
    let login = |i: usize| {
        let (client, url) = (client.clone(), login_url.clone());
        async move {
            let res = client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(format!("login=P{i}&password={PASSWORD}"))
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "login {i}: {}", res.status());
            let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
            cookie.split(';').next().unwrap().to_string()
        }
    };
    // Ten people are in already; their page loads are what the burst must not starve.
    let mut cookies = Vec::new();
    for i in logins..logins + 10 {
        cookies.push(login(i).await);
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let before = rss_mb();
    let idle = get_me_p50(&client, &me_url, &cookies, Arc::new(AtomicBool::new(true))).await;

    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(std::sync::Mutex::new(before));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let now = rss_mb();
                {
                    let mut p = peak.lock().unwrap();
                    *p = p.max(now);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let others = {
        let (client, url, cookies, stop) = (client.clone(), me_url.clone(), cookies.clone(), stop.clone());
        tokio::spawn(async move { get_me_p50(&client, &url, &cookies, stop).await })
    };
    let started = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = Vec::new();
    for i in 0..logins {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let f = login(i);
        tasks.push(tokio::spawn(async move {
            f.await;
            drop(permit);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let during = others.await.unwrap();
    sampler.await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_mb();
    let peak = *peak.lock().unwrap();
    println!(
        "login_burst: {logins} logins, {concurrency} at a time, {cores} cores, allocator setting {}",
        if std::env::var("KEEP_ARENAS").is_err() { "on" } else { "off (KEEP_ARENAS)" }
    );
    println!("  {:.1} logins/s", logins as f64 / wall.as_secs_f64());
    println!("  resident memory: before {before:.0} MB, peak {peak:.0} MB, 1 s after {after:.0} MB");
    println!(
        "  get_me p50: idle {:.1} ms, during the burst {:.1} ms, ratio {:.1}",
        idle.as_secs_f64() * 1e3,
        during.as_secs_f64() * 1e3,
        during.as_secs_f64() / idle.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
