//! Moodle's GIFT format: import (all of it or nothing, with line-numbered errors) and export.
//!
//! Read the way Moodle reads it: questions are separated by blank lines, `//` lines are comments,
//! `$CATEGORY:` switches the category, `::name::` names a question, `[html]`-style markers set a
//! text format, `\~ \= \# \{ \} \:` are escapes, and text after the answer block makes a
//! missing-word question. Tags travel as Moodle's `// [tag:name]` comments; difficulty and points
//! (which GIFT cannot express) as a `// [floorready:difficulty=N,points=N]` comment that other
//! systems ignore.

use crate::error::RowError;
use crate::model::quiz::{Accepted, Choice, NumericAnswer, Pair, QuestionBody, QuestionDraft, QuestionKind, Scoring};

/// A character and whether it was written escaped (`\=`), so only unescaped ones are syntax.
#[derive(Clone, Copy, PartialEq)]
struct Ch {
    c: char,
    escaped: bool,
}

fn scan(s: &str) -> Vec<Ch> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek().copied() {
                Some(n @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\')) => {
                    chars.next();
                    out.push(Ch { c: n, escaped: true });
                }
                Some('n') => {
                    chars.next();
                    out.push(Ch { c: '\n', escaped: true });
                }
                _ => out.push(Ch { c, escaped: false }),
            }
        } else {
            out.push(Ch { c, escaped: false });
        }
    }
    out
}

fn text(chs: &[Ch]) -> String {
    chs.iter().map(|ch| ch.c).collect()
}

fn find(chs: &[Ch], pat: &str) -> Option<usize> {
    let pat: Vec<char> = pat.chars().collect();
    (0..chs.len()).find(|&i| {
        i + pat.len() <= chs.len() && pat.iter().enumerate().all(|(j, p)| !chs[i + j].escaped && chs[i + j].c == *p)
    })
}

fn trim(chs: &[Ch]) -> &[Ch] {
    let start = chs.iter().position(|ch| !ch.c.is_whitespace()).unwrap_or(chs.len());
    let end = chs.iter().rposition(|ch| !ch.c.is_whitespace()).map_or(start, |e| e + 1);
    &chs[start..end.max(start)]
}

/// Drops a leading `[html]`, `[moodle]`, `[plain]` or `[markdown]` format marker.
fn strip_format(s: &str) -> &str {
    let t = s.trim_start();
    for marker in ["[html]", "[moodle]", "[plain]", "[markdown]"] {
        if let Some(rest) = t.strip_prefix(marker) {
            return rest;
        }
    }
    s
}

fn clean(chs: &[Ch]) -> String {
    strip_format(text(trim(chs)).as_str()).trim().to_string()
}

/// One answer of a block: its leading `=`/`~`, the weight and the text/feedback parts.
struct Part<'a> {
    right: bool,
    body: &'a [Ch],
}

fn split_answers(chs: &[Ch]) -> Vec<Part<'_>> {
    let starts: Vec<usize> =
        (0..chs.len()).filter(|&i| !chs[i].escaped && (chs[i].c == '=' || chs[i].c == '~')).collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &s)| Part {
            right: chs[s].c == '=',
            body: &chs[s + 1..starts.get(n + 1).copied().unwrap_or(chs.len())],
        })
        .collect()
}

/// `%50%` at the start of an answer: the weight and the rest.
fn weight(chs: &[Ch]) -> Result<(Option<f64>, &[Ch]), &'static str> {
    let t = trim(chs);
    if t.first().is_some_and(|ch| ch.c == '%' && !ch.escaped) {
        let end = t[1..].iter().position(|ch| ch.c == '%').ok_or("error.gift_weight")? + 1;
        let n: f64 = text(&t[1..end]).trim().parse().map_err(|_| "error.gift_weight")?;
        if !(-100.0..=100.0).contains(&n) {
            return Err("error.gift_weight");
        }
        Ok((Some(n), &t[end + 1..]))
    } else {
        Ok((None, t))
    }
}

/// Splits `text#feedback` at the first unescaped `#`.
fn feedback(chs: &[Ch]) -> (String, String) {
    match find(chs, "#") {
        Some(i) => (clean(&chs[..i]), clean(&chs[i + 1..])),
        None => (clean(chs), String::new()),
    }
}

#[derive(Default)]
struct Meta {
    tags: Vec<String>,
    difficulty: Option<i64>,
    points: Option<i64>,
    all_or_nothing: bool,
}

