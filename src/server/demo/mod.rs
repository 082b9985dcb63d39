//! The demo organisation: an after-sales service company with two sites. The people and teams are
//! seeded here; each domain's demo data lives beside it (`course`, `quiz`, `roleplay`, `cert`).

mod cert;
mod course;
mod followup;
mod metric;
mod quiz;
mod roleplay;
mod survey;

use crate::error::AppResult;
use crate::i18n::Zone;
use crate::model::team::TeamKind;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::auth::guard;
use crate::server::auth::password::Passwords;
use crate::server::db::Db;
use crate::server::user::{self, UserInput};
use crate::server::{organisation, position, team};

/// Every demo account signs in with this password (it is printed at start and in the README).
pub const DEMO_PASSWORD: &str = "floorready-demo";

pub struct DemoLogin {
    pub email: &'static str,
    pub employee_no: &'static str,
    pub name: &'static str,
    pub roles: &'static [&'static str],
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        email: "admin@demo.floorready", employee_no: "A0001", name: "系统管理员 Admin", roles: &["admin"]
    },
    DemoLogin {
        email: "manager@demo.floorready", employee_no: "M1001", name: "王经理 Wang Lei", roles: &["manager"]
    },
    DemoLogin {
        email: "manager.bj@demo.floorready",
        employee_no: "M2001",
        name: "赵经理 Zhao Min",
        roles: &["manager"],
    },
    DemoLogin {
        email: "trainer@demo.floorready",
        employee_no: "T1001",
        name: "陈培训师 Chen Jing",
        roles: &["trainer"],
    },
    DemoLogin {
        email: "trainer2@demo.floorready",
        employee_no: "T1002",
        name: "刘培训师 Liu Yang",
        roles: &["trainer"],
    },
    DemoLogin { email: "trainee@demo.floorready", employee_no: "E1001", name: "李娜 Li Na", roles: &["trainee"] },
    DemoLogin {
        email: "trainee2@demo.floorready", employee_no: "E1002", name: "张伟 Zhang Wei", roles: &["trainee"]
    },
    DemoLogin { email: "trainee3@demo.floorready", employee_no: "E1003", name: "孙丽 Sun Li", roles: &["trainee"] },
    DemoLogin {
        email: "trainee4@demo.floorready", employee_no: "E2001", name: "周强 Zhou Qiang", roles: &["trainee"]
    },
    DemoLogin { email: "trainee5@demo.floorready", employee_no: "E2002", name: "吴芳 Wu Fang", roles: &["trainee"] },
    DemoLogin {
        email: "trainee6@demo.floorready", employee_no: "E1004", name: "王芳 Wang Fang", roles: &["trainee"]
    },
    DemoLogin { email: "trainee7@demo.floorready", employee_no: "E1005", name: "赵磊 Zhao Lei", roles: &["trainee"] },
    DemoLogin {
        email: "trainee8@demo.floorready", employee_no: "E1006", name: "钱静 Qian Jing", roles: &["trainee"]
    },
    DemoLogin { email: "trainee9@demo.floorready", employee_no: "E1007", name: "孙浩 Sun Hao", roles: &["trainee"] },
    DemoLogin {
        email: "trainee10@demo.floorready", employee_no: "E1008", name: "周婷 Zhou Ting", roles: &["trainee"]
    },
    DemoLogin {
        email: "trainee11@demo.floorready", employee_no: "E1009", name: "林晨 Lin Chen", roles: &["trainee"]
    },
    DemoLogin {
        email: "trainee12@demo.floorready",
        employee_no: "E1010",
        name: "郑阳 Zheng Yang",
        roles: &["trainee"],
    },
    DemoLogin {
        email: "trainee13@demo.floorready", employee_no: "E1011", name: "冯雪 Feng Xue", roles: &["trainee"]
    },
    DemoLogin { email: "trainee14@demo.floorready", employee_no: "E1012", name: "何静 He Jing", roles: &["trainee"] },
    DemoLogin {
        email: "trainee15@demo.floorready", employee_no: "E1013", name: "高翔 Gao Xiang", roles: &["trainee"]
    },
    DemoLogin { email: "trainee16@demo.floorready", employee_no: "E1014", name: "罗敏 Luo Min", roles: &["trainee"] },
];

/// True when the database has no users yet (a first start).
pub async fn is_empty(db: &Db) -> AppResult<bool> {
    Ok(sqlx::query_scalar!("select count(*) as \"n!\" from users").fetch_one(&db.read).await? == 0)
}

/// A demo name written "中文 English" as its two languages: the Chinese up to its last Chinese
/// character (or full-width mark), the English after it. Each is stored in its own field.
pub(crate) fn bilingual(text: &str) -> Names {
    let Some((i, c)) = text.char_indices().rfind(|(_, c)| *c >= '\u{2e80}') else {
        return Names::new("", text.trim());
    };
    // A closing quote after the last character ("保修与“三包” Warranty") still belongs to it.
    let mut end = i + c.len_utf8();
    end += text[end..].chars().take_while(|c| matches!(c, '”' | '’')).map(char::len_utf8).sum::<usize>();
    Names::new(text[..end].trim(), text[end..].trim())
}

/// Both demo sites keep China's clock.
const SHANGHAI_TIME: Zone = Zone(chrono_tz::Asia::Shanghai);

