//! A user's editable fields: the raw text from a form or a CSV row, and its validation (every
//! problem at once, each naming its field).

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::user::Role;

/// The editable fields of a user, validated by [`UserFields::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct UserFields {
    pub email: String,
    pub employee_no: String,
    pub display_name: String,
    /// Resolved against the positions list by the service (see `super::position_of`).
    pub position_id: Option<i64>,
    pub hire_date: Option<NaiveDate>,
    pub locale: Locale,
    pub team_id: Option<i64>,
    pub roles: Vec<Role>,
}

/// Raw text input as it comes from a form or a CSV row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInput {
    pub email: String,
    pub employee_no: String,
    pub display_name: String,
    /// The position picked on a form, by id.
    #[serde(default)]
    pub position_id: Option<i64>,
    /// Or the position named in either language, as a CSV row or the demo names it.
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub hire_date: String,
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
        && email.len() <= 254
}

impl UserFields {
    /// Validates every field and returns all problems, not just the first.
    pub fn parse(input: &UserInput, team_id: Option<i64>) -> Result<UserFields, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, key: &str| errors.push((field.to_string(), key.to_string()));
        let email = input.email.trim().to_lowercase();
        if !valid_email(&email) {
            bad("email", "error.email_invalid");
        }
        let employee_no = input.employee_no.trim().to_string();
        if employee_no.is_empty() || employee_no.len() > 32 || employee_no.chars().any(char::is_whitespace) {
            bad("employee_no", "error.employee_no_invalid");
        }
        let display_name = input.display_name.trim().to_string();
        if display_name.is_empty() || display_name.chars().count() > 100 || display_name.chars().any(char::is_control) {
            bad("display_name", "error.name_invalid");
        }
        if let Err(e) = crate::server::text::line("position", &input.position, 100) {
            bad("position", e.message_key());
        }
        let hire_date = match input.hire_date.trim() {
            "" => None,
            d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    bad("hire_date", "error.date_invalid");
                    None
                }
            },
        };
        let locale = match input.locale.trim() {
            "" => Locale::ZhCn,
            l => Locale::parse(l).unwrap_or_else(|| {
                bad("locale", "error.locale_invalid");
                Locale::ZhCn
            }),
        };
        let mut roles = Vec::new();
        for r in input.roles.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            match r.parse::<Role>() {
                Ok(role) if !roles.contains(&role) => roles.push(role),
                Ok(_) => {}
                Err(()) => bad("roles", "error.role_invalid"),
            }
        }
        if roles.is_empty() && input.roles.iter().all(|r| r.trim().is_empty()) {
            bad("roles", "error.roles_empty");
        }
        roles.sort();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(UserFields {
            email,
            employee_no,
            display_name,
            position_id: input.position_id,
            hire_date,
            locale,
            team_id,
            roles,
        })
    }
}

/// "admin,trainer", as the audit log records roles.
pub(super) fn role_list(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

pub(super) fn first_error(errors: Vec<(String, String)>) -> AppError {
    let (field, key) = errors.into_iter().next().unwrap_or_default();
    AppError::Validation { field, key }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> UserInput {
        UserInput {
            email: " Li.Na@Example.com ".into(),
            employee_no: "E1001".into(),
            display_name: "李娜".into(),
            roles: vec!["trainee".into()],
            ..Default::default()
        }
    }

    #[test]
    fn parse_normalizes_and_validates() {
        let f = UserFields::parse(&input(), None).unwrap();
        assert_eq!(f.email, "li.na@example.com");
        assert_eq!(f.roles, vec![Role::Trainee]);
        let mut bad = input();
        bad.email = "not-an-email".into();
        bad.hire_date = "2026-13-01".into();
        bad.roles = vec!["boss".into()];
        let errors = UserFields::parse(&bad, None).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, vec!["email", "hire_date", "roles"]);
    }
}