fn read_meta(comment: &str, meta: &mut Meta) {
    let mut rest = comment;
    while let Some(start) = rest.find('[') {
        let Some(end) = rest[start..].find(']') else { break };
        let inner = &rest[start + 1..start + end];
        if let Some(tag) = inner.strip_prefix("tag:") {
            meta.tags.push(tag.trim().to_string());
        } else if let Some(fields) = inner.strip_prefix("floorready:") {
            for kv in fields.split(',') {
                match kv.split_once('=') {
                    Some(("difficulty", v)) => meta.difficulty = v.trim().parse().ok(),
                    Some(("points", v)) => meta.points = v.trim().parse().ok(),
                    Some(("scoring", v)) => meta.all_or_nothing = v.trim() == "all_or_nothing",
                    _ => {}
                }
            }
        }
        rest = &rest[start + end..];
    }
}

/// Parses a whole GIFT file. Any error rejects the file; each names its line.
pub fn parse(input: &str) -> Result<Vec<QuestionDraft>, Vec<RowError>> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut category = String::new();
    let mut meta = Meta::default();
    let mut block: Vec<&str> = Vec::new();
    let mut block_line = 0u32;
    let lines: Vec<&str> = input.lines().collect();
    let mut i = 0;
    while i <= lines.len() {
        let line = lines.get(i).copied();
        let line_no = i as u32 + 1;
        i += 1;
        match line {
            Some(l) if l.trim_start().starts_with("//") => {
                if block.is_empty() {
                    read_meta(l, &mut meta);
                }
                continue;
            }
            Some(l) if l.trim_start().starts_with("$CATEGORY:") && block.is_empty() => {
                category = category_path(l.trim_start().trim_start_matches("$CATEGORY:"));
                continue;
            }
            Some(l) if !l.trim().is_empty() => {
                if block.is_empty() {
                    block_line = line_no;
                }
                block.push(l);
                continue;
            }
            _ => {}
        }
        // A blank line or the end always ends the question, as in Moodle: a `{` still open here is
        // an error on this question's line, never a reason to swallow the next question.
        if block.is_empty() {
            continue;
        }
        let joined = block.join("\n");
        let chs = scan(&joined);
        match question(&chs, &category, &meta) {
            Ok(q) => out.push(q),
            Err(key) => {
                errors.push(RowError { line: block_line, field: "gift".into(), key: key.into(), value: String::new() })
            }
        }
        block.clear();
        meta = Meta::default();
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(RowError { line: 1, field: "gift".into(), key: "error.gift_empty".into(), value: String::new() });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Moodle writes context prefixes such as `$course$/`; the category is the path after them.
fn category_path(raw: &str) -> String {
    let mut parts: Vec<&str> = raw.trim().split('/').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.first().is_some_and(|p| p.starts_with('$') && p.ends_with('$')) {
        parts.remove(0);
    }
    parts.join("/")
}

fn question(chs: &[Ch], category: &str, meta: &Meta) -> Result<QuestionDraft, &'static str> {
    let mut rest = trim(chs);
    let mut title = String::new();
    if find(rest, "::") == Some(0) {
        let end = find(&rest[2..], "::").ok_or("error.gift_title")? + 2;
        title = text(trim(&rest[2..end]));
        rest = &rest[end + 2..];
    }
    let Some(open) = find(rest, "{") else {
        // No answer block at all is a description, as Moodle imports it; a lone `}` is a typo.
        if find(rest, "}").is_some() {
            return Err("error.gift_unopened");
        }
        let stem = clean(rest);
        if stem.is_empty() {
            return Err("error.gift_no_text");
        }
        return draft(category, meta, title, stem, String::new(), QuestionBody::Description);
    };
    let close = find(&rest[open..], "}").ok_or("error.gift_unclosed")? + open;
    let after = text(trim(&rest[close + 1..]));
    // Missing word: the block is replaced by a blank where it stood, spacing kept (Moodle's way:
    // "It equals {=4}." is "It equals _____.").
    let stem = if after.is_empty() {
        clean(&rest[..open])
    } else {
        let mut joined = rest[..open].to_vec();
        joined.extend("_____".chars().map(|c| Ch { c, escaped: true }));
        joined.extend_from_slice(&rest[close + 1..]);
        clean(&joined)
    };
    if stem.trim().is_empty() {
        return Err("error.gift_no_text");
    }
    let block = &rest[open + 1..close];
    let (block, general) = match find(block, "####") {
        Some(i) => (&block[..i], clean(&block[i + 4..])),
        None => (block, String::new()),
    };
    let mut body = answers(trim(block))?;
    if let QuestionBody::Multiple { scoring, .. } = &mut body {
        if meta.all_or_nothing {
            *scoring = Scoring::AllOrNothing;
        }
    }
    draft(category, meta, title, stem, general, body)
}

