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
    model::Names,
    server::{course as svc, ctx::Ctx},
};

#[cfg(feature = "ssr")]
use super::number;

#[cfg(feature = "ssr")]
fn fields(
    title: Names,
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

/// The caller may author this course.
#[cfg(feature = "ssr")]
async fn author(cx: &Ctx, course_id: i64, what: &str) -> Result<(), AppError> {
    let me = cx.role(&[Role::Trainer, Role::Admin], what)?;
    svc::require_author(&cx.state.db, me, course_id).await
}

#[server]
pub async fn get_course_choices() -> Result<CourseChoices, AppError> {
    Ctx::serve(async |cx| {
        cx.user("get_course_choices")?;
        svc::choices(&cx.state.db).await
    })
    .await
}

#[server]
pub async fn authored_courses() -> Result<Vec<CourseSummary>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainer, Role::Admin], "authored_courses")?;
        svc::list_for_author(&cx.state.db, me).await
    })
    .await
}

#[server]
pub async fn create_course(
    #[server(default)] title_zh: String,
    #[server(default)] title_en: String,
    #[server(default)] summary: String,
    category_id: String,
    level_id: String,
    training_type: String,
    duration_minutes: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainer, Role::Admin], "create_course")?;
        let f = fields(
            Names::new(title_zh, title_en),
            summary,
            &category_id,
            &level_id,
            &training_type,
            &duration_minutes,
        )?;
        let id = svc::create(&cx.state.db, cx.actor(), me.id, &f).await?;
        leptos_axum::redirect(&format!("/trainer/courses/{id}"));
        Ok(())
    })
    .await
}

#[server]
pub async fn get_course_editor(id: i64) -> Result<CourseEditor, AppError> {
    Ctx::serve(async |cx| {
        author(cx, id, "get_course_editor").await?;
        svc::editor(&cx.state.db, id).await
    })
    .await
}

#[server]
pub async fn update_course(
    id: i64,
    #[server(default)] title_zh: String,
    #[server(default)] title_en: String,
    #[server(default)] summary: String,
    category_id: String,
    level_id: String,
    training_type: String,
    duration_minutes: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, id, "update_course").await?;
        let f = fields(
            Names::new(title_zh, title_en),
            summary,
            &category_id,
            &level_id,
            &training_type,
            &duration_minutes,
        )?;
        svc::update_fields(&cx.state.db, id, &f).await
    })
    .await
}

#[server]
pub async fn start_course_draft(id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, id, "start_course_draft").await?;
        svc::start_draft(&cx.state.db, cx.actor(), id).await.map(|_| ())
    })
    .await
}

#[server]
pub async fn add_module(
    course_id: i64,
    #[server(default)] title_zh: String,
    #[server(default)] title_en: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "add_module").await?;
        svc::add_module(&cx.state.db, course_id, &Names::new(title_zh, title_en)).await.map(|_| ())
    })
    .await
}

#[server]
pub async fn rename_module(
    course_id: i64,
    module_id: i64,
    #[server(default)] title_zh: String,
    #[server(default)] title_en: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "rename_module").await?;
        svc::rename_module(&cx.state.db, course_id, module_id, &Names::new(title_zh, title_en)).await
    })
    .await
}

#[server]
pub async fn delete_module(course_id: i64, module_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "delete_module").await?;
        svc::delete_module(&cx.state.db, course_id, module_id).await
    })
    .await
}

#[server]
pub async fn add_lesson(
    course_id: i64,
    module_id: i64,
    #[server(default)] title_zh: String,
    #[server(default)] title_en: String,
    #[server(default)] body_md: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "add_lesson").await?;
        svc::add_lesson(&cx.state.db, course_id, module_id, &Names::new(title_zh, title_en), &body_md).await.map(|_| ())
    })
    .await
}

#[server]
pub async fn update_lesson(
    course_id: i64,
    lesson_id: i64,
    #[server(default)] title_zh: String,
    #[server(default)] title_en: String,
    #[server(default)] body_md: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "update_lesson").await?;
        svc::update_lesson(&cx.state.db, course_id, lesson_id, &Names::new(title_zh, title_en), &body_md).await
    })
    .await
}

#[server]
pub async fn delete_lesson(course_id: i64, lesson_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "delete_lesson").await?;
        svc::delete_lesson(&cx.state.db, course_id, lesson_id).await
    })
    .await
}

#[server]
pub async fn publish_course(id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, id, "publish_course").await?;
        svc::publish(&cx.state.db, cx.actor(), id).await
    })
    .await
}

