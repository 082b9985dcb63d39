//! The question spreadsheet trainers fill in (CSV or XLSX), one question per row:
//!
//! `type, category, tags, title, question, options, answer, feedback, difficulty, points, scoring`
//!
//! - `type`: single, multiple, true_false, fill_blank, numeric, matching, ordering, essay (or 单选, 多选,
//!   判断, 填空, 数值, 配对, 排序, 简答);
//! - `options`: separated by `|`; matching pairs as `left => right`; ordering items in the right order;
//! - `answer`: single: the right option's number (1 = first); multiple: numbers separated by `;`;
//!   true_false: true/false (对/错); fill_blank: accepted answers separated by `|`; numeric: `3`,
//!   `3±0.5`, `3:0.5` or `1..5`;
//! - `tags` separated by `;`; `difficulty` 1–5 (default 2); `points` (default 1); `scoring` for
//!   multiple: `proportional` (default: each right pick earns its share, each wrong pick costs as
//!   much) or `all_or_nothing`.
//!
//! A file with any bad row is rejected whole, each problem named with its line.

use std::io::Cursor;

use crate::error::{AppError, AppResult, RowError};
use crate::model::quiz::{Accepted, Choice, NumericAnswer, Pair, QuestionBody, QuestionDraft, QuestionKind, Scoring};

pub const COLUMNS: [&str; 11] = [
    "type",
    "category",
    "tags",
    "title",
    "question",
    "options",
    "answer",
    "feedback",
    "difficulty",
    "points",
    "scoring",
];

const EXAMPLES: [[&str; 11]; 4] = [
    [
        "single",
        "售后服务/服务承诺",
        "response",
        "R1",
        "收到售后要求后，多长时间内安排专人负责？ How soon is a named person assigned?",
        "30 分钟内 Within 30 minutes|1 小时内 Within 1 hour|6 小时内 Within 6 hours",
        "1",
        "",
        "2",
        "1",
        "",
    ],
    [
        "multiple",
        "售后服务/投诉处理",
        "complaint",
        "C1",
        "客户可以通过哪些渠道投诉？ Which channels can customers complain through?",
        "电话 Phone|邮件 Email|在线客服 Online chat|只能到门店 Only in a store",
        "1;2;3",
        "",
        "2",
        "1",
        "proportional",
    ],
    [
        "numeric",
        "售后服务/三包",
        "warranty",
        "W3",
        "连续维修几次后换新？ Replace after how many repairs?",
        "",
        "3",
        "",
        "2",
        "1",
        "",
    ],
    [
        "essay",
        "情景",
        "",
        "E1",
        "写出您对迟到维修的道歉。 Write your apology for an overdue repair.",
        "",
        "",
        "",
        "4",
        "5",
        "",
    ],
];

fn template() -> crate::server::spreadsheet::Table {
    crate::server::spreadsheet::Table {
        sheet: "Questions".into(),
        header: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: EXAMPLES.iter().map(|row| row.iter().map(|c| c.to_string()).collect()).collect(),
    }
}

pub fn template_csv() -> AppResult<Vec<u8>> {
    template().csv()
}

pub fn template_xlsx() -> AppResult<Vec<u8>> {
    template().xlsx()
}

fn kind(s: &str) -> Option<QuestionKind> {
    QuestionKind::parse(s.trim()).or(match s.trim() {
        "单选" | "单选题" => Some(QuestionKind::Single),
        "多选" | "多选题" => Some(QuestionKind::Multiple),
        "判断" | "判断题" => Some(QuestionKind::TrueFalse),
        "填空" | "填空题" => Some(QuestionKind::FillBlank),
        "数值" | "数值题" => Some(QuestionKind::Numeric),
        "配对" | "配对题" => Some(QuestionKind::Matching),
        "排序" | "排序题" => Some(QuestionKind::Ordering),
        "简答" | "简答题" | "问答" => Some(QuestionKind::Essay),
        "说明" | "说明项" => Some(QuestionKind::Description),
        _ => None,
    })
}

fn list(s: &str, sep: char) -> Vec<String> {
    s.split(sep).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

fn numbers(s: &str, count: usize) -> Option<Vec<usize>> {
    let picked: Option<Vec<usize>> = s
        .split([';', ',', '，', '；', ' '])
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.trim().parse::<usize>().ok())
        .collect();
    picked
        .filter(|p| !p.is_empty() && p.iter().all(|n| (1..=count).contains(n)))
        .map(|p| p.iter().map(|n| n - 1).collect())
}

