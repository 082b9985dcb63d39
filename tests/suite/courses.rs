//! Course authoring, versions, enrollment and trainee progress against a real database.

use crate::common::*;
use floorready::error::{AppError, RowError};
use floorready::i18n::Locale;
use floorready::model::course::{CourseFields, CourseStatus, TrainingType};
use floorready::model::team::TeamKind;
use floorready::server::course::{self, enroll, learn};
use floorready::server::db::Pool;
use floorready::server::state::AppState;
use floorready::server::{team, user};

fn fields(title: &str) -> CourseFields {
    CourseFields {
        title: title.into(),
        summary: "售后服务岗前培训".into(),
        category_id: 2,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 90,
    }
}

/// A published course with two modules and three lessons; returns (course, [lesson ids]).
async fn published_course(st: &AppState, owner: i64) -> (i64, Vec<i64>) {
    let c = course::create(&st.db, SYSTEM, owner, &fields("服务承诺 Service commitments")).await.unwrap();
    let m1 = course::add_module(&st.db, c, &"Module 1".into()).await.unwrap();
    let m2 = course::add_module(&st.db, c, &"Module 2".into()).await.unwrap();
    let l1 = course::add_lesson(&st.db, c, m1, &"Lesson 1".into(), "# 24 小时响应").await.unwrap();
    let l2 = course::add_lesson(&st.db, c, m1, &"Lesson 2".into(), "**v1 text**").await.unwrap();
    let l3 = course::add_lesson(&st.db, c, m2, &"Lesson 3".into(), "<script>alert(1)</script>ok").await.unwrap();
    course::publish(&st.db, SYSTEM, c).await.unwrap();
    (c, vec![l1, l2, l3])
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn authoring_validates_and_only_drafts_are_editable(pool: Pool) {
    let st = state(pool.clone());
    let trainer = user(&st, "T1", "trainer", None).await;
    let bad = CourseFields { title: "  ".into(), ..fields("x") };
    assert_eq!(
        course::create(&st.db, SYSTEM, trainer, &bad).await.unwrap_err(),
        AppError::validation("title_zh", "error.names_both_empty")
    );
    let unknown_level = CourseFields { level_id: 99, ..fields("x") };
    assert_eq!(
        course::create(&st.db, SYSTEM, trainer, &unknown_level).await.unwrap_err(),
        AppError::validation("level_id", "error.choice_unknown")
    );
    let c = course::create(&st.db, SYSTEM, trainer, &fields("Empty")).await.unwrap();
    assert_eq!(
        course::publish(&st.db, SYSTEM, c).await.unwrap_err(),
        AppError::validation("course", "error.course_empty")
    );

    let (c, lessons) = published_course(&st, trainer).await;
    let editor = course::editor(&st.db, c).await.unwrap();
    assert!(!editor.is_draft && editor.status == CourseStatus::Published);
    // The published version cannot be edited in place.
    assert_eq!(course::update_lesson(&st.db, c, lessons[1], &"x".into(), "y").await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        course::update_fields(&st.db, c, &fields("New")).await.unwrap_err(),
        AppError::validation("course", "error.course_not_draft")
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_new_version_leaves_enrolled_trainees_on_theirs(pool: Pool) {
    let st = state(pool.clone());
    let trainer = user(&st, "T1", "trainer", None).await;
    let early = user(&st, "E1", "trainee", None).await;
    let late = user(&st, "E2", "trainee", None).await;
    let (c, lessons) = published_course(&st, trainer).await;
    enroll::one(&st.db, SYSTEM, c, early).await.unwrap();
    learn::complete(&st.db, early, lessons[0]).await.unwrap();

    let draft = course::start_draft(&st.db, SYSTEM, c).await.unwrap();
    assert_eq!(course::start_draft(&st.db, SYSTEM, c).await.unwrap(), draft, "one draft at a time");
    let editor = course::editor(&st.db, c).await.unwrap();
    assert!(editor.is_draft && editor.version_no == 2);
    let new_l2 = editor.modules[0].lessons[1].id;
    assert_ne!(new_l2, lessons[1], "the draft has its own copies");
    course::update_lesson(&st.db, c, new_l2, &"Lesson 2 (v2)".into(), "**v2 text**").await.unwrap();
    course::publish(&st.db, SYSTEM, c).await.unwrap();

    enroll::one(&st.db, SYSTEM, c, late).await.unwrap();
    let early_view = learn::lesson(&st.db, early, lessons[1]).await.unwrap();
    assert!(early_view.html.contains("v1 text"), "the early trainee keeps version 1");
    assert_eq!(learn::outline(&st.db, early, c).await.unwrap().done, 1, "and their progress");
    let late_outline = learn::outline(&st.db, late, c).await.unwrap();
    assert_eq!(late_outline.modules[0].lessons[1].title, "Lesson 2 (v2)".into());
    // A lesson of another version is not the late trainee's to open.
    assert_eq!(learn::lesson(&st.db, late, lessons[0]).await.unwrap_err(), AppError::NotFound);
    let learners = enroll::learners(&st.db, c).await.unwrap();
    let versions: Vec<i64> = learners.iter().map(|l| l.version_no).collect();
    assert_eq!(versions, vec![1, 2]);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn lessons_open_in_order_and_completion_is_recorded_once(pool: Pool) {
    let st = state(pool.clone());
    let trainer = user(&st, "T1", "trainer", None).await;
    let trainee = user(&st, "E1", "trainee", None).await;
    let stranger = user(&st, "E9", "trainee", None).await;
    let (c, l) = published_course(&st, trainer).await;
    enroll::one(&st.db, SYSTEM, c, trainee).await.unwrap();

    let locked = AppError::validation("lesson", "error.lesson_locked");
    assert_eq!(learn::lesson(&st.db, trainee, l[1]).await.unwrap_err(), locked);
    assert_eq!(learn::complete(&st.db, trainee, l[2]).await.unwrap_err(), locked);
    assert_eq!(learn::lesson(&st.db, stranger, l[0]).await.unwrap_err(), AppError::NotFound, "not enrolled");

    let first = learn::lesson(&st.db, trainee, l[0]).await.unwrap();
    assert!(first.html.contains("<h1>24 小时响应</h1>"));
    assert_eq!((first.number, first.total, first.next_id), (1, 3, Some(l[1])));
    assert_eq!(learn::complete(&st.db, trainee, l[0]).await.unwrap(), Some(l[1]));
    assert_eq!(learn::complete(&st.db, trainee, l[0]).await.unwrap(), Some(l[1]), "a repeat is harmless");
    assert_eq!(count(&pool, "select count(*) from lesson_completions").await, 1);
    learn::complete(&st.db, trainee, l[1]).await.unwrap();
    let third = learn::lesson(&st.db, trainee, l[2]).await.unwrap();
    assert!(!third.html.contains("<script"), "lesson HTML is sanitized: {}", third.html);
    assert_eq!(learn::complete(&st.db, trainee, l[2]).await.unwrap(), None, "finished");

    let mine = learn::my_courses(&st.db, trainee).await.unwrap();
    assert_eq!((mine[0].done, mine[0].total, mine[0].next_lesson_id), (3, 3, None));
    assert!(mine[0].completed_at.is_some());
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_bad_enrollment_list_enrolls_nobody(pool: Pool) {
    let st = state(pool.clone());
    let trainer = user(&st, "T1", "trainer", None).await;
    user(&st, "E1", "trainee", None).await;
    let gone = user(&st, "E2", "trainee", None).await;
    floorready::server::user::set_active(&st.db, SYSTEM, gone, false).await.unwrap();
    let (c, _) = published_course(&st, trainer).await;

    let err = enroll::by_employee_numbers(&st.db, SYSTEM, c, "E1, E2\nNOPE").await.unwrap_err();
    assert_eq!(
        err,
        AppError::Rows(vec![
            RowError { line: 2, field: "employee_no".into(), key: "error.user_disabled".into(), value: "E2".into() },
            RowError {
                line: 3,
                field: "employee_no".into(),
                key: "error.employee_no_unknown".into(),
                value: "NOPE".into(),
            },
        ])
    );
    assert_eq!(count(&pool, "select count(*) from enrollments").await, 0);
    assert_eq!(enroll::by_employee_numbers(&st.db, SYSTEM, c, "E1，E1").await.unwrap(), 1, "duplicates count once");

    // A draft-only or archived course takes nobody.
    let draft_only = course::create(&st.db, SYSTEM, trainer, &fields("Draft")).await.unwrap();
    let not_enrollable = AppError::validation("course", "error.course_not_enrollable");
    assert_eq!(enroll::by_employee_numbers(&st.db, SYSTEM, draft_only, "E1").await.unwrap_err(), not_enrollable);
    course::set_archived(&st.db, SYSTEM, c, true).await.unwrap();
    assert_eq!(enroll::by_employee_numbers(&st.db, SYSTEM, c, "T1").await.unwrap_err(), not_enrollable);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn only_owners_and_admins_may_author(pool: Pool) {
    let st = state(pool.clone());
    let owner_id = user(&st, "T1", "trainer", None).await;
    user(&st, "T2", "trainer", None).await;
    user(&st, "E1", "trainee", None).await;
    user(&st, "AD", "admin", None).await;
    let (c, _) = published_course(&st, owner_id).await;

    let owner = current(&st, "T1").await;
    let other_trainer = current(&st, "T2").await;
    let trainee = current(&st, "E1").await;
    let admin = current(&st, "AD").await;
    assert!(course::require_author(&st.db, &owner, c).await.is_ok());
    assert!(course::require_author(&st.db, &admin, c).await.is_ok());
    assert_eq!(course::require_author(&st.db, &other_trainer, c).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(course::require_author(&st.db, &trainee, c).await.unwrap_err(), AppError::Forbidden);
    assert!(course::list_for_author(&st.db, &other_trainer).await.unwrap().is_empty());
    assert_eq!(course::list_for_author(&st.db, &owner).await.unwrap().len(), 1);

    // An owner adds a co-owner, who may then author; a trainee cannot be made an owner.
    assert_eq!(
        course::add_owner(&st.db, SYSTEM, c, "E1").await.unwrap_err(),
        AppError::validation("employee_no", "error.not_a_trainer")
    );
    course::add_owner(&st.db, SYSTEM, c, "T2").await.unwrap();
    assert!(course::require_author(&st.db, &other_trainer, c).await.is_ok());
    assert_eq!(course::editor(&st.db, c).await.unwrap().owners, vec!["User T1", "User T2"]);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn admins_keep_the_category_and_level_lists(pool: Pool) {
    use course::ChoiceList;
    let st = state(pool.clone());
    let trainer = user(&st, "T1", "trainer", None).await;
    let id = course::add_choice(&st.db, SYSTEM, ChoiceList::Category, "安全规范", "Safety rules").await.unwrap();
    let level = course::add_choice(&st.db, SYSTEM, ChoiceList::Level, "专家", "Expert").await.unwrap();
    let choices = course::choices(&st.db).await.unwrap();
    assert_eq!(choices.categories.last().unwrap().name_en, "Safety rules");
    assert_eq!(choices.levels.last().unwrap().id, level, "a new level ranks highest");
    assert_eq!(
        course::add_choice(&st.db, SYSTEM, ChoiceList::Level, " ", "x").await.unwrap_err(),
        AppError::validation("name_zh", "error.name_invalid")
    );

    course::rename_choice(&st.db, ChoiceList::Category, id, "安全与合规", "Safety and compliance").await.unwrap();
    course::create(&st.db, SYSTEM, trainer, &CourseFields { category_id: id, ..fields("Safety") }).await.unwrap();
    assert_eq!(
        course::delete_choice(&st.db, ChoiceList::Category, id).await.unwrap_err(),
        AppError::validation("choice", "error.choice_in_use")
    );
    course::delete_choice(&st.db, ChoiceList::Level, level).await.unwrap();
    assert_eq!(count(&pool, "select count(*) from course_levels").await, 3);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn managers_see_course_progress_of_their_teams_only(pool: Pool) {
    let st = state(pool.clone());
    let site = team::create(&st.db, SYSTEM, None, &"Shanghai".into(), TeamKind::Site).await.unwrap();
    let group = team::create(&st.db, SYSTEM, Some(site), &"客服一组".into(), TeamKind::Team).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Beijing".into(), TeamKind::Site).await.unwrap();
    let owner = user(&st, "T1", "trainer", None).await;
    user(&st, "E1", "trainee", Some(group)).await;
    user(&st, "E9", "trainee", Some(other)).await;
    user(&st, "AD", "admin", None).await;
    let m1 = user(&st, "M1", "manager", None).await;
    let input = user::UserInput {
        email: "m1@example.com".into(),
        employee_no: "M1".into(),
        display_name: "User M1".into(),
        roles: vec!["manager".into()],
        ..Default::default()
    };
    user::update(&st.db, SYSTEM, m1, &input, None, &[site]).await.unwrap();
    let (c, lessons) = published_course(&st, owner).await;
    enroll::by_employee_numbers(&st.db, SYSTEM, c, "E1 E9").await.unwrap();
    let e1 = current(&st, "E1").await;
    learn::complete(&st.db, e1.id, lessons[0]).await.unwrap();

    let rows = enroll::team_progress(&st.db, &current(&st, "M1").await).await.unwrap();
    let seen: Vec<(&str, &str, u32, u32)> =
        rows.iter().map(|r| (r.team.shown(Locale::ZhCn), r.employee_no.as_str(), r.done, r.total)).collect();
    assert_eq!(seen, vec![("客服一组", "E1", 1, 3)], "a sub-team is in scope, another site is not");
    assert_eq!(enroll::team_progress(&st.db, &current(&st, "AD").await).await.unwrap().len(), 2);
    assert!(enroll::team_progress(&st.db, &current(&st, "T1").await).await.unwrap().is_empty());
}
