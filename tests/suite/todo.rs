//! The home pages' to-do lists against a real database: each item appears when the thing is
//! missing or waiting, and goes when it is done.

use floorready::i18n::Zone;
use floorready::model::cert::ProgramFields;
use floorready::model::course::{CourseFields, TrainingType};
use floorready::model::plan::PlanFields;
use floorready::model::team::TeamKind;
use floorready::model::Names;
use floorready::server::db::Pool;
use floorready::server::plan::{self, SessionInput};
use floorready::server::user::{self as users, UserInput};
use floorready::server::{cert, course, now, position, team, todo};

use crate::common::*;

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn an_admin_sees_each_setup_gap_until_it_is_closed(pool: Pool) {
    let st = state(pool);
    let site = team::create(&st.db, SYSTEM, None, &"Shanghai".into(), TeamKind::Site).await.unwrap();
    user(&st, "AD", "admin", None).await;
    let e1 = user(&st, "E1", "trainee", None).await;
    let pos = position::add(&st.db, SYSTEM, "售后专员", "Service specialist").await.unwrap();
    let fields = ProgramFields {
        name: "Specialist".into(),
        position_id: pos,
        level_id: 1,
        requires_program_id: None,
        validity_days: 365,
        window_days: 60,
        veteran_cycle_days: None,
        manager_cycle_days: None,
    };
    let program = cert::save_program(&st.db, SYSTEM, None, fields).await.unwrap();

    let gaps = todo::admin(&st.db).await.unwrap();
    assert_eq!(gaps.people_without_team, 1, "E1 (the admin does not count)");
    assert_eq!(gaps.trainees_without_position, 1);
    assert_eq!(gaps.programs_without_requirements, vec![(program, "Specialist".into())]);
    assert_eq!(gaps.sites_without_time_zone, vec![Names::from("Shanghai")]);

    team::set_zone(&st.db, SYSTEM, site, Zone::parse("Asia/Shanghai").unwrap()).await.unwrap();
    let input = UserInput {
        email: "e1@example.com".into(),
        employee_no: "E1".into(),
        display_name: "User E1".into(),
        roles: vec!["trainee".into()],
        position_id: Some(pos),
        ..Default::default()
    };
    users::update(&st.db, SYSTEM, e1, &input, Some(site), &[]).await.unwrap();
    let course_fields = CourseFields {
        title: "Onboarding".into(),
        summary: String::new(),
        category_id: 2,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 60,
    };
    let t1 = user(&st, "T1", "trainer", Some(site)).await;
    let course = course::create(&st.db, SYSTEM, t1, &course_fields).await.unwrap();
    sqlx::query(
        "insert into program_requirements (program_id, phase, kind, course_id) values ($1, 'initial', 'course', $2)",
    )
    .bind(program)
    .bind(course)
    .execute(&st.db.write)
    .await
    .unwrap();
    let gaps = todo::admin(&st.db).await.unwrap();
    assert_eq!((gaps.people_without_team, gaps.trainees_without_position), (0, 0));
    assert!(gaps.programs_without_requirements.is_empty() && gaps.sites_without_time_zone.is_empty());
    assert!(gaps.is_empty());
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_trainee_without_a_program_is_told_why_and_whom_to_ask(pool: Pool) {
    let st = state(pool);
    let site = team::create(&st.db, SYSTEM, None, &"Shanghai".into(), TeamKind::Site).await.unwrap();
    let group = team::create(&st.db, SYSTEM, Some(site), &"Team 1".into(), TeamKind::Team).await.unwrap();
    let manager = user(&st, "M1", "manager", Some(site)).await;
    let input = UserInput {
        employee_no: "M1".into(),
        display_name: "王经理".into(),
        roles: vec!["manager".into()],
        ..Default::default()
    };
    users::update(&st.db, SYSTEM, manager, &UserInput { email: "m1@example.com".into(), ..input }, Some(site), &[site])
        .await
        .unwrap();
    user(&st, "E1", "trainee", Some(group)).await;
    let e1 = current(&st, "E1").await;

    let next = todo::trainee(&st.db, &e1).await.unwrap();
    assert_eq!(next.position, None);
    assert_eq!(next.programs, 0);
    assert_eq!(next.managers, vec!["王经理".to_string()], "the manager of the site above the trainee's team");

    let pos = position::add(&st.db, SYSTEM, "售后专员", "Service specialist").await.unwrap();
    sqlx::query("update users set position_id = $1 where employee_no = 'E1'")
        .bind(pos)
        .execute(&st.db.write)
        .await
        .unwrap();
    let next = todo::trainee(&st.db, &e1).await.unwrap();
    assert_eq!(next.position.map(|p| p.en), Some("Service specialist".to_string()));
    assert_eq!(next.programs, 0);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_trainer_sees_only_the_sessions_they_run_today_on_the_plans_clock(pool: Pool) {
    let st = state(pool);
    let t1 = user(&st, "T1", "trainer", None).await;
    user(&st, "T2", "trainer", None).await;
    let shanghai = Zone::parse("Asia/Shanghai").unwrap();
    let fields = PlanFields { title: "岗前培训".into(), time_zone: shanghai, ..Default::default() };
    let id = plan::create(&st.db, SYSTEM, t1, &fields).await.unwrap();
    let today = shanghai.today(now()).unwrap();
    let add = |day: chrono::NaiveDate, topic: &str, instructor: &str| SessionInput {
        topic: topic.into(),
        day: day.to_string(),
        start_time: "09:00".into(),
        end_time: "12:00".into(),
        instructor_employee_no: instructor.into(),
        ..Default::default()
    };
    plan::add_session(&st.db, id, &add(today, "Today, mine", "T1")).await.unwrap();
    plan::add_session(&st.db, id, &add(today, "Today, T2's", "T2")).await.unwrap();
    plan::add_session(&st.db, id, &add(today + chrono::Duration::days(1), "Tomorrow", "T1")).await.unwrap();
    plan::add_session(&st.db, id, &add(today - chrono::Duration::days(1), "Yesterday", "T1")).await.unwrap();

    let mine = todo::trainer(&st.db, &current(&st, "T1").await).await.unwrap();
    let topics: Vec<&str> = mine.sessions.iter().map(|s| s.topic.as_str()).collect();
    assert_eq!(topics, vec!["Today, mine"]);
    assert_eq!((mine.essays, mine.roleplays), (0, 0));
}
