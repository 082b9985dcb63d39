// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::course::{
    CourseChoices, CourseEditor, CourseFile, CourseOutline, CoursePreview, CourseSummary, EnrolledCourse, Learner,
    LessonView, TeamProgress,
};

#[cfg(feature = "ssr")]
use crate::{
    model::course::{CourseFields, TrainingType},
    model::user::Role,
    server::{course as svc, ctx::Ctx},
};

#[cfg(feature = "ssr")]
use super::number;

#[cfg(feature = "ssr")]
fn fields(
    title: String,
    summary: String,
    category_id: &str,
    level_id: &str,
    training_type: &str,
    duration_minutes: &str,
) -> Result<CourseFields, AppError> {
    Ok(CourseFields {
        title,
        summary,
        category_id: number("category_id", category_id)?,
        level_id: number("level_id", level_id)?,
        training_type: TrainingType::parse(training_type)
            .ok_or_else(|| AppError::validation("training_type", "error.choice_unknown"))?,
        duration_minutes: number("duration_minutes", duration_minutes)?,
    })
}

/// The caller may author this course: returns the context for the rest of the call.
#[cfg(feature = "ssr")]
async fn author(course_id: i64, what: &str) -> Result<Ctx, AppError> {
    let cx = Ctx::get()?;
    let me = cx.role(&[Role::Trainer, Role::Admin], what)?;
    cx.with_status(svc::require_author(&cx.state.db, me, course_id).await)?;
    Ok(cx)
}

#[server]
pub async fn get_course_choices() -> Result<CourseChoices, AppError> {
    let cx = Ctx::get()?;
    cx.user("get_course_choices")?;
    cx.with_status(svc::choices(&cx.state.db).await)
}

#[server]
pub async fn authored_courses() -> Result<Vec<CourseSummary>, AppError> {
    let cx = Ctx::get()?;
    let me = cx.role(&[Role::Trainer, Role::Admin], "authored_courses")?;
    cx.with_status(svc::list_for_author(&cx.state.db, me).await)
}

#[server]
pub async fn create_course(
    title: String,
    #[server(default)] summary: String,
    category_id: String,
    level_id: String,
    training_type: String,
    duration_minutes: String,
) -> Result<(), AppError> {
    let cx = Ctx::get()?;
    let me = cx.role(&[Role::Trainer, Role::Admin], "create_course")?;
    let f = cx.with_status(fields(title, summary, &category_id, &level_id, &training_type, &duration_minutes))?;
    let id = cx.with_status(svc::create(&cx.state.db, cx.actor(), me.id, &f).await)?;
    leptos_axum::redirect(&format!("/trainer/courses/{id}"));
    Ok(())
}

#[server]
pub async fn get_course_editor(id: i64) -> Result<CourseEditor, AppError> {
    let cx = author(id, "get_course_editor").await?;
    cx.with_status(svc::editor(&cx.state.db, id).await)
}

#[server]
pub async fn update_course(
    id: i64,
    title: String,
    #[server(default)] summary: String,
    category_id: String,
    level_id: String,
    training_type: String,
    duration_minutes: String,
) -> Result<(), AppError> {
    let cx = author(id, "update_course").await?;
    let f = cx.with_status(fields(title, summary, &category_id, &level_id, &training_type, &duration_minutes))?;
    cx.with_status(svc::update_fields(&cx.state.db, id, &f).await)
}

#[server]
pub async fn start_course_draft(id: i64) -> Result<(), AppError> {
    let cx = author(id, "start_course_draft").await?;
    cx.with_status(svc::start_draft(&cx.state.db, cx.actor(), id).await).map(|_| ())
}

#[server]
pub async fn add_module(course_id: i64, title: String) -> Result<(), AppError> {
    let cx = author(course_id, "add_module").await?;
    cx.with_status(svc::add_module(&cx.state.db, course_id, &title).await).map(|_| ())
}

#[server]
pub async fn rename_module(course_id: i64, module_id: i64, title: String) -> Result<(), AppError> {
    let cx = author(course_id, "rename_module").await?;
    cx.with_status(svc::rename_module(&cx.state.db, course_id, module_id, &title).await)
}

#[server]
pub async fn delete_module(course_id: i64, module_id: i64) -> Result<(), AppError> {
    let cx = author(course_id, "delete_module").await?;
    cx.with_status(svc::delete_module(&cx.state.db, course_id, module_id).await)
}

#[server]
pub async fn add_lesson(
    course_id: i64,
    module_id: i64,
    title: String,
    #[server(default)] body_md: String,
) -> Result<(), AppError> {
    let cx = author(course_id, "add_lesson").await?;
    cx.with_status(svc::add_lesson(&cx.state.db, course_id, module_id, &title, &body_md).await).map(|_| ())
}

#[server]
pub async fn update_lesson(
    course_id: i64,
    lesson_id: i64,
    title: String,
    #[server(default)] body_md: String,
) -> Result<(), AppError> {
    let cx = author(course_id, "update_lesson").await?;
    cx.with_status(svc::update_lesson(&cx.state.db, course_id, lesson_id, &title, &body_md).await)
}

#[server]
pub async fn delete_lesson(course_id: i64, lesson_id: i64) -> Result<(), AppError> {
    let cx = author(course_id, "delete_lesson").await?;
    cx.with_status(svc::delete_lesson(&cx.state.db, course_id, lesson_id).await)
}

#[server]
pub async fn publish_course(id: i64) -> Result<(), AppError> {
    let cx = author(id, "publish_course").await?;
    cx.with_status(svc::publish(&cx.state.db, cx.actor(), id).await)
}

