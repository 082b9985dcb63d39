//! The `floorready` command line, run as a real process against a fresh database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_floorready"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("FLOORREADY_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start floorready");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("floorready finished")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn users_are_managed_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("floorready-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    let migrate = run(&dir, &["migrate"], "");
    assert!(migrate.status.success(), "{}", text(&migrate));
    assert!(dir.join("floorready.db").exists());

    let add = ["user", "add", "--email", "Ops@Example.com", "--name", "运营 Ops", "--role", "admin,trainer"];
    let add_args: Vec<&str> = add.iter().copied().chain(["--employee-no", "A9", "--password-stdin"]).collect();
    let common = run(&dir, &add_args, "password\n");
    assert!(!common.status.success());
    assert!(text(&common).contains("password: is too common"), "{}", text(&common));

    let ok = run(&dir, &add_args, "river-candle-sketch\n");
    assert!(ok.status.success(), "{}", text(&ok));
    let again = run(&dir, &add_args, "river-candle-sketch\n");
    assert!(!again.status.success() && text(&again).contains("is already taken"), "{}", text(&again));

    let bad_role = run(&dir, &["user", "set-role", "A9", "--role", "boss"], "");
    assert!(!bad_role.status.success() && text(&bad_role).contains("unknown role \"boss\""));
    let set = run(&dir, &["user", "set-role", "ops@example.com", "--role", "manager"], "");
    assert!(set.status.success(), "{}", text(&set));
    let disable = run(&dir, &["user", "disable", "A9"], "");
    assert!(disable.status.success(), "{}", text(&disable));
    let unknown = run(&dir, &["user", "disable", "nobody"], "");
    assert!(!unknown.status.success() && text(&unknown).contains("no user \"nobody\""));

    // Seeding the demo refuses a database that already has users.
    let demo = run(&dir, &["demo"], "");
    assert!(!demo.status.success() && text(&demo).contains("already has users"));
    let gen = run(&dir, &["gen", "--size", "xs"], "");
    assert!(!gen.status.success() && text(&gen).contains("gen writes only into an empty one"), "{}", text(&gen));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_verify_finds_a_changed_entry_and_cert_sweep_runs() {
    let dir = std::env::temp_dir().join(format!("floorready-cli-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let demo = run(&dir, &["demo"], "");
    assert!(demo.status.success(), "{}", text(&demo));

    let sweep = run(&dir, &["cert-sweep"], "");
    assert!(sweep.status.success(), "{}", text(&sweep));
    let intact = run(&dir, &["audit-verify"], "");
    assert!(intact.status.success(), "{}", text(&intact));

    // Someone with the database file edits an entry behind the app's back (the triggers refuse
    // an update, so they are dropped first, as an attacker with the file could).
    let url = format!("sqlite://{}", dir.join("floorready.db").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query("drop trigger audit_log_no_update").execute(&pool).await.unwrap();
        sqlx::query("update audit_log set detail = 'nothing happened' where id = (select min(id) + 1 from audit_log)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let broken = run(&dir, &["audit-verify"], "");
    assert!(!broken.status.success(), "a changed entry must fail the check: {}", text(&broken));

    // The analytics summaries agree with the demo's graded attempts, until one is changed.
    let check = run(&dir, &["check"], "");
    assert!(check.status.success(), "{}", text(&check));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar("select count(*) from quiz_outcomes").fetch_one(&pool).await.unwrap();
        assert!(n > 0, "the demo grades attempts, so it has outcomes");
        sqlx::query("update quiz_outcomes set best_percent = best_percent + 1 where user_id = (select min(user_id) from quiz_outcomes)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let drifted = run(&dir, &["check"], "");
    assert!(!drifted.status.success() && text(&drifted).contains("differ"), "{}", text(&drifted));
    let _ = std::fs::remove_dir_all(&dir);
}