fn numeric(s: &str) -> Option<NumericAnswer> {
    let s = s.trim().replace('±', ":");
    let (value, tolerance) = if let Some((lo, hi)) = s.split_once("..") {
        let (lo, hi): (f64, f64) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
        ((lo + hi) / 2.0, (hi - lo).abs() / 2.0)
    } else if let Some((v, t)) = s.split_once(':') {
        (v.trim().parse().ok()?, t.trim().parse::<f64>().ok()?.abs())
    } else {
        (s.parse().ok()?, 0.0)
    };
    (value.is_finite() && tolerance.is_finite()).then(|| NumericAnswer {
        value,
        tolerance,
        weight: 100.0,
        feedback: String::new(),
    })
}

/// One row (cells in `COLUMNS` order) to a question, or the field and problem.
fn row(cells: &[String]) -> Result<QuestionDraft, (&'static str, &'static str)> {
    let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
    let kind = kind(cell(0)).ok_or(("type", "error.choice_unknown"))?;
    let options = list(cell(5), '|');
    let answer = cell(6);
    let body = match kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let picked = numbers(answer, options.len()).ok_or(("answer", "error.sheet_answer_numbers"))?;
            if kind == QuestionKind::Single && picked.len() != 1 {
                return Err(("answer", "error.sheet_answer_numbers"));
            }
            let share = 100.0 / picked.len() as f64;
            let wrong = if kind == QuestionKind::Single { 0.0 } else { -share };
            let options = options
                .into_iter()
                .enumerate()
                .map(|(i, text)| Choice {
                    text,
                    weight: if picked.contains(&i) {
                        if kind == QuestionKind::Single {
                            100.0
                        } else {
                            share
                        }
                    } else {
                        wrong
                    },
                    feedback: String::new(),
                })
                .collect();
            if kind == QuestionKind::Single {
                QuestionBody::Single { options }
            } else {
                let scoring = match cell(10) {
                    "" | "proportional" => Scoring::Proportional,
                    "all_or_nothing" => Scoring::AllOrNothing,
                    _ => return Err(("scoring", "error.choice_unknown")),
                };
                QuestionBody::Multiple { options, scoring }
            }
        }
        QuestionKind::TrueFalse => QuestionBody::TrueFalse {
            answer: match answer.to_lowercase().as_str() {
                "true" | "t" | "对" | "正确" | "是" => true,
                "false" | "f" | "错" | "错误" | "否" => false,
                _ => return Err(("answer", "error.sheet_answer_bool")),
            },
            feedback_wrong: String::new(),
            feedback_right: String::new(),
        },
        QuestionKind::FillBlank => QuestionBody::FillBlank {
            answers: list(answer, '|')
                .into_iter()
                .map(|text| Accepted { text, weight: 100.0, feedback: String::new() })
                .collect(),
        },
        QuestionKind::Numeric => {
            QuestionBody::Numeric { answers: vec![numeric(answer).ok_or(("answer", "error.number_invalid"))?] }
        }
        QuestionKind::Matching => QuestionBody::Matching {
            pairs: options
                .iter()
                .map(|p| {
                    let (l, r) = p.split_once("=>").ok_or(("options", "error.sheet_pairs"))?;
                    Ok::<_, (&str, &str)>(Pair { left: l.trim().to_string(), right: r.trim().to_string() })
                })
                .collect::<Result<_, _>>()?,
        },
        QuestionKind::Ordering => QuestionBody::Ordering { items: options },
        QuestionKind::Essay => QuestionBody::Essay,
        QuestionKind::Description => QuestionBody::Description,
    };
    let int = |i: usize, default: i64, field: &'static str| -> Result<i64, (&'static str, &'static str)> {
        match cell(i) {
            "" => Ok(default),
            v => v.parse().map_err(|_| (field, "error.number_invalid")),
        }
    };
    let draft = QuestionDraft {
        category: cell(1).trim_matches('/').to_string(),
        tags: list(cell(2), ';'),
        title: cell(3).to_string(),
        stem: cell(4).to_string(),
        difficulty: int(8, 2, "difficulty")?,
        points: int(9, if body == QuestionBody::Description { 0 } else { 1 }, "points")?,
        feedback: cell(7).to_string(),
        body,
    };
    super::validate_draft(&draft).map_err(|key| ("question", key))?;
    Ok(draft)
}