/// Seeds teams and the demo logins. Meant for an empty database.
pub async fn seed(db: &Db, passwords: &Passwords) -> AppResult<()> {
    let system = Actor { id: None, ip: "" };
    let sh = team::create(db, system, None, &Names::new("上海", "Shanghai"), TeamKind::Site).await?;
    let sh_as =
        team::create(db, system, Some(sh), &Names::new("售后服务部", "After-sales"), TeamKind::Department).await?;
    let sh_g1 =
        team::create(db, system, Some(sh_as), &Names::new("客服一组", "Service Team 1"), TeamKind::Team).await?;
    let sh_g2 =
        team::create(db, system, Some(sh_as), &Names::new("客服二组", "Service Team 2"), TeamKind::Team).await?;
    let bj = team::create(db, system, None, &Names::new("北京", "Beijing"), TeamKind::Site).await?;
    let bj_as =
        team::create(db, system, Some(bj), &Names::new("售后服务部", "After-sales"), TeamKind::Department).await?;
    let bj_g1 =
        team::create(db, system, Some(bj_as), &Names::new("上门服务组", "Field Service"), TeamKind::Team).await?;
    for site in [sh, bj] {
        team::set_zone(db, system, site, SHANGHAI_TIME).await?;
    }
    organisation::save_name(db, system, "华信家电售后服务有限公司", "Huaxin Appliance After-sales Service Co.").await?;

    let team_of = |no: &str| match no {
        "M1001" | "T1001" | "T1002" => Some(sh_as),
        "E1001" | "E1002" | "E1004" | "E1005" | "E1009" | "E1011" | "E1013" => Some(sh_g1),
        "E1003" | "E1006" | "E1007" | "E1008" | "E1010" | "E1012" | "E1014" => Some(sh_g2),
        "M2001" | "E2001" | "E2002" => Some(bj_g1),
        _ => None,
    };
    // Each position named once per language; people name theirs as a CSV row would.
    for (zh, en) in [
        ("售后服务经理", "After-sales manager"),
        ("培训师", "Trainer"),
        (cert::POSITION_ZH, "After-sales service specialist"),
    ] {
        position::add(db, system, zh, en).await?;
    }
    let positions = |no: &str| match no.as_bytes()[0] {
        b'M' => "售后服务经理",
        b'T' => "培训师",
        b'E' => cert::POSITION_ZH,
        _ => "",
    };
    for (i, d) in DEMO_LOGINS.iter().enumerate() {
        let input = UserInput {
            email: d.email.into(),
            employee_no: d.employee_no.into(),
            display_name: d.name.into(),
            position: positions(d.employee_no).into(),
            position_id: None,
            // The veterans (certified a year ago, see `cert::seed`) were hired before that.
            hire_date: match d.employee_no {
                "E1005" => "2025-01-06".into(),
                "E1006" => "2024-10-08".into(),
                // Certified 35 to 100 days ago (see `followup::seed`).
                "E1011" | "E1012" => "2026-09-07".into(),
                "E1013" | "E1014" => "2026-07-06".into(),
                _ => format!("2026-{:02}-01", 1 + i % 10),
            },
            locale: if i % 2 == 0 { "zh-CN".into() } else { "en".into() },
            roles: d.roles.iter().map(|r| r.to_string()).collect(),
        };
        let id = user::create(db, passwords, system, &input, team_of(d.employee_no), DEMO_PASSWORD).await?;
        let managed = match d.employee_no {
            "M1001" => vec![sh_as],
            "M2001" => vec![bj],
            _ => continue,
        };
        user::update(db, system, id, &input, team_of(d.employee_no), &managed).await?;
    }
    let trainer = user::find_id(db, "T1001").await?;
    let mut trainees = Vec::new();
    for no in ["E1001", "E1002", "E1003"] {
        trainees.push(user::find_id(db, no).await?);
    }
    let course = course::seed(db, trainer, &trainees).await?;
    let form = survey::seed(db, trainer, course).await?;
    course::seed_plan(db, trainer, course, sh_as, form).await?;
    let trainer = guard::acting_as(db, trainer).await?;
    let mut people = Vec::new();
    for id in trainees {
        people.push(guard::acting_as(db, id).await?);
    }
    quiz::seed(db, &trainer, course, &people).await?;
    let second = guard::acting_as(db, user::find_id(db, "T1002").await?).await?;
    roleplay::seed(db, &[trainer, second], &people, course).await?;
    cert::seed(db, course).await?;
    followup::seed(db).await?;
    metric::seed(db).await?;
    // The dashboard's trend: today (after the follow-ups, one of which took 高翔 off the floor),
    // and the 12 weeks before from the backdated certificates.
    crate::server::analytics::floor::snapshot(db, crate::server::now()).await?;
    survey::answer(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::bilingual;
    use crate::model::Names;

    #[test]
    fn a_demo_name_splits_after_its_last_chinese_character() {
        assert_eq!(
            bilingual("售后服务专员·初级 After-sales specialist, junior"),
            Names::new("售后服务专员·初级", "After-sales specialist, junior")
        );
        assert_eq!(bilingual("24 小时响应 24-hour response"), Names::new("24 小时响应", "24-hour response"));
        assert_eq!(
            bilingual("角色扮演：客户投诉 Role-play: a complaint"),
            Names::new("角色扮演：客户投诉", "Role-play: a complaint")
        );
        assert_eq!(bilingual("保修与“三包” Warranty"), Names::new("保修与“三包”", "Warranty"));
        assert_eq!(bilingual("Greeting"), Names::new("", "Greeting"));
    }
}
