//! Sign-in, sessions, throttling and the authorization layer against a real database.

use crate::common::*;
use floorready::error::AppError;
use floorready::model::team::TeamKind;
use floorready::model::user::Role;
use floorready::server::auth::guard::{require_role, require_team_scope, require_user};
use floorready::server::auth::login::{self, LoginRequest};
use floorready::server::auth::session;
use floorready::server::db::Pool;
use floorready::server::{team, user};

fn req<'a>(login: &'a str, password: &'a str, previous_session: Option<i64>) -> LoginRequest<'a> {
    LoginRequest { login, password, ip: "192.0.2.10", user_agent: "test", previous_session, device: None }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn login_by_email_or_employee_no_stores_only_a_token_hash(pool: Pool) {
    let st = state(pool.clone());
    let id = user(&st, "E100", "trainee", None).await;

    let token = login::login(&st, req("E100@Example.com", PASSWORD, None)).await.unwrap().session;
    let me = session::resolve(&st.db, &st.config, &token).await.unwrap().expect("live session");
    assert_eq!(me.id, id);
    assert_eq!(me.roles, vec![Role::Trainee]);
    let stored: Vec<u8> = sqlx::query_scalar("select token_hash from sessions").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, session::token_hash(&token));
    assert_ne!(stored, token.as_bytes());

    let token2 = login::login(&st, req("E100", PASSWORD, None)).await.unwrap().session;
    assert_ne!(token, token2);
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'login'").await, 2);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn wrong_password_and_unknown_user_get_the_same_answer(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "E101", "trainee", None).await;
    let wrong = login::login(&st, req("E101", "not-the-password", None)).await.unwrap_err();
    let unknown = login::login(&st, req("nobody@example.com", PASSWORD, None)).await.unwrap_err();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, AppError::validation("login", "error.bad_credentials"));
    assert_eq!(count(&pool, "select count(*) from sessions").await, 0);
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'login_failed'").await, 2);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn repeated_failures_are_throttled_with_retry_after(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "E102", "trainee", None).await;
    for _ in 0..6 {
        let e = login::login(&st, req("E102", "wrong-guess-123", None)).await.unwrap_err();
        assert!(matches!(e, AppError::Validation { .. }));
    }
    // Even the right password waits until the lock passes.
    match login::login(&st, req("E102", PASSWORD, None)).await {
        Err(AppError::RateLimited { retry_after_secs }) => assert!((1..=30).contains(&retry_after_secs)),
        other => panic!("expected RateLimited, got {other:?}"),
    }
    // Another client address is not locked out by this one's failures.
    let other_ip = LoginRequest { ip: "198.51.100.20", ..req("E102", PASSWORD, None) };
    assert!(login::login(&st, other_ip).await.is_ok());
}

