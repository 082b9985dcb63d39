//! The demo onboarding course for after-sales customer service, written from the company
//! training templates in the seed documents (service commitments, response times, complaint
//! handling, the "three guarantees", service records). Each lesson is in Chinese and English.

use crate::error::AppResult;
use crate::model::course::{CourseFields, TrainingType};
use crate::model::plan::{Attendance, Method, PlanFields};
use crate::server::audit::Actor;
use crate::server::course::{self, enroll, learn};
use crate::server::db::Db;
use crate::server::plan::{self, SessionInput};

pub const TITLE: &str = "售后客服岗前培训 After-sales customer service onboarding";

type Module = (&'static str, &'static [(&'static str, &'static str)]);

const MODULES: &[Module] = &[
    (
        "服务承诺与响应时限 Service commitments and response times",
        &[
            (
                "我们的服务承诺 Our service commitments",
                "我们以“周到的服务、可靠的产品质量”为原则向客户承诺：\n\n\
                 - 产品的制造和检测均符合国家标准；\n\
                 - 对产品存在的质量问题，在规定时间内提供**免费更换或退货**；\n\
                 - 自验收合格之日起提供**三年免费质保**，期间出现故障免费维修、升级或更换；\n\
                 - **24 小时**电话热线和在线客服，随时解答问题。\n\n\
                 ---\n\n\
                 Our principle is *attentive service and reliable quality*. We promise customers:\n\n\
                 - products made and tested to national standards;\n\
                 - **free replacement or return** within the stated time for quality problems;\n\
                 - a **three-year free warranty** from acceptance: repairs, upgrades or replacement at no cost;\n\
                 - a **24-hour** hotline and online chat.",
            ),
            (
                "响应时限 Response times",
                "收到客户的售后要求（电话、传真或在线）后：\n\n\
                 | 步骤 | 时限 |\n|---|---|\n\
                 | 安排专人负责 | 30 分钟内 |\n| 到达现场 | 1 小时内 |\n| 解决问题 | 6 小时内 |\n\n\
                 问题严重、短时间无法解决时，**免费提供同档次产品临时使用**或采取应急措施，不得影响客户正常工作。\
                 保修期内设备故障须在 **2 个日历日**内修复，否则更换新机。\n\n\
                 ---\n\n\
                 After a service request arrives: a named person is assigned **within 30 minutes**, is on site \
                 **within 1 hour** and resolves the problem **within 6 hours**. If that is impossible, lend an \
                 equivalent product free of charge or take emergency measures so the customer can keep working. \
                 Under warranty, repair within **2 calendar days** or replace the unit.",
            ),
            (
                "首次接待：记录客户信息 First contact: recording the request",
                "任何员工接到客户的维修电话或需求时，都有责任**立即记录**：客户单位、地址、联系人、联系电话、\
                 客户需求和时间，并立即通知客户服务中心接管，由其协调人员和部门处理。\n\n\
                 > 记录不完整，后面的每一步都会变慢。\n\n\
                 ---\n\n\
                 Whoever takes a repair call must **record at once** the customer's organisation, address, contact \
                 person, phone number, need and time, then hand over to the customer service centre, which \
                 coordinates the people and departments involved.\n\n\
                 > An incomplete record slows every step after it.",
            ),
        ],
    ),
    (
        "投诉处理流程 Handling complaints",
        &[
            (
                "投诉渠道与受理 Channels and intake",
                "客户可以通过**电话、邮件、在线客服**投诉。客服人员接到投诉后，及时记录相关信息，\
                 生成《用户投诉受理表》，了解投诉内容，并转给负责人员。\n\n\
                 1. 先倾听，不打断；\n2. 复述确认问题；\n3. 告知客户下一步和时限。\n\n\
                 ---\n\n\
                 Customers complain by **phone, email or online chat**. Record the details at once in the \
                 *complaint intake form*, understand the complaint, and pass it to the person responsible.\n\n\
                 1. Listen without interrupting.\n2. Repeat the problem back to confirm it.\n\
                 3. Tell the customer what happens next, and by when.",
            ),
            (
                "调查核实与处理方案 Investigation and resolution",
                "针对投诉内容进行**调查核实**，找出问题原因；根据调查结果制定合理的**处理方案**，\
                 并及时与顾客沟通，直到顾客确认。\n\n\
                 ---\n\n\
                 **Investigate** the complaint and find its cause; from the findings, decide a fair \
                 **resolution** and keep the customer informed until they agree to it.",
            ),
            (
                "升级与回访 Escalation and follow-up",
                "无法在权限内解决的投诉，及时升级给主管，不要让客户重复陈述。处理完成后**定期回访**：\
                 核查产品质量情况，了解客户满意度；发现问题当场处理，不能当场处理的及时安排专人处理。\n\n\
                 ---\n\n\
                 Escalate to your supervisor what you cannot settle within your authority, without making the \
                 customer tell the story again. Afterwards, **follow up**: check the product and the customer's \
                 satisfaction; fix what you can on the spot and assign someone for the rest.",
            ),
        ],
    ),
    (
        "保修与“三包” Warranty and the three guarantees",
        &[
            (
                "“三包”规则 Repair, replacement, refund",
                "自验收合格之日起，在国家规定的保质期内，出现**非用户人为原因**的故障，无条件\
                 **包修、包换、包退**。质保期内同一设备、同一质量问题**连续三次维修**仍无法正常使用的，\
                 更换同品牌、同型号新设备。\n\n\
                 ---\n\n\
                 From acceptance and within the statutory warranty period, a fault **not caused by the user** is \
                 repaired, replaced or refunded without conditions. If the same fault on the same unit persists \
                 after **three repairs**, the unit is replaced with a new one of the same brand and model.",
            ),
            (
                "退换货流程 Returns and refunds",
                "1. 审核：确认是否符合“三包”或退换条件；\n\
                 2. 物流安排：审核通过后，安排物流把商品寄回；\n\
                 3. 退款处理：商品收到并检查确认无误后，按顾客要求退款。\n\n\
                 ---\n\n\
                 1. Review: check the request against the guarantee and return conditions.\n\
                 2. Logistics: once approved, arrange for the goods to be shipped back.\n\
                 3. Refund: after the goods arrive and pass inspection, refund as the customer asked.",
            ),
        ],
    ),
    (
        "服务记录 Service records",
        &[(
            "记录与档案 Records and files",
            "每一次服务都要留下记录：\n\n\
             - 故障响应信息逐条积累，形成《故障响应报告单》；\n\
             - 建立维修维护档案，记录技术支持和维修过程；\n\
             - 记录客户反馈，定期汇报维修、维护情况。\n\n\
             ---\n\n\
             Every service call leaves a record: fault responses go into the *fault response report*; repairs \
             and maintenance into the *service file*, with the support and repair steps; customer feedback is \
             recorded, and repairs and maintenance are reported regularly.",
        )],
    ),
];