#[server]
pub async fn archive_course(id: i64, archived: bool) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, id, "archive_course").await?;
        svc::set_archived(&cx.state.db, cx.actor(), id, archived).await
    })
    .await
}

/// Enrolls by a list of employee numbers and/or a whole team.
#[server]
pub async fn enroll_course(
    course_id: i64,
    #[server(default)] employee_numbers: String,
    #[server(default)] team_id: String,
) -> Result<u32, AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "enroll_course").await?;
        let mut created = 0;
        if !employee_numbers.trim().is_empty() {
            created += svc::enroll::by_employee_numbers(&cx.state.db, cx.actor(), course_id, &employee_numbers).await?;
        }
        if !team_id.trim().is_empty() {
            let team = number("team_id", &team_id)?;
            created += svc::enroll::by_team(&cx.state.db, cx.actor(), course_id, team).await?;
        }
        if employee_numbers.trim().is_empty() && team_id.trim().is_empty() {
            return Err(AppError::validation("employee_numbers", "error.list_empty"));
        }
        Ok(created)
    })
    .await
}

#[server]
pub async fn course_learners(course_id: i64) -> Result<Vec<Learner>, AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "course_learners").await?;
        svc::enroll::learners(&cx.state.db, course_id).await
    })
    .await
}

#[server]
pub async fn preview_course(course_id: i64) -> Result<CoursePreview, AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "preview_course").await?;
        svc::learn::preview(&cx.state.db, course_id).await
    })
    .await
}

/// The caller's own enrolled courses.
#[server]
pub async fn my_courses() -> Result<Vec<EnrolledCourse>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("my_courses")?;
        svc::learn::my_courses(&cx.state.db, me.id).await
    })
    .await
}

#[server]
pub async fn get_course_outline(course_id: i64) -> Result<CourseOutline, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_course_outline")?;
        svc::learn::outline(&cx.state.db, me.id, course_id).await
    })
    .await
}

#[server]
pub async fn get_lesson(lesson_id: i64) -> Result<LessonView, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_lesson")?;
        svc::learn::lesson(&cx.state.db, me.id, lesson_id).await
    })
    .await
}

/// Marks the lesson done and goes on to the next one (or back to the course when finished).
#[server]
pub async fn complete_lesson(course_id: i64, lesson_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("complete_lesson")?;
        let next = svc::learn::complete(&cx.state.db, me.id, lesson_id).await?;
        match next {
            Some(next) => leptos_axum::redirect(&format!("/learn/lesson/{next}")),
            None => leptos_axum::redirect(&format!("/learn/{course_id}?finished=1")),
        }
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
fn choice_list(list: &str) -> Result<svc::ChoiceList, AppError> {
    svc::ChoiceList::parse(list).ok_or_else(|| AppError::validation("list", "error.choice_unknown"))
}

/// Admins keep the category and level lists.
#[server]
pub async fn add_course_choice(list: String, name_zh: String, name_en: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "add_course_choice")?;
        let list = choice_list(&list)?;
        svc::add_choice(&cx.state.db, cx.actor(), list, &name_zh, &name_en).await.map(|_| ())
    })
    .await
}

#[server]
pub async fn rename_course_choice(list: String, id: i64, name_zh: String, name_en: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "rename_course_choice")?;
        let list = choice_list(&list)?;
        svc::rename_choice(&cx.state.db, list, id, &name_zh, &name_en).await
    })
    .await
}

#[server]
pub async fn delete_course_choice(list: String, id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "delete_course_choice")?;
        let list = choice_list(&list)?;
        svc::delete_choice(&cx.state.db, list, id).await
    })
    .await
}

#[server]
pub async fn add_course_owner(course_id: i64, employee_no: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "add_course_owner").await?;
        svc::add_owner(&cx.state.db, cx.actor(), course_id, &employee_no).await
    })
    .await
}

#[server]
pub async fn course_files(course_id: i64) -> Result<Vec<CourseFile>, AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "course_files").await?;
        svc::files::list(&cx.state.db, course_id).await
    })
    .await
}

#[server]
pub async fn delete_course_file(course_id: i64, file_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        author(cx, course_id, "delete_course_file").await?;
        svc::files::delete(&cx.state.db, cx.actor(), course_id, file_id).await
    })
    .await
}

#[server]
pub async fn get_team_progress() -> Result<Vec<TeamProgress>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Manager, Role::Admin], "get_team_progress")?;
        svc::enroll::team_progress(&cx.state.db, me).await
    })
    .await
}