/// Two app servers on one database (two states, one pool, each with its own memory) share the
/// counters: guesses spread over both lock the account on both, and a success on one clears it.
#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn servers_on_one_database_share_the_login_throttle(pool: Pool) {
    let (one, two) = (state(pool.clone()), state(pool.clone()));
    user(&one, "E103", "trainee", None).await;
    for i in 0..6 {
        let server = if i % 2 == 0 { &one } else { &two };
        assert!(matches!(
            login::login(server, req("E103", "wrong-guess-123", None)).await,
            Err(AppError::Validation { .. })
        ));
    }
    for server in [&one, &two] {
        assert!(matches!(login::login(server, req("E103", PASSWORD, None)).await, Err(AppError::RateLimited { .. })));
    }
    let keys = count(&pool, "select count(*) from login_throttle").await;
    assert_eq!(keys, 3, "pair, address and account counters");

    // Once the lock has passed (moved into the past here), a success clears all but the address's.
    sqlx::query("update login_throttle set locked_until_ms = locked_until_ms - 60000").execute(&pool).await.unwrap();
    assert!(login::login(&two, req("E103", PASSWORD, None)).await.is_ok());
    assert_eq!(count(&pool, "select count(*) from login_throttle where key like 'a%'").await, 1);
    assert_eq!(count(&pool, "select count(*) from login_throttle").await, 1);

    // The sweep drops counters that no longer hold anything back, and keeps the rest.
    let now = floorready::server::auth::throttle::now_ms();
    assert_eq!(floorready::server::auth::throttle::prune(&one.db, now).await.unwrap(), 0);
    assert_eq!(floorready::server::auth::throttle::prune(&one.db, now + 16 * 60 * 1000).await.unwrap(), 1);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn login_rotates_and_logout_ends_the_session(pool: Pool) {
    let st = state(pool.clone());
    let id = user(&st, "E103", "trainee", None).await;
    let first = login::login(&st, req("E103", PASSWORD, None)).await.unwrap().session;
    let first_session = session::resolve(&st.db, &st.config, &first).await.unwrap().unwrap().session_id;

    let second = login::login(&st, req("E103", PASSWORD, Some(first_session))).await.unwrap().session;
    assert!(session::resolve(&st.db, &st.config, &first).await.unwrap().is_none(), "old token must die");
    let live = session::resolve(&st.db, &st.config, &second).await.unwrap().unwrap();

    login::logout(&st, id, live.session_id, "ip").await.unwrap();
    assert!(session::resolve(&st.db, &st.config, &second).await.unwrap().is_none());
    assert_eq!(count(&pool, "select count(*) from sessions").await, 0);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn idle_and_absolute_timeouts_end_sessions(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "E104", "trainee", None).await;
    let idle = login::login(&st, req("E104", PASSWORD, None)).await.unwrap().session;
    let absolute = login::login(&st, req("E104", PASSWORD, None)).await.unwrap().session;
    let idle_secs = st.config.session_idle.as_secs() as i64;

    sqlx::query("update sessions set last_seen_at = last_seen_at - $1 where token_hash = $2")
        .bind(idle_secs + 1)
        .bind(session::token_hash(&idle))
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("update sessions set expires_at = $2 - 1 where token_hash = $1")
        .bind(session::token_hash(&absolute))
        .bind(chrono::Utc::now().timestamp())
        .execute(&pool)
        .await
        .unwrap();
    assert!(session::resolve(&st.db, &st.config, &idle).await.unwrap().is_none());
    assert!(session::resolve(&st.db, &st.config, &absolute).await.unwrap().is_none());
    assert_eq!(count(&pool, "select count(*) from sessions").await, 0, "expired sessions are deleted");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn disabling_a_user_ends_their_sessions_and_blocks_login(pool: Pool) {
    let st = state(pool.clone());
    let admin = user(&st, "A1", "admin", None).await;
    let id = user(&st, "E105", "trainee", None).await;
    let token = login::login(&st, req("E105", PASSWORD, None)).await.unwrap().session;

    let actor = floorready::server::audit::Actor { id: Some(admin), ip: "ip" };
    user::set_active(&st.db, actor, id, false).await.unwrap();
    assert!(session::resolve(&st.db, &st.config, &token).await.unwrap().is_none());
    assert!(login::login(&st, req("E105", PASSWORD, None)).await.is_err());
    // An admin cannot lock themselves out.
    assert!(user::set_active(&st.db, actor, admin, false).await.is_err());

    user::set_active(&st.db, actor, id, true).await.unwrap();
    assert!(login::login(&st, req("E105", PASSWORD, None)).await.is_ok());
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'user_disabled'").await, 1);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn password_change_and_reset(pool: Pool) {
    let st = state(pool.clone());
    let admin = user(&st, "A2", "admin", None).await;
    let id = user(&st, "E106", "trainee", None).await;
    let a = login::login(&st, req("E106", PASSWORD, None)).await.unwrap().session;
    let b = login::login(&st, req("E106", PASSWORD, None)).await.unwrap().session;
    let a_session = session::resolve(&st.db, &st.config, &a).await.unwrap().unwrap().session_id;

    let wrong = login::change_password(&st, id, a_session, "bad-current", "river-candle-sketch", "ip").await;
    assert_eq!(wrong.unwrap_err(), AppError::validation("current_password", "error.current_password_wrong"));
    let common = login::change_password(&st, id, a_session, PASSWORD, "password123", "ip").await;
    assert_eq!(common.unwrap_err(), AppError::validation("password", "error.password_common"));

    login::change_password(&st, id, a_session, PASSWORD, "river-candle-sketch", "ip").await.unwrap();
    assert!(session::resolve(&st.db, &st.config, &a).await.unwrap().is_some(), "this session stays");
    assert!(session::resolve(&st.db, &st.config, &b).await.unwrap().is_none(), "other sessions end");
    assert!(login::login(&st, req("E106", "river-candle-sketch", None)).await.is_ok());

    let actor = floorready::server::audit::Actor { id: Some(admin), ip: "ip" };
    user::reset_password(&st.db, &st.passwords, actor, id, "amber-walrus-fjord").await.unwrap();
    assert!(session::resolve(&st.db, &st.config, &a).await.unwrap().is_none(), "reset ends all sessions");
    assert!(login::login(&st, req("E106", "amber-walrus-fjord", None)).await.is_ok());
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn roles_and_team_scope_are_enforced(pool: Pool) {
    let st = state(pool.clone());
    let site = team::create(&st.db, SYSTEM, None, &"Shanghai".into(), TeamKind::Site).await.unwrap();
    let dept = team::create(&st.db, SYSTEM, Some(site), &"After-sales".into(), TeamKind::Department).await.unwrap();
    let group = team::create(&st.db, SYSTEM, Some(dept), &"Team 1".into(), TeamKind::Team).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Beijing".into(), TeamKind::Site).await.unwrap();

    let mgr_id = user(&st, "M1", "manager", Some(dept)).await;
    let input = user::UserInput {
        email: "m1@example.com".into(),
        employee_no: "M1".into(),
        display_name: "User M1".into(),
        roles: vec!["manager".into()],
        ..Default::default()
    };
    user::update(&st.db, SYSTEM, mgr_id, &input, Some(dept), &[dept]).await.unwrap();
    user(&st, "T1", "trainee", Some(group)).await;
    user(&st, "AD", "admin", None).await;

    let log = |no: &str| {
        let st = st.clone();
        let no = no.to_string();
        async move {
            let t = login::login(&st, req(&no, PASSWORD, None)).await.unwrap().session;
            session::resolve(&st.db, &st.config, &t).await.unwrap().unwrap()
        }
    };
    let manager = log("M1").await;
    let trainee = log("T1").await;
    let admin = log("AD").await;

    assert_eq!(require_user(None, "t").unwrap_err(), AppError::Unauthorized);
    assert_eq!(require_role(Some(&trainee), &[Role::Admin], "t").unwrap_err(), AppError::Forbidden);
    assert!(require_role(Some(&admin), &[Role::Admin], "t").is_ok());
    assert!(require_role(Some(&manager), &[Role::Admin, Role::Manager], "t").is_ok());

    // A manager sees their department and everything below it, nothing else.
    assert!(require_team_scope(&st.db, &manager, dept, "t").await.is_ok());
    assert!(require_team_scope(&st.db, &manager, group, "t").await.is_ok());
    assert_eq!(require_team_scope(&st.db, &manager, site, "t").await.unwrap_err(), AppError::Forbidden);
    assert_eq!(require_team_scope(&st.db, &manager, other, "t").await.unwrap_err(), AppError::Forbidden);
    assert_eq!(require_team_scope(&st.db, &trainee, group, "t").await.unwrap_err(), AppError::Forbidden);
    assert!(require_team_scope(&st.db, &admin, other, "t").await.is_ok());
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn audit_log_cannot_be_edited_or_deleted(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "E107", "trainee", None).await;
    assert!(sqlx::query("update audit_log set action = 'x'").execute(&pool).await.is_err());
    assert!(sqlx::query("delete from audit_log").execute(&pool).await.is_err());
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'user_created'").await, 1);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn attackers_cannot_lock_the_owner_out_of_a_trusted_browser(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "E110", "trainee", None).await;
    user(&st, "E111", "trainee", None).await;
    let device = login::login(&st, req("E110", PASSWORD, None)).await.unwrap().new_device.expect("a device token");
    let other_device = login::login(&st, req("E111", PASSWORD, None)).await.unwrap().new_device.unwrap();

    // 21 wrong guesses from 7 addresses lock the account for every untrusted client.
    for i in 0..21 {
        let ip = format!("198.51.100.{}", i % 7);
        let guess = LoginRequest { ip: &ip, ..req("E110", "wrong-guess-123", None) };
        assert!(login::login(&st, guess).await.is_err());
    }
    let elsewhere = LoginRequest { ip: "203.0.113.9", ..req("E110", PASSWORD, None) };
    assert!(matches!(login::login(&st, elsewhere).await, Err(AppError::RateLimited { .. })));
    // Her own browser gets in, and keeps its cookie.
    let hers = LoginRequest { ip: "203.0.113.9", device: Some(&device), ..req("E110", PASSWORD, None) };
    assert!(login::login(&st, hers).await.unwrap().new_device.is_none());
    // A device cookie of another account is no pass.
    let borrowed = LoginRequest { ip: "203.0.113.9", device: Some(&other_device), ..req("E110", PASSWORD, None) };
    assert!(matches!(login::login(&st, borrowed).await, Err(AppError::RateLimited { .. })));

    // 31 failures from one office address lock the address for untrusted clients only.
    for i in 0..31 {
        let no = format!("nobody{i}");
        let spray = LoginRequest { ip: "192.0.2.50", ..req(&no, "wrong-guess-123", None) };
        assert!(login::login(&st, spray).await.is_err());
    }
    let colleague = LoginRequest { ip: "192.0.2.50", ..req("E111", PASSWORD, None) };
    assert!(matches!(login::login(&st, colleague).await, Err(AppError::RateLimited { .. })));
    let colleague = LoginRequest { ip: "192.0.2.50", device: Some(&other_device), ..req("E111", PASSWORD, None) };
    assert!(login::login(&st, colleague).await.is_ok());

    // An admin's password reset means the account may be in the wrong hands: no browser stays trusted.
    let id = user::find_id(&st.db, "E111").await.unwrap();
    user::reset_password(&st.db, &st.passwords, SYSTEM, id, "river-candle-sketch").await.unwrap();
    assert_eq!(count(&pool, &format!("select count(*) from trusted_devices where user_id = {id}")).await, 0);
}