#[server]
pub async fn archive_course(id: i64, archived: bool) -> Result<(), AppError> {
    let cx = author(id, "archive_course").await?;
    cx.with_status(svc::set_archived(&cx.state.db, cx.actor(), id, archived).await)
}

/// Enrolls by a list of employee numbers and/or a whole team.
#[server]
pub async fn enroll_course(
    course_id: i64,
    #[server(default)] employee_numbers: String,
    #[server(default)] team_id: String,
) -> Result<u32, AppError> {
    let cx = author(course_id, "enroll_course").await?;
    let mut created = 0;
    if !employee_numbers.trim().is_empty() {
        created += cx.with_status(
            svc::enroll::by_employee_numbers(&cx.state.db, cx.actor(), course_id, &employee_numbers).await,
        )?;
    }
    if !team_id.trim().is_empty() {
        let team = cx.with_status(number("team_id", &team_id))?;
        created += cx.with_status(svc::enroll::by_team(&cx.state.db, cx.actor(), course_id, team).await)?;
    }
    if employee_numbers.trim().is_empty() && team_id.trim().is_empty() {
        return cx.with_status(Err(AppError::validation("employee_numbers", "error.list_empty")));
    }
    Ok(created)
}

#[server]
pub async fn course_learners(course_id: i64) -> Result<Vec<Learner>, AppError> {
    let cx = author(course_id, "course_learners").await?;
    cx.with_status(svc::enroll::learners(&cx.state.db, course_id).await)
}

#[server]
pub async fn preview_course(course_id: i64) -> Result<CoursePreview, AppError> {
    let cx = author(course_id, "preview_course").await?;
    cx.with_status(svc::learn::preview(&cx.state.db, course_id).await)
}

/// The caller's own enrolled courses.
#[server]
pub async fn my_courses() -> Result<Vec<EnrolledCourse>, AppError> {
    let cx = Ctx::get()?;
    let me = cx.user("my_courses")?;
    cx.with_status(svc::learn::my_courses(&cx.state.db, me.id).await)
}

#[server]
pub async fn get_course_outline(course_id: i64) -> Result<CourseOutline, AppError> {
    let cx = Ctx::get()?;
    let me = cx.user("get_course_outline")?;
    cx.with_status(svc::learn::outline(&cx.state.db, me.id, course_id).await)
}

#[server]
pub async fn get_lesson(lesson_id: i64) -> Result<LessonView, AppError> {
    let cx = Ctx::get()?;
    let me = cx.user("get_lesson")?;
    cx.with_status(svc::learn::lesson(&cx.state.db, me.id, lesson_id).await)
}

/// Marks the lesson done and goes on to the next one (or back to the course when finished).
#[server]
pub async fn complete_lesson(course_id: i64, lesson_id: i64) -> Result<(), AppError> {
    let cx = Ctx::get()?;
    let me = cx.user("complete_lesson")?;
    let next = cx.with_status(svc::learn::complete(&cx.state.db, me.id, lesson_id).await)?;
    match next {
        Some(next) => leptos_axum::redirect(&format!("/learn/lesson/{next}")),
        None => leptos_axum::redirect(&format!("/learn/{course_id}?finished=1")),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn choice_list(list: &str) -> Result<svc::ChoiceList, AppError> {
    svc::ChoiceList::parse(list).ok_or_else(|| AppError::validation("list", "error.choice_unknown"))
}

/// Admins keep the category and level lists.
#[server]
pub async fn add_course_choice(list: String, name_zh: String, name_en: String) -> Result<(), AppError> {
    let cx = Ctx::get()?;
    cx.role(&[Role::Admin], "add_course_choice")?;
    let list = cx.with_status(choice_list(&list))?;
    cx.with_status(svc::add_choice(&cx.state.db, cx.actor(), list, &name_zh, &name_en).await).map(|_| ())
}

#[server]
pub async fn rename_course_choice(list: String, id: i64, name_zh: String, name_en: String) -> Result<(), AppError> {
    let cx = Ctx::get()?;
    cx.role(&[Role::Admin], "rename_course_choice")?;
    let list = cx.with_status(choice_list(&list))?;
    cx.with_status(svc::rename_choice(&cx.state.db, list, id, &name_zh, &name_en).await)
}

#[server]
pub async fn delete_course_choice(list: String, id: i64) -> Result<(), AppError> {
    let cx = Ctx::get()?;
    cx.role(&[Role::Admin], "delete_course_choice")?;
    let list = cx.with_status(choice_list(&list))?;
    cx.with_status(svc::delete_choice(&cx.state.db, list, id).await)
}

#[server]
pub async fn add_course_owner(course_id: i64, employee_no: String) -> Result<(), AppError> {
    let cx = author(course_id, "add_course_owner").await?;
    cx.with_status(svc::add_owner(&cx.state.db, cx.actor(), course_id, &employee_no).await)
}

#[server]
pub async fn course_files(course_id: i64) -> Result<Vec<CourseFile>, AppError> {
    let cx = author(course_id, "course_files").await?;
    cx.with_status(svc::files::list(&cx.state.db, course_id).await)
}

#[server]
pub async fn delete_course_file(course_id: i64, file_id: i64) -> Result<(), AppError> {
    let cx = author(course_id, "delete_course_file").await?;
    cx.with_status(svc::files::delete(&cx.state.db, cx.actor(), course_id, file_id).await)
}

#[server]
pub async fn get_team_progress() -> Result<Vec<TeamProgress>, AppError> {
    let cx = Ctx::get()?;
    let me = cx.role(&[Role::Manager, Role::Admin], "get_team_progress")?;
    cx.with_status(svc::enroll::team_progress(&cx.state.db, me).await)
}
