//! The demo question bank (bilingual, from the same seed facts as the demo course), a pre-test and
//! a post-test for the demo course, and demo trainees' attempts in several states.

use std::collections::BTreeMap;

use crate::error::AppResult;
use crate::model::quiz::{QuestionKind, QuizFields, QuizKind, ReviewPolicy};
use crate::server::audit::Actor;
use crate::server::auth::guard::CurrentUser;
use crate::server::db::Db;
use crate::server::quiz::{self, attempt, authoring};

/// 32 questions in GIFT, the format trainers import.
pub const BANK_GIFT: &str = r#"
$CATEGORY: $course$/售后服务 After-sales/服务承诺 Commitments

// [tag:response]
::R1::收到售后要求后，多长时间内安排专人负责？ How soon is a named person assigned after a service request? {
	=30 分钟内 Within 30 minutes
	~1 小时内 Within 1 hour
	~6 小时内 Within 6 hours
	~24 小时内 Within 24 hours
}

// [tag:response]
::R2::服务人员应在多长时间内到达现场？ How soon must service staff be on site? {
	~30 分钟内 Within 30 minutes
	=1 小时内 Within 1 hour
	~2 小时内 Within 2 hours
	~第二天 The next day
}

// [tag:response]
::R3::问题应在多少小时内解决？（填数字） Within how many hours must the problem be resolved? (a number) {#6}

// [tag:response]
::R4::问题严重、短时间内无法解决时，应该怎么做？ A serious problem cannot be fixed quickly. What do we do? {
	=免费提供同档次产品临时使用 Lend an equivalent product free of charge
	~请客户等待 Ask the customer to wait
	~收取加急费 Charge an express fee
	~建议客户购买新产品 Suggest buying a new product
}

// [tag:response]
::R5::保修期内设备故障须在几个日历日内修复，否则更换新机？ Under warranty, a fault must be repaired within how many calendar days, or the unit is replaced? {#2}

::R6::热线和在线客服每天 24 小时提供服务。 The hotline and online chat are available 24 hours a day. {TRUE}

::R7::自验收合格之日起提供几年免费质保？ How many years of free warranty from acceptance? {
	~1 年 1 year
	~2 年 2 years
	=3 年 3 years
	~5 年 5 years
}

::R8::我们的承诺包括哪些？（多选） Which are part of our commitments? (pick all) {
	~%33.333%24 小时热线 A 24-hour hotline
	~%33.333%质量问题免费更换或退货 Free replacement or return for quality problems
	~%33.334%三年免费质保 A three-year free warranty
	~%-100%终身免费上门保养 Free lifetime home maintenance
}

$CATEGORY: $course$/售后服务 After-sales/首次接待 First contact

// [tag:record]
::F1::接到客户维修电话时，需要立即记录哪些信息？（多选） A repair call comes in. What do you record at once? (pick all) {
	~%25%客户单位和地址 The customer's organisation and address
	~%25%联系人和电话 Contact person and phone
	~%25%客户需求 The customer's need
	~%25%时间 The time
	~%-100%客户的收入 The customer's income
}

// [tag:record]
::F2::只有客服中心的员工接到维修电话时才需要记录。 Only customer service centre staff need to record repair calls. {FALSE}

// [tag:record]
::F3::记录后应立即通知哪个部门接管？ After recording, which department takes over? {
	=客户服务中心 The customer service centre
	~财务部 Finance
	~销售部 Sales
	~仓库 The warehouse
}

// [tag:record]
::F4::把接待步骤按顺序排列（首次接待）。 Match each step of first contact to its order. {
	=第一步 Step 1 -> 立即记录客户信息 Record the customer's details
	=第二步 Step 2 -> 通知客户服务中心 Notify the customer service centre
	=第三步 Step 3 -> 客服中心协调处理 The centre coordinates the work
}

$CATEGORY: $course$/售后服务 After-sales/投诉处理 Complaints

// [tag:complaint]
::C1::客户可以通过哪些渠道投诉？（多选） Through which channels can customers complain? (pick all) {
	~%33.333%电话 Phone
	~%33.333%邮件 Email
	~%33.334%在线客服 Online chat
	~%-100%只能到门店 Only in a store
}

// [tag:complaint]
::C2::接到投诉后首先要做什么？ What comes first when a complaint arrives? {
	=倾听，不打断 Listen without interrupting
	~解释公司政策 Explain company policy
	~转给主管 Pass it to a supervisor
	~提出赔偿 Offer compensation
}

// [tag:complaint]
::C3::接到投诉后要生成哪张表？ Which form is filled in for a complaint? {
	=《用户投诉受理表》 The complaint intake form
	~《故障响应报告单》 The fault response report
	~《维修维护档案》 The service file
	~《退货申请单》 The return request
}

// [tag:complaint]
::C4::复述并确认问题可以避免误解。 Repeating the problem back avoids misunderstandings. {TRUE}

// [tag:complaint]
::C5::无法在权限内解决的投诉应该怎么办？ What do you do with a complaint you cannot settle within your authority? {
	=及时升级给主管，不让客户重复陈述 Escalate to the supervisor without making the customer repeat the story
	~请客户稍后再打来 Ask the customer to call back later
	~拒绝处理 Refuse it
	~请客户自己联系主管 Tell the customer to contact the supervisor
}

// [tag:complaint]
::C6::处理方案制定后，应与顾客沟通直到什么时候？ After deciding a resolution, keep the customer informed until when? {
	=直到顾客确认 Until the customer agrees
	~直到主管批准 Until the supervisor approves
	~发一次通知即可 One notice is enough
}

// [tag:complaint]
::C7::投诉处理的正确顺序是？ Put complaint handling in order: match each step. {
	=1 -> 受理并记录 Intake and record
	=2 -> 调查核实 Investigate
	=3 -> 制定处理方案 Decide the resolution
	=4 -> 回访 Follow up
}

// [tag:complaint]
::C8::处理完成后为什么要回访？ Why follow up after a complaint is resolved? {
	=核查产品质量并了解客户满意度 To check the product and the customer's satisfaction
	~推销新产品 To sell new products
	~催收款项 To collect payment
}

$CATEGORY: $course$/售后服务 After-sales/三包 Warranty

// [tag:warranty]
::W1::“三包”指的是什么？ What are the "three guarantees"? {
	=包修、包换、包退 Repair, replacement, refund
	~包送、包装、包修 Delivery, installation, repair
	~包换、包退、包赔 Replacement, refund, compensation
}

// [tag:warranty]
::W2::用户人为损坏也属于“三包”范围。 Damage caused by the user is covered by the three guarantees. {FALSE}

// [tag:warranty]
::W3::同一设备同一质量问题连续维修几次仍无法使用，应更换新设备？（填数字） After how many repairs of the same fault is the unit replaced? (a number) {#3}

// [tag:warranty]
::W4::更换的新设备应是什么样的？ What should the replacement unit be? {
	=同品牌、同型号的新设备 A new unit of the same brand and model
	~任意品牌的新设备 A new unit of any brand
	~翻新设备 A refurbished unit
}

// [tag:warranty]
::W5::“三包”从哪一天开始计算？ From which day do the three guarantees run? {
	=验收合格之日 The day of acceptance
	~下单之日 The order date
	~发货之日 The shipping date
}

// [tag:warranty]
::W6::退换货流程的第一步是什么？（填两个字） What is the first step of a return? (one word) {=审核 =review =审核确认}

// [tag:warranty]
::W7::什么时候退款？ When is the refund made? {
	=商品收到并检查确认无误后 After the goods arrive and pass inspection
	~客户提出申请时 When the customer asks
	~物流安排后 Once shipping is arranged
}

// [tag:warranty]
::W8::质保期内的故障维修、升级或更换都免费。 Repairs, upgrades or replacement under warranty are free. {TRUE}

$CATEGORY: $course$/售后服务 After-sales/服务记录 Records

// [tag:record]
::S1::故障响应信息逐条积累形成什么？ Fault responses accumulate into which document? {
	=《故障响应报告单》 The fault response report
	~《用户投诉受理表》 The complaint intake form
	~《销售合同》 The sales contract
}

// [tag:record]
::S2::维修维护档案记录什么？ What does the service file record? {
	=技术支持和维修过程 The support and repair steps
	~员工考勤 Staff attendance
	~产品价格 Product prices
}

// [tag:record]
::S3::客户反馈不需要记录。 Customer feedback does not need to be recorded. {FALSE}

// [tag:record]
::S4::维修、维护情况应该多久汇报一次？ How often are repairs and maintenance reported? {
	=定期 Regularly
	~从不 Never
	~只在客户投诉时 Only when a customer complains
}

// [tag:record]
::S5::为什么完整的服务记录很重要？ Why do complete service records matter? {
	=记录不完整，后面的每一步都会变慢 An incomplete record slows every step after it
	~为了应付检查 To pass inspections
	~没有必要 They do not
}

$CATEGORY: $course$/情景 Scenarios

// [floorready:difficulty=4,points=5]
::E1::客户来电投诉：维修超过承诺时间仍未完成，非常生气。请写出您的处理步骤和要说的话。 A customer calls, angry: the repair is past the promised time. Write your steps and what you would say. {}
"#;

fn fields(title: &str, kind: QuizKind, pre_test_id: Option<i64>) -> QuizFields {
    QuizFields {
        title: super::bilingual(title),
        kind,
        pass_percent: 80,
        time_limit_minutes: Some(if kind == QuizKind::PreTest { 15 } else { 30 }),
        opens_at: None,
        closes_at: None,
        attempts_allowed: if kind == QuizKind::PreTest { Some(1) } else { Some(3) },
        cooloff_minutes: if kind == QuizKind::PostTest { 60 } else { 0 },
        review_policy: ReviewPolicy::ScoreAndWrong,
        shuffle_questions: true,
        shuffle_options: true,
        pre_test_id,
    }
}

/// Answers every question of an attempt, right with probability `skill` (in 0..=10 tenths),
/// deterministically by position so the demo is the same every time.
pub(crate) async fn answer(db: &Db, who: &CurrentUser, attempt_id: i64, skill: usize) -> AppResult<()> {
    let first = attempt::view(db, who, attempt_id, 0).await?.expect("attempt open");
    for page in 0..first.pages {
        let v = attempt::view(db, who, attempt_id, page).await?.expect("attempt open");
        let mut form = BTreeMap::new();
        for item in &v.items {
            let right = (item.position * 7 + 3) % 10 < skill;
            let key = format!("p{}", item.position);
            match item.kind {
                QuestionKind::Essay => {
                    form.insert(
                        key,
                        "先道歉并说明原因，告知新的完成时间，提供备用机，并安排回访。\
                                      Apologise, explain, give a new time, lend a unit, follow up."
                            .to_string(),
                    );
                }
                _ if !right => {
                    form.insert(key, "0".to_string());
                }
                _ => {
                    // The demo knows the right answers because it wrote them: the first option
                    // as written in the bank, found again by its text.
                    fill_right(db, attempt_id, item, &mut form).await?;
                }
            }
        }
        attempt::save(db, who, attempt_id, page as i64 + 1, page, &form).await?;
    }
    Ok(())
}

async fn fill_right(
    db: &Db,
    attempt_id: i64,
    item: &crate::model::quiz::ItemView,
    form: &mut BTreeMap<String, String>,
) -> AppResult<()> {
    use crate::model::quiz::QuestionBody;
    let pos = item.position as i64;
    let body: String = sqlx::query_scalar(
        "select v.body from attempt_items i join question_versions v on v.id = i.question_version_id
         where i.attempt_id = $1 and i.position = $2",
    )
    .bind(attempt_id)
    .bind(pos)
    .fetch_one(&db.read)
    .await?;
    let key = format!("p{}", item.position);
    match quiz::parse_body(&body)? {
        QuestionBody::Single { options } => {
            let right = options.iter().find(|o| o.weight == 100.0).map(|o| o.text.clone()).unwrap_or_default();
            if let Some(i) = item.options.iter().position(|o| *o == right) {
                form.insert(key, i.to_string());
            }
        }
        QuestionBody::Multiple { options, .. } => {
            for (i, shown) in item.options.iter().enumerate() {
                if options.iter().any(|o| o.text == *shown && o.weight > 0.0) {
                    form.insert(format!("{key}_{i}"), "on".into());
                }
            }
        }
        QuestionBody::TrueFalse { answer, .. } => {
            form.insert(key, answer.to_string());
        }
        QuestionBody::FillBlank { answers } => {
            form.insert(key, answers[0].text.clone());
        }
        QuestionBody::Numeric { answers } => {
            form.insert(key, answers[0].value.to_string());
        }
        QuestionBody::Matching { pairs } => {
            for (i, left) in item.options.iter().enumerate() {
                let want = pairs.iter().find(|p| p.left == *left).map(|p| p.right.clone()).unwrap_or_default();
                if let Some(j) = item.rights.iter().position(|r| *r == want) {
                    form.insert(format!("{key}_{i}"), j.to_string());
                }
            }
        }
        QuestionBody::Ordering { .. } | QuestionBody::Essay | QuestionBody::Description => {}
    }
    Ok(())
}

/// Seeds the bank and the two quizzes; trainees: [E1001, E1002, E1003] as `CurrentUser`s.
pub async fn seed(db: &Db, trainer: &CurrentUser, course_id: i64, trainees: &[CurrentUser]) -> AppResult<()> {
    let actor = Actor { id: Some(trainer.id), ip: "" };
    let bank = quiz::create_bank(db, actor, trainer, Some(course_id), "售后服务题库 After-sales question bank").await?;
    quiz::import_gift(db, actor, bank, BANK_GIFT).await?;
    let pre = authoring::create(
        db,
        actor,
        trainer,
        course_id,
        &fields("岗前前测 Baseline pre-test", QuizKind::PreTest, None),
    )
    .await?;
    authoring::add_draw(db, pre, bank, "售后服务 After-sales", "", 10).await?;
    authoring::set_published(db, actor, pre, true).await?;
    let post =
        authoring::create(db, actor, trainer, course_id, &fields("岗前后测 Post-test", QuizKind::PostTest, Some(pre)))
            .await?;
    authoring::add_draw(db, post, bank, "售后服务 After-sales/服务承诺 Commitments", "", 4).await?;
    authoring::add_draw(db, post, bank, "售后服务 After-sales/投诉处理 Complaints", "", 4).await?;
    authoring::add_draw(db, post, bank, "售后服务 After-sales/三包 Warranty", "", 4).await?;
    authoring::add_draw(db, post, bank, "售后服务 After-sales/服务记录 Records", "", 2).await?;
    authoring::add_draw(db, post, bank, "情景 Scenarios", "", 1).await?;
    authoring::set_published(db, actor, post, true).await?;

    // 李娜 E1001: pre-test 40%, post-test passed with the essay graded.
    // 张伟 E1002: pre-test taken, post-test in progress.
    // 孙丽 E1003: post-test submitted, essay waiting for the trainer.
    let system = |u: &CurrentUser| Actor { id: Some(u.id), ip: "" };
    for (who, skill) in trainees.iter().zip([4, 6, 9]) {
        let a = attempt::start(db, system(who), who, pre).await?;
        answer(db, who, a, skill).await?;
        attempt::submit(db, system(who), who, a).await?;
    }
    if let [li, zhang, sun] = trainees {
        let a = attempt::start(db, system(li), li, post).await?;
        answer(db, li, a, 10).await?;
        attempt::submit(db, system(li), li, a).await?;
        for item in attempt::grading_queue(db, trainer).await? {
            if item.attempt_id == a {
                attempt::grade_item(
                    db,
                    actor,
                    trainer,
                    a,
                    item.position as i64,
                    4.0,
                    "步骤完整，语气可以更温和。Complete; a warmer tone would help.",
                )
                .await?;
            }
        }
        let a = attempt::start(db, system(zhang), zhang, post).await?;
        answer(db, zhang, a, 7).await?;
        let a = attempt::start(db, system(sun), sun, post).await?;
        answer(db, sun, a, 9).await?;
        attempt::submit(db, system(sun), sun, a).await?;
    }
    Ok(())
}
