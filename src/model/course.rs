use serde::{Deserialize, Serialize};

use super::Names;

use crate::i18n::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrainingType {
    PreJob,
    OnTheJob,
    OffTheJob,
    Refresher,
}

impl TrainingType {
    pub const ALL: [TrainingType; 4] =
        [TrainingType::PreJob, TrainingType::OnTheJob, TrainingType::OffTheJob, TrainingType::Refresher];

    pub fn as_str(self) -> &'static str {
        match self {
            TrainingType::PreJob => "pre_job",
            TrainingType::OnTheJob => "on_the_job",
            TrainingType::OffTheJob => "off_the_job",
            TrainingType::Refresher => "refresher",
        }
    }

    pub fn parse(s: &str) -> Option<TrainingType> {
        TrainingType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            TrainingType::PreJob => "course.type.pre_job",
            TrainingType::OnTheJob => "course.type.on_the_job",
            TrainingType::OffTheJob => "course.type.off_the_job",
            TrainingType::Refresher => "course.type.refresher",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CourseStatus {
    /// Never published.
    Draft,
    Published,
    Archived,
}

impl CourseStatus {
    pub fn label_key(self) -> &'static str {
        match self {
            CourseStatus::Draft => "course.status.draft",
            CourseStatus::Published => "course.status.published",
            CourseStatus::Archived => "course.status.archived",
        }
    }
}

/// An entry of an admin-editable list (category, level), named in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
}

impl Named {
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.name_zh,
            Locale::En => &self.name_en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseFields {
    pub title: Names,
    pub summary: String,
    pub category_id: i64,
    pub level_id: i64,
    pub training_type: TrainingType,
    pub duration_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseSummary {
    pub id: i64,
    pub title: Names,
    pub status: CourseStatus,
    /// The version new enrollments take, if any is published.
    pub published_version: Option<i64>,
    pub has_draft: bool,
    pub lesson_count: i64,
    pub enrolled: i64,
}

/// What the course editor shows: the draft if there is one, else the published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseEditor {
    pub id: i64,
    pub status: CourseStatus,
    pub version_no: i64,
    /// Only a draft can be edited; a published version is first copied into a new draft.
    pub is_draft: bool,
    pub has_published: bool,
    pub fields: CourseFields,
    pub modules: Vec<ModuleEdit>,
    pub owners: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleEdit {
    pub id: i64,
    pub title: Names,
    pub lessons: Vec<LessonEdit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonEdit {
    pub id: i64,
    pub title: Names,
    pub body_md: String,
}

/// The lists a course form chooses from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseChoices {
    pub categories: Vec<Named>,
    pub levels: Vec<Named>,
}

/// A trainee's enrolled course on their home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolledCourse {
    pub course_id: i64,
    pub title: Names,
    pub done: u32,
    pub total: u32,
    /// Where to resume: the first lesson not yet completed.
    pub next_lesson_id: Option<i64>,
    pub completed_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseOutline {
    pub course_id: i64,
    pub title: Names,
    pub summary: String,
    pub done: u32,
    pub total: u32,
    pub next_lesson_id: Option<i64>,
    pub modules: Vec<OutlineModule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineModule {
    pub title: Names,
    pub lessons: Vec<OutlineLesson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineLesson {
    pub id: i64,
    pub title: Names,
    pub done: bool,
    /// Lessons open in order: one is open when every lesson before it is done.
    pub open: bool,
}

/// One lesson as a trainee (or a trainer previewing) reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonView {
    pub id: i64,
    pub course_id: i64,
    pub course_title: Names,
    pub title: Names,
    /// Rendered from Markdown and sanitized on the server.
    pub html: String,
    pub done: bool,
    pub number: u32,
    pub total: u32,
    pub prev_id: Option<i64>,
    pub next_id: Option<i64>,
}

/// The whole course rendered for its authors, as a trainee would read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoursePreview {
    pub course_id: i64,
    pub title: Names,
    pub summary: String,
    pub version_no: i64,
    pub modules: Vec<PreviewModule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewModule {
    pub title: Names,
    pub lessons: Vec<LessonView>,
}

/// A trainee's progress in a course, for its authors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learner {
    pub display_name: String,
    pub employee_no: String,
    pub version_no: i64,
    pub done: u32,
    pub total: u32,
    pub completed_at: Option<i64>,
}

/// An image or attachment uploaded to a course, linked from lessons as `/files/{id}/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseFile {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: i64,
}

impl CourseFile {
    pub fn url(&self) -> String {
        format!("/files/{}/{}", self.id, url_segment(&self.name))
    }

    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }

    /// What a trainer pastes into a lesson: an image embed or a download link.
    pub fn markdown(&self) -> String {
        let label = self.name.replace(['[', ']'], "");
        if self.is_image() {
            format!("![{label}]({})", self.url())
        } else {
            format!("[{label}]({})", self.url())
        }
    }
}

/// Names are cleaned on upload to letters, digits, `.`, `-`, `_` and CJK; spaces become `-`.
fn url_segment(name: &str) -> String {
    name.chars().map(|c| if c.is_whitespace() { '-' } else { c }).collect()
}

/// One person's progress in one course, for the managers of their team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamProgress {
    pub team: Names,
    pub display_name: String,
    pub employee_no: String,
    pub course_id: i64,
    pub course_title: Names,
    pub done: u32,
    pub total: u32,
    pub completed_at: Option<i64>,
}