/// Creates and publishes the course, owned by `trainer`, and enrolls `trainees`; the first
/// trainee has finished the first two lessons.
pub async fn seed(db: &Db, trainer: i64, trainees: &[i64]) -> AppResult<i64> {
    let system = Actor { id: Some(trainer), ip: "" };
    let fields = CourseFields {
        title: super::bilingual(TITLE),
        summary: "上岗前必修：服务承诺、响应时限、投诉处理、“三包”规则与服务记录。\
                  Required before the floor: commitments, response times, complaints, warranty rules and records."
            .into(),
        category_id: 2,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 240,
    };
    let course_id = course::create(db, system, trainer, &fields).await?;
    let mut lessons = Vec::new();
    for (title, module_lessons) in MODULES {
        let module = course::add_module(db, course_id, &super::bilingual(title)).await?;
        for (title, body) in module_lessons.iter() {
            lessons.push(course::add_lesson(db, course_id, module, &super::bilingual(title), body).await?);
        }
    }
    course::publish(db, system, course_id).await?;
    for t in trainees {
        enroll::one(db, system, course_id, *t).await?;
    }
    if let Some(first) = trainees.first() {
        for lesson in lessons.iter().take(2) {
            learn::complete(db, *first, *lesson).await?;
        }
    }
    Ok(course_id)
}

/// A training plan around the course: three sessions (yesterday's with attendance), the Shanghai
/// trainees enrolled.
pub async fn seed_plan(db: &Db, trainer: i64, course_id: i64, team_id: i64, form: i64) -> AppResult<i64> {
    let system = Actor { id: Some(trainer), ip: "" };
    let fields = PlanFields {
        title: super::bilingual("售后客服岗前培训计划 After-sales onboarding plan"),
        purpose:
            "新员工上岗前完成培训并取得上岗合格证书。New hires are trained and certified before taking up the post."
                .into(),
        methods: vec![Method::Lecture, Method::CaseStudy, Method::RolePlay],
        materials: "《售后服务手册》、投诉案例集 After-sales handbook, complaint case book".into(),
        venue: "上海培训中心 301 Shanghai training centre, room 301".into(),
        audience_positions: "售后服务专员 After-sales service specialist".into(),
        budget_planned_cents: 800_000,
        budget_actual_cents: 215_000,
        time_zone: super::SHANGHAI_TIME,
        ..Default::default()
    };
    let id = plan::create(db, system, trainer, &fields).await?;
    plan::set_teams_and_courses(db, id, &[team_id], &[course_id]).await?;
    let today = super::SHANGHAI_TIME.today(crate::server::now()).unwrap_or_default();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let topics = [
        (-1, "服务承诺与响应时限 Commitments and response times", "09:00", "12:00"),
        (2, "投诉处理案例分析 Complaint case studies", "09:00", "12:00"),
        (3, "角色扮演：客户投诉 Role-play: a customer complaint", "14:00", "17:00"),
    ];
    let mut first = None;
    for (offset, topic, start, end) in topics {
        let input = SessionInput {
            topic: topic.into(),
            day: day(offset),
            start_time: start.into(),
            end_time: end.into(),
            venue: "301".into(),
            instructor_employee_no: "T1001".into(),
            ..Default::default()
        };
        let s = plan::add_session(db, id, &input).await?;
        first.get_or_insert(s);
    }
    plan::enroll_team(db, system, id, team_id).await?;
    // Those who attend a session are asked about it (named: the plan's trainer follows up).
    let of = crate::model::survey::SurveyOf::Plan(id);
    crate::server::survey::save_settings(db, system, of, Some(form), false, 5).await?;
    if let Some(s) = first {
        let marks = [
            ("E1001", Attendance::Present),
            ("E1002", Attendance::Late),
            ("E1003", Attendance::Absent),
            ("E1004", Attendance::Present),
            ("E1005", Attendance::Present),
            ("E1006", Attendance::Present),
            ("E1007", Attendance::Late),
            ("E1008", Attendance::Present),
        ];
        for (no, status) in marks {
            let u = crate::server::user::find_id(db, no).await?;
            plan::mark(db, system, s, u, status).await?;
        }
    }
    Ok(id)
}
