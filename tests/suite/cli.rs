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

/// A backup made while a server holds the data directory, restored elsewhere by the real binary:
/// the rows and the uploaded file arrive, and a damaged or misplaced backup is refused with a
/// message that names the problem, leaving what was there untouched.
#[tokio::test]
async fn a_backup_made_while_serving_restores_the_database_and_the_files() {
    use floorready::model::course::{CourseFields, TrainingType};
    use floorready::server::backup::ServingLock;
    use floorready::server::course::{self, files};
    use floorready::server::db::Db;

    let root = std::env::temp_dir().join(format!("floorready-backup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (a, b, dest) = (root.join("a"), root.join("b"), root.join("backup"));
    std::fs::create_dir_all(&a).unwrap();
    let db = Db::open(&format!("sqlite://{}", a.join("floorready.db").display())).await.unwrap();
    let st = crate::common::state_with(db.write.clone(), floorready::server::config::Config::for_tests());
    let owner = crate::common::user(&st, "T1", "trainer", None).await;
    let system = crate::common::SYSTEM;
    let fields = CourseFields {
        title: "三包 rules".into(),
        summary: String::new(),
        category_id: 1,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 30,
    };
    let c = course::create(&db, system, owner, &fields).await.unwrap();
    let trainer = floorready::server::audit::Actor { id: Some(owner), ip: "test" };
    files::upload(&db, &a, trainer, c, "flow.png", crate::files::PNG).await.unwrap();

    // As `serve` does: the directory is in use while the backup is made.
    let serving = ServingLock::take(&a, false).unwrap();
    let dest_arg = dest.to_str().unwrap();
    let made = run(&a, &["backup", dest_arg], "");
    assert!(made.status.success(), "{}", text(&made));
    assert!(text(&made).contains("1 users") && text(&made).contains("1 uploaded files"), "{}", text(&made));
    assert!(std::fs::read_to_string(dest.join("backup.txt")).unwrap().contains("uploaded files: 1"));
    let again = run(&a, &["backup", dest_arg], "");
    assert!(!again.status.success() && text(&again).contains("not empty"), "{}", text(&again));
    let busy = run(&a, &["restore", dest_arg, "--replace"], "");
    assert!(!busy.status.success() && text(&busy).contains("server is using"), "{}", text(&busy));
    drop(serving);

    // Changes after the backup are not in it.
    sqlx::query("update course_versions set title = 'changed later'").execute(&db.write).await.unwrap();
    let restored = run(&b, &["restore", dest_arg], "");
    assert!(restored.status.success(), "{}", text(&restored));
    assert!(text(&restored).contains("Intact"), "{}", text(&restored));
    let db_b = Db::open(&format!("sqlite://{}", b.join("floorready.db").display())).await.unwrap();
    let (title, sha): (String, String) = sqlx::query_as(
        "select v.title, f.sha256 from course_versions v join course_files f on f.course_id = v.course_id",
    )
    .fetch_one(&db_b.read)
    .await
    .unwrap();
    assert_eq!(title, "三包 rules");
    assert_eq!(std::fs::read(b.join("files").join(&sha[..2]).join(&sha)).unwrap(), crate::files::PNG);
    db_b.write.close().await;
    db_b.read.close().await;

    // Over data that is there already: only with --replace.
    let over = run(&b, &["restore", dest_arg], "");
    assert!(!over.status.success() && text(&over).contains("--replace"), "{}", text(&over));
    // A damaged file or database is refused before anything is replaced.
    let blob = dest.join("files").join(&sha[..2]).join(&sha);
    std::fs::write(&blob, b"not the picture").unwrap();
    let bad = run(&b, &["restore", dest_arg, "--replace"], "");
    assert!(!bad.status.success() && text(&bad).contains("does not match its SHA-256"), "{}", text(&bad));
    std::fs::write(&blob, crate::files::PNG).unwrap();
    let bytes = std::fs::read(dest.join("floorready.db")).unwrap();
    std::fs::write(dest.join("floorready.db"), &bytes[..bytes.len() / 2]).unwrap();
    let torn = run(&b, &["restore", dest_arg, "--replace"], "");
    assert!(!torn.status.success() && text(&torn).contains("damaged"), "{}", text(&torn));
    let still: String = {
        let db_b = Db::open(&format!("sqlite://{}", b.join("floorready.db").display())).await.unwrap();
        sqlx::query_scalar("select title from course_versions").fetch_one(&db_b.read).await.unwrap()
    };
    assert_eq!(still, "三包 rules");
    let _ = std::fs::remove_dir_all(&root);
}