/// The draft of one block, checked like any other question. A description is worth nothing,
/// whatever its metadata says.
fn draft(
    category: &str,
    meta: &Meta,
    title: String,
    stem: String,
    feedback: String,
    body: QuestionBody,
) -> Result<QuestionDraft, &'static str> {
    let points = if body == QuestionBody::Description { 0 } else { meta.points.unwrap_or(1) };
    let draft = QuestionDraft {
        category: category.to_string(),
        tags: meta.tags.clone(),
        title,
        stem,
        difficulty: meta.difficulty.unwrap_or(2),
        points,
        feedback,
        body,
    };
    super::validate_draft(&draft)?;
    Ok(draft)
}

fn answers(block: &[Ch]) -> Result<QuestionBody, &'static str> {
    if block.is_empty() {
        return Ok(QuestionBody::Essay);
    }
    if block[0].c == '#' && !block[0].escaped {
        return numeric(&block[1..]);
    }
    let head = text(block);
    let word = head.split('#').next().unwrap_or("").trim().to_uppercase();
    if matches!(word.as_str(), "T" | "TRUE" | "F" | "FALSE") {
        let parts: Vec<String> = match find(block, "#") {
            Some(i) => {
                let fb = &block[i + 1..];
                match find(fb, "#") {
                    Some(j) => vec![clean(&fb[..j]), clean(&fb[j + 1..])],
                    None => vec![clean(fb), String::new()],
                }
            }
            None => vec![String::new(), String::new()],
        };
        return Ok(QuestionBody::TrueFalse {
            answer: word.starts_with('T'),
            feedback_wrong: parts[0].clone(),
            feedback_right: parts[1].clone(),
        });
    }
    let parts = split_answers(block);
    if parts.is_empty() || find(block, "=").is_none() && find(block, "~").is_none() {
        return Err("error.gift_answers");
    }
    if trim(&block[..block.iter().position(|ch| !ch.escaped && (ch.c == '=' || ch.c == '~')).unwrap_or(0)])
        .iter()
        .any(|ch| !ch.c.is_whitespace())
    {
        return Err("error.gift_answers");
    }
    if parts.iter().any(|p| p.right && find(p.body, "->").is_some()) {
        let mut pairs = Vec::new();
        for p in &parts {
            let arrow = find(p.body, "->").ok_or("error.gift_matching")?;
            if !p.right {
                return Err("error.gift_matching");
            }
            pairs.push(Pair { left: clean(&p.body[..arrow]), right: clean(&p.body[arrow + 2..]) });
        }
        return Ok(QuestionBody::Matching { pairs });
    }
    if parts.iter().all(|p| p.right) {
        let mut answers = Vec::new();
        for p in &parts {
            let (w, rest) = weight(p.body)?;
            let (text, feedback) = feedback(rest);
            answers.push(Accepted { text, weight: w.unwrap_or(100.0), feedback });
        }
        return Ok(QuestionBody::FillBlank { answers });
    }
    let mut options = Vec::new();
    for p in &parts {
        let (w, rest) = weight(p.body)?;
        let (text, feedback) = feedback(rest);
        let weight = w.unwrap_or(if p.right { 100.0 } else { 0.0 });
        options.push(Choice { text, weight, feedback });
    }
    // Moodle's rule: with an `=` answer only one option may be picked; without, several.
    if parts.iter().any(|p| p.right) {
        Ok(QuestionBody::Single { options })
    } else {
        Ok(QuestionBody::Multiple { options, scoring: Scoring::Proportional })
    }
}

