//! Demo role-plays: one shared after-sales rubric, three bilingual scenarios drawn from the seed
//! documents (overdue furniture repair, an appliance failing again under warranty, a complaint
//! escalated to a supervisor), and role-plays in every state, most of them rated by both demo
//! trainers so the calibration page has pairs to show.

use crate::error::AppResult;
use crate::model::roleplay::{Channel, CriterionInput, Mode, ScenarioFields, ScoreInput, SecondRaterRule};
use crate::server::audit::Actor;
use crate::server::auth::guard::CurrentUser;
use crate::server::db::Db;
use crate::server::roleplay::{self as rp, attempt};

const LEVELS: &str = "0 未做到 Not done\n1 较差 Poor\n2 合格 Acceptable\n3 良好 Good\n4 优秀 Excellent";

fn criterion(name: &str, weight: &str, critical: bool, levels: &str) -> CriterionInput {
    let name = super::bilingual(name);
    CriterionInput {
        name_zh: name.zh,
        name_en: name.en,
        weight: weight.into(),
        critical: critical.then(|| "on".into()),
        pass_level: if critical { "2".into() } else { String::new() },
        levels: levels.into(),
    }
}

fn rubric() -> Vec<CriterionInput> {
    vec![
        criterion("问候与身份确认 Greeting and identification", "1", false, LEVELS),
        criterion("倾听与共情 Listening and empathy", "2", false, LEVELS),
        criterion("问题诊断 Diagnosing the problem", "2", false, LEVELS),
        criterion(
            "政策与事实准确 Accuracy of policy and facts",
            "3",
            true,
            "0 说错政策 States a wrong rule\n1 含糊或不完整 Vague or incomplete\n2 基本准确 Mostly right\n3 准确 Accurate\n4 准确并解释清楚 Accurate and well explained",
        ),
        criterion("解决方案与承诺 Solution and commitment", "2", false, LEVELS),
        criterion("结束与跟进 Closing and follow-up", "1", false, LEVELS),
    ]
}