/// Rows (header first) to questions; header names may come in any order.
pub fn parse_rows(rows: Vec<Vec<String>>) -> AppResult<Vec<QuestionDraft>> {
    let mut rows = rows.into_iter();
    let header: Vec<String> = rows.next().unwrap_or_default().iter().map(|h| h.trim().to_lowercase()).collect();
    let mut index = Vec::with_capacity(COLUMNS.len());
    for name in COLUMNS {
        index.push(header.iter().position(|h| h == name));
    }
    for required in ["type", "question"] {
        if !header.iter().any(|h| h == required) {
            return Err(AppError::Rows(vec![RowError {
                line: 1,
                field: required.into(),
                key: "error.csv_missing_column".into(),
                value: String::new(),
            }]));
        }
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, cells) in rows.enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let ordered: Vec<String> =
            index.iter().map(|ix| ix.and_then(|ix| cells.get(ix).cloned()).unwrap_or_default()).collect();
        match row(&ordered) {
            Ok(q) => out.push(q),
            Err((field, key)) => {
                errors.push(RowError { line: i as u32 + 2, field: field.into(), key: key.into(), value: String::new() })
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    if out.is_empty() {
        return Err(AppError::validation("file", "error.file_empty"));
    }
    Ok(out)
}

pub fn from_csv(data: &[u8]) -> AppResult<Vec<QuestionDraft>> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| AppError::validation("file", "error.csv_unreadable"))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    parse_rows(rows)
}

pub fn from_xlsx(data: &[u8]) -> AppResult<Vec<QuestionDraft>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(data)).map_err(|_| AppError::validation("file", "error.xlsx_unreadable"))?;
    let sheet = book.worksheet_range_at(0).ok_or_else(|| AppError::validation("file", "error.file_empty"))?;
    let sheet = sheet.map_err(|_| AppError::validation("file", "error.xlsx_unreadable"))?;
    let rows = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    parse_rows(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back_as_its_examples() {
        let from_csv = from_csv(&template_csv().unwrap()).unwrap();
        let from_xlsx = from_xlsx(&template_xlsx().unwrap()).unwrap();
        assert_eq!(from_csv, from_xlsx);
        assert_eq!(from_csv.len(), 4);
        let QuestionBody::Multiple { options, scoring } = &from_csv[1].body else { panic!() };
        assert_eq!(*scoring, Scoring::Proportional);
        let w: Vec<f64> = options.iter().map(|o| o.weight).collect();
        assert!((w[0] - 100.0 / 3.0).abs() < 1e-9 && (w[3] + 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(from_csv[2].body, QuestionBody::Numeric { answers: vec![numeric("3").unwrap()] });
        assert_eq!((from_csv[3].points, from_csv[3].difficulty), (5, 4));
    }

    #[test]
    fn bad_rows_are_named_and_nothing_is_returned() {
        let csv = "type,question,options,answer,points\n\
                   单选,Q1?,a|b,2,\n\
                   single,Q2?,a|b,3,\n\
                   判断,Q3?,,maybe,\n\
                   numeric,Q4?,,1..x,\n\
                   essay,,,,\n\
                   colour,Q6?,,,\n\
                   essay,Q7?,,,lots\n";
        let AppError::Rows(rows) = from_csv(csv.as_bytes()).unwrap_err() else { panic!() };
        let got: Vec<(u32, &str, &str)> = rows.iter().map(|r| (r.line, r.field.as_str(), r.key.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "answer", "error.sheet_answer_numbers"),
                (4, "answer", "error.sheet_answer_bool"),
                (5, "answer", "error.number_invalid"),
                (6, "question", "error.question_no_text"),
                (7, "type", "error.choice_unknown"),
                (8, "points", "error.number_invalid"),
            ]
        );
        let missing = from_csv(b"kind,text\nsingle,x\n").unwrap_err();
        assert!(matches!(missing, AppError::Rows(r) if r[0].key == "error.csv_missing_column"));
    }
}