fn numeric(block: &[Ch]) -> Result<QuestionBody, &'static str> {
    let block = trim(block);
    let parts: Vec<Part> = if block.first().is_some_and(|ch| ch.c == '=' && !ch.escaped) {
        split_answers(block)
    } else {
        // A single answer, possibly followed by `~` wrong-answer feedback.
        let end = block.iter().position(|ch| ch.c == '~' && !ch.escaped).unwrap_or(block.len());
        vec![Part { right: true, body: &block[..end] }]
    };
    let mut answers = Vec::new();
    for p in parts.iter().filter(|p| p.right) {
        let (w, rest) = weight(p.body)?;
        let (value, feedback) = feedback(rest);
        let (value, tolerance) = if let Some((lo, hi)) = value.split_once("..") {
            let (lo, hi) = (number(lo)?, number(hi)?);
            ((lo + hi) / 2.0, (hi - lo).abs() / 2.0)
        } else if let Some((v, t)) = value.split_once(':') {
            (number(v)?, number(t)?.abs())
        } else {
            (number(&value)?, 0.0)
        };
        answers.push(NumericAnswer { value, tolerance, weight: w.unwrap_or(100.0), feedback });
    }
    Ok(QuestionBody::Numeric { answers })
}

fn number(s: &str) -> Result<f64, &'static str> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or("error.gift_number")
}

/// Escapes GIFT's special characters in text written back out.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

fn with_feedback(text: &str, feedback: &str) -> String {
    if feedback.is_empty() {
        esc(text)
    } else {
        format!("{}#{}", esc(text), esc(feedback))
    }
}

fn fmt_num(x: f64) -> String {
    format!("{x}")
}

/// One question in GIFT, with its tags and Floorready metadata as comments. `None` for ordering
/// questions, which GIFT cannot express.
pub fn write_question(q: &QuestionDraft) -> Option<String> {
    let mut out = String::new();
    for tag in &q.tags {
        out.push_str(&format!("// [tag:{tag}]\n"));
    }
    let scoring = match q.body {
        QuestionBody::Multiple { scoring: Scoring::AllOrNothing, .. } => ",scoring=all_or_nothing",
        _ => "",
    };
    out.push_str(&format!("// [floorready:difficulty={},points={}{scoring}]\n", q.difficulty, q.points));
    if !q.title.is_empty() {
        out.push_str(&format!("::{}::", esc(&q.title)));
    }
    out.push_str(&format!("[markdown]{}", esc(&q.stem)));
    let general = if q.feedback.is_empty() { String::new() } else { format!("####{}", esc(&q.feedback)) };
    let block = match &q.body {
        // No braces at all: that is what makes it a description.
        QuestionBody::Description => return Some(out + "\n"),
        QuestionBody::Essay => String::new(),
        QuestionBody::TrueFalse { answer, feedback_wrong, feedback_right } => {
            let mut s = String::from(if *answer { "TRUE" } else { "FALSE" });
            if !feedback_wrong.is_empty() || !feedback_right.is_empty() {
                s.push_str(&format!("#{}#{}", esc(feedback_wrong), esc(feedback_right)));
            }
            s
        }
        QuestionBody::Single { options } | QuestionBody::Multiple { options, .. } => {
            let multiple = q.body.kind() == QuestionKind::Multiple;
            options
                .iter()
                .map(|o| {
                    let text = with_feedback(&o.text, &o.feedback);
                    if !multiple && o.weight == 100.0 {
                        format!("\n\t={text}")
                    } else if !multiple && o.weight == 0.0 {
                        format!("\n\t~{text}")
                    } else {
                        format!("\n\t~%{}%{text}", fmt_num(o.weight))
                    }
                })
                .collect::<String>()
                + "\n"
        }
        QuestionBody::FillBlank { answers } => {
            answers
                .iter()
                .map(|a| format!("\n\t=%{}%{}", fmt_num(a.weight), with_feedback(&a.text, &a.feedback)))
                .collect::<String>()
                + "\n"
        }
        QuestionBody::Numeric { answers } => {
            "#".to_string()
                + &answers
                    .iter()
                    .map(|a| {
                        let value = format!("{}:{}", fmt_num(a.value), fmt_num(a.tolerance));
                        format!("\n\t=%{}%{}", fmt_num(a.weight), with_feedback(&value, &a.feedback))
                    })
                    .collect::<String>()
                + "\n"
        }
        QuestionBody::Matching { pairs } => {
            pairs.iter().map(|p| format!("\n\t={} -> {}", esc(&p.left), esc(&p.right))).collect::<String>() + "\n"
        }
        QuestionBody::Ordering { .. } => return None,
    };
    out.push_str(&format!("{{{block}{general}}}\n"));
    Some(out)
}