fn scenarios(rubric_id: i64, course_id: i64) -> Vec<ScenarioFields> {
    let base = |title: &str, channel: Channel| ScenarioFields {
        title: super::bilingual(title),
        channel,
        product: String::new(),
        situation: String::new(),
        persona: String::new(),
        mood: String::new(),
        objective: String::new(),
        cues: String::new(),
        facts: String::new(),
        customer_turns: String::new(),
        time_box_minutes: 10,
        rubric_id,
        pass_percent: 70,
        rule: SecondRaterRule::Average,
        course_ids: vec![course_id],
    };
    vec![
        ScenarioFields {
            product: "实木餐桌 Solid-wood dining table".into(),
            situation: "客户两周前报修餐桌桌腿松动，承诺的上门维修一直没人来。今天客户第三次来电。\nThe customer reported a loose table leg two weeks ago; the promised repair visit never happened. Today is their third call.".into(),
            persona: "退休教师，讲道理但已失去耐心。A retired teacher: reasonable, but out of patience.".into(),
            mood: "生气 Angry".into(),
            objective: "安抚客户，查清延误原因，给出明确的上门时间并记录。Calm the customer, find out why the visit slipped, commit to a clear visit time and record it.".into(),
            cues: "开场就说“您们根本不守信用”。如果学员没有道歉，就要求找经理。如果学员给出具体时间并复述记录，情绪缓和。\nOpen with \"you never keep your word\". If the trainee does not apologise, ask for the manager. Calm down once they give a concrete time and read back the record.".into(),
            facts: "三年质保期内免费上门维修；2 小时内响应、12 小时内到达现场；每次报修都要登记客户信息并转客户服务中心。\nFree on-site repair within the three-year warranty; respond within 2 hours and be on site within 12 hours; every request is recorded and passed to the customer service centre.".into(),
            ..base("家具维修超期 Overdue furniture repair", Channel::Phone)
        },
        ScenarioFields {
            product: "滚筒洗衣机 Front-loading washing machine".into(),
            situation: "购买 8 个月的洗衣机第三次出现同一漏水故障，前两次已维修。客户带着发票到服务台。\nAn 8-month-old washing machine leaks for the third time with the same fault after two repairs. The customer comes to the counter with the invoice.".into(),
            persona: "年轻父母，时间紧，准备在网上差评。Young parent, short of time, ready to post a bad review.".into(),
            mood: "焦虑、不信任 Anxious, distrustful".into(),
            objective: "确认保修和维修记录，按三包规定提出更换方案。Confirm warranty and repair history and offer the replacement the warranty rules give.".into(),
            cues: "坚持要退款。若学员说明同一故障维修三次可更换同型号新机，并给出办理时间，就接受更换。\nInsist on a refund. Accept a replacement once the trainee explains that the same fault repaired three times entitles them to a new unit of the same model, with a date.".into(),
            facts: "质保期内同一设备同一质量问题连续三次维修仍无法正常使用，更换同品牌同型号新设备（三包：包修、包换、包退）。\nWithin warranty, a unit that still fails after three repairs of the same fault is replaced with a new one of the same brand and model (三包: repair, replace, refund).".into(),
            rule: SecondRaterRule::Lower,
            ..base("保修期内家电故障 Defective appliance within warranty", Channel::Counter)
        },
        ScenarioFields {
            product: "空调安装 Air-conditioner installation".into(),
            situation: "客户投诉安装师傅弄脏地板且态度差，在线客服处理后客户仍不满意，要求主管处理。\nThe customer complains that the installer dirtied the floor and was rude; the first chat agent did not satisfy them and they ask for a supervisor.".into(),
            persona: "小店老板，说话直接，重视被尊重。A shop owner: blunt, wants to be taken seriously.".into(),
            mood: "不满 Dissatisfied".into(),
            objective: "以主管身份接手：记录投诉、调查核实、给出处理结果并约定回访。Take over as supervisor: record the complaint, investigate, state the outcome and agree a follow-up.".into(),
            cues: "要求赔偿清洁费。若学员按“接收—核实—处理—回访”的流程说明，并承诺时限，就接受。\nDemand the cleaning cost. Accept once the trainee walks through receive, verify, resolve and follow up, with deadlines.".into(),
            facts: "投诉处理流程：接收投诉并记录 → 调查核实 → 提出处理方案 → 回访；重大投诉报上级核查并书面回复客户。\nComplaint procedure: receive and record → investigate → resolve → follow up; serious complaints go to the next level and get a written reply.".into(),
            customer_turns: "您们的安装师傅把我店里地板弄得全是灰，还嫌我啰嗦！ Your installer left dust all over my shop floor and called me a nag!\n刚才客服只会说抱歉，我要您们主管来处理。 The last agent only said sorry. I want a supervisor.\n清洁费谁出？我今天下午还要营业。 Who pays for the cleaning? I have to open this afternoon.\n那您们什么时候给我答复？ So when will I hear back from you?".into(),
            ..base("投诉升级至主管 Complaint escalated to a supervisor", Channel::Chat)
        },
    ]
}

fn scores(levels: [u8; 6], comment: &str) -> Vec<ScoreInput> {
    levels
        .iter()
        .enumerate()
        .map(|(i, l)| ScoreInput {
            level: Some(l.to_string()),
            comment: if i == 3 { comment.to_string() } else { String::new() },
        })
        .collect()
}

