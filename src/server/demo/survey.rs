//! Demo reaction surveys: a course feedback form, anonymous on the onboarding course, attached
//! before the demo people finish it (so they are asked as anyone would be), then answered by five
//! of them, enough to show results; 李娜 E1001's is left for her to answer. The same form, named,
//! asks the plan's attendees about yesterday's session (`course::seed_plan`).

use std::collections::BTreeMap;

use crate::error::AppResult;
use crate::model::survey::{FormItemInput, SurveyOf};
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::{survey, user};

fn row(kind: &str, text: &str, options: &str, required: bool) -> FormItemInput {
    let t = super::bilingual(text);
    FormItemInput {
        kind: kind.into(),
        text_zh: t.zh,
        text_en: t.en,
        options: options.into(),
        required: required.then(|| "on".into()),
    }
}

/// The form, attached to the course (anonymous, due in 7 days); its id, for the plan's survey.
pub async fn seed(db: &Db, trainer: i64, course_id: i64) -> AppResult<i64> {
    let actor = Actor { id: Some(trainer), ip: "" };
    let agree =
        "非常不同意 | Strongly disagree\n不同意 | Disagree\n一般 | Neutral\n同意 | Agree\n非常同意 | Strongly agree";
    let rows = vec![
        row("section", "课程内容 The course", "", false),
        row("scale", "内容对我的工作有用 The content is useful for my work", agree, true),
        row("scale", "案例贴近实际 The cases are close to real calls", agree, true),
        row("section", "讲师 The instructor", "", false),
        row("scale", "讲师讲解清楚 The instructor explained clearly", agree, true),
        row("yes_no", "课程时长合适 The course length was right", "", false),
        row("nps", "您会向新同事推荐这门课吗？ Would you recommend this course to a new colleague?", "", true),
        row("long_text", "最有帮助的部分和改进建议 What helped most, and what would you change?", "", false),
    ];
    let form = survey::save_form(db, actor, None, &Names::new("课后反馈", "Course feedback"), &rows).await?;
    survey::save_settings(db, actor, SurveyOf::Course(course_id), Some(form), true, 7).await?;
    Ok(form)
}

/// Five of the people who finished the course answer its survey, and the plan's about the session
/// they attended: enough for both to show results.
pub async fn answer(db: &Db) -> AppResult<()> {
    let given = [
        ("E1004", ["4", "3", "4", "yes", "9", "投诉处理的角色扮演很有用。 The complaint role-play helped most."]),
        ("E1005", ["3", "3", "4", "yes", "8", ""]),
        ("E1006", ["4", "4", "3", "no", "10", "希望多一些上门服务的案例。 More field-service cases, please."]),
        ("E1007", ["2", "1", "3", "no", "6", "课程太长，可以分两天。 Too long for one day: split it over two."]),
        ("E1008", ["3", "4", "4", "yes", "9", ""]),
    ];
    for (no, a) in given {
        let id = user::find_id(db, no).await?;
        let waiting = survey::waiting(db, id).await?;
        let form: BTreeMap<String, String> =
            ["a1", "a2", "a4", "a5", "a6", "a7"].iter().zip(a).map(|(k, v)| (k.to_string(), v.to_string())).collect();
        // The course's survey, then the plan's about yesterday's session (the same form, named).
        for request in waiting.iter().map(|s| s.request_id) {
            survey::submit(db, id, request, &form).await?;
        }
    }
    Ok(())
}