/// A whole bank in GIFT: `$CATEGORY:` lines where the category changes. Returns the text and how
/// many questions were left out because GIFT cannot express them.
pub fn write(questions: &[QuestionDraft]) -> (String, usize) {
    let mut out = String::new();
    let mut category: Option<&str> = None;
    let mut skipped = 0;
    for q in questions {
        let Some(text) = write_question(q) else {
            skipped += 1;
            continue;
        };
        if category != Some(q.category.as_str()) {
            out.push_str(&format!("$CATEGORY: $course$/{}\n\n", q.category));
            category = Some(&q.category);
        }
        out.push_str(&text);
        out.push('\n');
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOODLE: &str = include_str!("../../../tests/fixtures/gift/moodle-questions.gift.txt");
    const MOODLE_CATEGORY: &str = include_str!("../../../tests/fixtures/gift/moodle-questions_in_category.gift.txt");

    #[test]
    fn reads_moodles_own_fixture() {
        let qs = parse(MOODLE).unwrap();
        let kinds: Vec<(&str, QuestionKind)> = qs.iter().map(|q| (q.title.as_str(), q.body.kind())).collect();
        assert_eq!(
            kinds,
            vec![
                ("Q8", QuestionKind::Essay),
                ("Moodle activities", QuestionKind::Matching),
                ("Q2", QuestionKind::Single),
                ("colours", QuestionKind::Multiple),
                ("Q5", QuestionKind::Numeric),
                ("Shortanswer", QuestionKind::FillBlank),
                ("Q1", QuestionKind::TrueFalse),
                ("2-08 TSL", QuestionKind::TrueFalse),
                ("2-08 TSL", QuestionKind::TrueFalse),
            ]
        );
        assert_eq!(qs[0].stem, "How are you?");
        let QuestionBody::Matching { pairs } = &qs[1].body else { panic!() };
        assert_eq!(qs[1].stem, "Match the <b>activity</b> to the description.");
        assert_eq!(pairs.len(), 5);
        assert_eq!(
            pairs[0],
            Pair { left: "An activity supporting asynchronous discussions.".into(), right: "Forum".into() }
        );
        assert_eq!(pairs[4], Pair { left: String::new(), right: "Chat".into() }, "the extra distractor");
        let QuestionBody::Single { options } = &qs[2].body else { panic!() };
        assert_eq!(options[0], Choice { text: "yellow".into(), weight: 100.0, feedback: "right; good!".into() });
        assert_eq!(options[1].feedback, "wrong, it's yellow", "[html] marker dropped from feedback");
        assert_eq!(options[2].text, "blue", "[plain] marker dropped from the answer");
        let QuestionBody::Multiple { options, scoring } = &qs[3].body else { panic!() };
        assert_eq!(*scoring, Scoring::Proportional);
        assert_eq!(options.iter().map(|o| o.weight).collect::<Vec<_>>(), vec![50.0, -100.0, 50.0, -100.0]);
        let QuestionBody::Numeric { answers } = &qs[4].body else { panic!() };
        assert_eq!((answers[0].value, answers[0].tolerance, answers.len()), (3.0, 2.0, 1));
        assert_eq!(
            qs[4].stem, "What is a number from 1 to 5? _____\";",
            "the blank where the block stood, as Moodle keeps it"
        );
        let QuestionBody::FillBlank { answers } = &qs[5].body else { panic!() };
        assert_eq!(
            answers.iter().map(|a| (a.text.as_str(), a.weight)).collect::<Vec<_>>(),
            vec![("Frog", 100.0), ("Cat", 50.0), ("*", 0.0)]
        );
        let QuestionBody::TrueFalse { answer, feedback_wrong, feedback_right } = &qs[6].body else { panic!() };
        assert!(!answer);
        assert_eq!(feedback_wrong, "42 is the Ultimate Answer.");
        assert_eq!(feedback_right, "You gave the right answer.");
        assert_eq!(qs[6].feedback, "This is, of course, a Hitchiker's Guide to the Galaxy reference.");
        assert!(matches!(qs[7].body, QuestionBody::TrueFalse { answer: true, .. }));
        assert!(matches!(qs[8].body, QuestionBody::TrueFalse { answer: true, .. }));
    }

    #[test]
    fn reads_categories_and_escapes() {
        let qs = parse(MOODLE_CATEGORY).unwrap();
        assert_eq!(qs.len(), 4);
        assert!(qs.iter().all(|q| q.category == "Default for New Features"));
        assert_eq!(
            qs[1].stem,
            "<a href=\"http://demo.moodle.net/file.php/5/media/bonjour.mp3\">Listen to this greeting:</a><br /><br />What language is being spoken?"
        );
        let QuestionBody::Single { options } = &qs[1].body else { panic!() };
        assert_eq!(
            options.iter().filter(|o| o.weight == 100.0).map(|o| o.text.as_str()).collect::<Vec<_>>(),
            ["French"]
        );
        let QuestionBody::FillBlank { answers } = &qs[2].body else { panic!() };
        assert_eq!((answers[0].text.as_str(), answers[0].weight, answers[0].feedback.as_str()), ("Moodler", 100.0, ""));
        assert!(qs[3].stem.contains("<span style=\"font-style: italic;\">"));
    }

    #[test]
    fn documented_forms() {
        let doc = "::Range::When? {#1..5}\n\n::Multi::Pi? {#\n=3.14159:0.0005\n=%50%3.1:0.1\n}\n\n\
                   Grant is {~buried =entombed ~living} in Grant's tomb.\n\n\
                   ::Escaped::1 \\= 1 \\{really\\}? {=yes\\: indeed ~no}";
        let qs = parse(doc).unwrap();
        let QuestionBody::Numeric { answers } = &qs[0].body else { panic!() };
        assert_eq!((answers[0].value, answers[0].tolerance), (3.0, 2.0));
        let QuestionBody::Numeric { answers } = &qs[1].body else { panic!() };
        assert_eq!(answers.iter().map(|a| a.weight).collect::<Vec<_>>(), vec![100.0, 50.0]);
        assert_eq!(qs[2].stem, "Grant is _____ in Grant's tomb.");
        assert_eq!(qs[3].stem, "1 = 1 {really}?");
        let QuestionBody::Single { options } = &qs[3].body else { panic!() };
        assert_eq!(options[0].text, "yes: indeed");
    }

    #[test]
    fn a_broken_file_is_rejected_whole_with_line_numbers() {
        let bad =
            "::ok::Fine? {T}\n\n// comment\n::stray:: Nothing here}\n\n::bad weight::X {~%abc%a =b}\n\n::open::Y {=a";
        let errors = parse(bad).unwrap_err();
        let lines: Vec<(u32, &str)> = errors.iter().map(|e| (e.line, e.key.as_str())).collect();
        assert_eq!(lines, vec![(4, "error.gift_unopened"), (6, "error.gift_weight"), (8, "error.gift_unclosed")]);
        assert_eq!(parse("// only a comment\n").unwrap_err()[0].key, "error.gift_empty");
    }

    #[test]
    fn an_unclosed_brace_is_an_error_on_its_line_and_does_not_swallow_the_next_question() {
        let file = "::A:: First? {=yes ~no\n\n::B:: Second? {=yes ~no}\n";
        let errors = parse(file).unwrap_err();
        let lines: Vec<(u32, &str)> = errors.iter().map(|e| (e.line, e.key.as_str())).collect();
        assert_eq!(lines, vec![(1, "error.gift_unclosed")]);
    }

    #[test]
    fn a_description_item_imports_as_text_worth_nothing_and_exports_back() {
        // As Moodle writes a description question: a name, HTML text and no answer block.
        let file = "::Q1:: What is 2+2? {=4 ~3 ~5}\n\n::DESC::[html]<p>Read this first.</p>\n\n::Q2:: Ready? {T}\n";
        let qs = parse(file).unwrap();
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[1].body, QuestionBody::Description);
        assert_eq!((qs[1].title.as_str(), qs[1].stem.as_str(), qs[1].points), ("DESC", "<p>Read this first.</p>", 0));
        let (text, skipped) = write(&qs);
        assert_eq!(skipped, 0);
        assert_eq!(parse(&text).unwrap(), qs);
    }

    proptest::proptest! {
        /// Whatever a trainer pastes, the parser answers with questions or errors, never a panic.
        #[test]
        fn any_text_parses_or_errs(text in "[:{}=~#%\\\\\\[\\]a-z0-9 \n.-]{0,200}") {
            let _ = parse(&text);
        }
    }

    #[test]
    fn export_then_import_keeps_every_question() {
        let mut qs = parse(MOODLE).unwrap();
        qs.extend(parse(MOODLE_CATEGORY).unwrap());
        qs[0].tags = vec!["三包".into(), "warranty".into()];
        qs[0].difficulty = 4;
        qs[0].points = 3;
        let (text, skipped) = write(&qs);
        assert_eq!(skipped, 0);
        let again = parse(&text).unwrap();
        assert_eq!(again, qs);
    }
}