/// Seeds the rubric, scenarios and role-plays. `trainers`: [T1001, T1002]; `trainees`:
/// [E1001, E1002, E1003] as `CurrentUser`s.
pub async fn seed(db: &Db, trainers: &[CurrentUser; 2], trainees: &[CurrentUser], course_id: i64) -> AppResult<()> {
    let [chen, liu] = trainers;
    let as_ = |u: &CurrentUser| Actor { id: Some(u.id), ip: "" };
    let rubric_id =
        rp::save_rubric(db, as_(chen), None, "售后服务角色扮演量表 After-sales role-play rubric", &rubric()).await?;
    let mut ids = Vec::new();
    for s in scenarios(rubric_id, course_id) {
        ids.push(rp::save_scenario(db, as_(chen), None, s).await?);
    }
    let [repair, appliance, complaint] = ids[..] else { return Ok(()) };
    let [li, zhang, sun] = trainees else { return Ok(()) };
    let open = |s: i64, who: &CurrentUser, mode: Mode, two: bool| {
        let employee_no = who.employee_no.clone();
        let second = two.then(|| liu.employee_no.clone());
        async move {
            let raters = attempt::Raters { first: None, second: second.as_deref() };
            attempt::open(db, as_(chen), chen, s, &employee_no, mode, raters).await
        }
    };
    let rate = |id: i64, by: &CurrentUser, levels: [u8; 6], note: &'static str| {
        let by = by.clone();
        async move { attempt::rate(db, as_(&by), &by, id, &scores(levels, note), "").await }
    };

    // 李娜: the repair call, self-assessed first, then rated by both trainers: passed.
    let a = open(repair, li, Mode::Live, true).await?;
    attempt::self_assess(
        db,
        as_(li),
        li,
        a,
        &scores([4, 4, 3, 4, 4, 3], ""),
        "我觉得处理得不错。I think it went well.",
    )
    .await?;
    rate(a, chen, [4, 3, 3, 3, 4, 3], "说明了 12 小时到场。Stated the 12-hour visit.").await?;
    rate(a, liu, [4, 3, 3, 4, 3, 3], "质保期说得准确。Warranty rule exact.").await?;
    // 张伟: the appliance at the counter, strong manner but the replacement rule wrong: a
    // critical failure whatever the total (both raters agree).
    let b = open(appliance, zhang, Mode::Live, true).await?;
    rate(b, chen, [4, 4, 3, 1, 3, 4], "说成只能继续维修。Said only another repair was possible.").await?;
    rate(b, liu, [4, 3, 3, 1, 3, 3], "没有提出更换。Did not offer the replacement.").await?;
    // 孙丽: the repair call, double-rated; the raters disagree more and the mean (67%) misses 70%.
    let c = open(repair, sun, Mode::Live, true).await?;
    rate(c, chen, [3, 2, 3, 3, 2, 2], "").await?;
    rate(c, liu, [4, 3, 2, 3, 3, 2], "").await?;
    // 孙丽: the appliance, double-rated with the lower-score rule.
    let d = open(appliance, sun, Mode::Live, true).await?;
    rate(d, liu, [3, 3, 4, 4, 3, 3], "三包规则讲得很清楚。Explained 三包 clearly.").await?;
    rate(d, chen, [3, 4, 4, 3, 3, 2], "").await?;
    // 李娜: the escalated complaint in writing, replies sent, waiting for a trainer.
    let e = open(complaint, li, Mode::Written, false).await?;
    attempt::reply(
        db,
        as_(li),
        li,
        e,
        &[
            "非常抱歉给您的店带来麻烦，我是客服主管，现在由我负责处理。I am sorry for the trouble; I am the supervisor and I will handle this now.".into(),
            "我已记录您的投诉，今天会联系安装师傅核实情况。I have recorded your complaint and will check with the installer today.".into(),
            "核实后清洁费用由我们承担，我们也可以今天中午前安排保洁。Once verified we will pay for the cleaning, or send a cleaner before noon.".into(),
            "今天下午 5 点前给您书面答复，明天再回访。You will have a written answer by 5 pm today and a follow-up call tomorrow.".into(),
        ],
    )
    .await?;
    // 张伟: the same complaint in writing, not answered yet.
    open(complaint, zhang, Mode::Written, false).await?;
    Ok(())
}
