//! During an attempt: the attempt page in the order the trainee sees it, and saving a page of
//! answers (a newer save always wins over a delayed one).

use std::collections::BTreeMap;

use crate::error::{AppError, AppResult};
use crate::model::quiz::{Answer, AttemptStatus, AttemptView, ItemView, QuestionBody, ShownAnswer};
use crate::model::Names;
use crate::server::auth::guard::CurrentUser;
use crate::server::course::markdown;
use crate::server::db::batch::{Batched, BoxFuture};
use crate::server::db::{Conn, Db};
use crate::server::now;

use super::submit::finalize;
use super::{items, items_from, json, overdue, own_attempt, AttemptRow, Item, GRACE_SECS, PER_PAGE};

pub(super) fn stem_html(stem: &str) -> String {
    markdown::render(stem)
}

pub(super) fn option_texts(body: &QuestionBody) -> (Vec<String>, Vec<String>) {
    match body {
        QuestionBody::Single { options } | QuestionBody::Multiple { options, .. } => {
            (options.iter().map(|o| o.text.clone()).collect(), vec![])
        }
        QuestionBody::Matching { pairs } => (
            pairs.iter().filter(|p| !p.left.is_empty()).map(|p| p.left.clone()).collect(),
            pairs.iter().map(|p| p.right.clone()).collect(),
        ),
        QuestionBody::Ordering { items } => (items.clone(), vec![]),
        _ => (vec![], vec![]),
    }
}

/// The trainee's answer in shown positions.
fn shown_answer(item: &Item) -> Option<ShownAnswer> {
    let shown_of = |authored: usize| item.option_order.iter().position(|o| *o == authored);
    Some(match item.answer.as_ref()? {
        Answer::Choices(c) => ShownAnswer::Choices(c.iter().filter_map(|a| shown_of(*a)).collect()),
        Answer::Bool(b) => ShownAnswer::Bool(*b),
        Answer::Text(t) => ShownAnswer::Text(t.clone()),
        Answer::Matches(m) => ShownAnswer::Matches(
            item.option_order
                .iter()
                .map(|left| m.get(*left).copied().flatten().and_then(|r| item.extra_order.iter().position(|e| *e == r)))
                .collect(),
        ),
        Answer::Order(order) => ShownAnswer::Order(
            // Rank (1-based) of each shown item.
            item.option_order
                .iter()
                .map(|authored| order.iter().position(|o| o == authored).map_or(0, |p| p + 1))
                .collect(),
        ),
    })
}

/// Question numbers as the trainee sees them: descriptions are not numbered.
fn numbers(items: &[Item]) -> Vec<Option<usize>> {
    let mut n = 0;
    items
        .iter()
        .map(|i| {
            (i.body != QuestionBody::Description).then(|| {
                n += 1;
                n
            })
        })
        .collect()
}

fn item_view(item: &Item, number: Option<usize>) -> ItemView {
    let (options, rights) = option_texts(&item.body);
    ItemView {
        position: item.position,
        number,
        kind: item.body.kind(),
        stem_html: stem_html(&item.stem),
        points: item.points,
        options: item.option_order.iter().filter_map(|i| options.get(*i).cloned()).collect(),
        rights: item.extra_order.iter().filter_map(|i| rights.get(*i).cloned()).collect(),
        answer: shown_answer(item),
    }
}

fn pages_of(n: usize) -> usize {
    n.div_ceil(PER_PAGE).max(1)
}

/// The attempt page: its questions, the trainee's answers, the time left. An attempt past its
/// deadline is closed here (and shown as finished), whoever notices first.
#[tracing::instrument(skip_all, fields(caller = user.id, attempt_id, page))]
pub async fn view(db: &Db, user: &CurrentUser, attempt_id: i64, page: usize) -> AppResult<Option<AttemptView>> {
    let at = now();
    let mut conn = db.read.acquire().await?;
    let a = own_attempt(&mut conn, user, attempt_id).await?;
    if overdue(&a, at) {
        // Closing is a write: take the write lock and look again, another request may have closed it.
        drop(conn);
        let mut tx = db.begin().await?;
        let a = own_attempt(&mut tx, user, attempt_id).await?;
        if overdue(&a, at) {
            finalize(&mut tx, &a, "deadline", at).await?;
        }
        tx.commit().await?;
        return Ok(None);
    }
    if a.status != AttemptStatus::InProgress {
        return Ok(None);
    }
    let all = items(&mut conn, attempt_id).await?;
    let quiz_title = sqlx::query!("select title, title_en from quizzes where id = $1", a.quiz_id)
        .fetch_one(&mut *conn)
        .await
        .map(|r| Names::new(r.title, r.title_en))?;
    let pages = pages_of(all.len());
    let page = page.min(pages - 1);
    Ok(Some(AttemptView {
        id: a.id,
        quiz_id: a.quiz_id,
        quiz_title,
        attempt_no: a.attempt_no,
        seq: a.save_seq,
        deadline_at: a.deadline_at,
        remaining_secs: a.deadline_at.map(|d| (d - at).max(0)),
        page,
        pages,
        // A description has nothing to answer: it counts as done.
        answered: all.iter().map(|i| i.answer.is_some() || i.body == QuestionBody::Description).collect(),
        items: all
            .iter()
            .zip(numbers(&all))
            .skip(page * PER_PAGE)
            .take(PER_PAGE)
            .map(|(i, n)| item_view(i, n))
            .collect(),
    }))
}

/// Reads one item's answer from the form fields (`p{pos}` and `p{pos}_{i}`), in authored terms.
fn read_answer(item: &Item, form: &BTreeMap<String, String>) -> Option<Answer> {
    let key = format!("p{}", item.position);
    let field = |i: usize| form.get(&format!("{key}_{i}")).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let n = item.option_order.len();
    match &item.body {
        QuestionBody::Single { .. } => {
            let shown: usize = form.get(&key)?.trim().parse().ok()?;
            Some(Answer::Choices(vec![*item.option_order.get(shown)?]))
        }
        QuestionBody::Multiple { .. } => {
            let picked: Vec<usize> = (0..n).filter(|i| field(*i).is_some()).map(|i| item.option_order[i]).collect();
            Some(Answer::Choices(picked))
        }
        QuestionBody::TrueFalse { .. } => match form.get(&key)?.as_str() {
            "true" => Some(Answer::Bool(true)),
            "false" => Some(Answer::Bool(false)),
            _ => None,
        },
        QuestionBody::Description => None,
        QuestionBody::FillBlank { .. } | QuestionBody::Numeric { .. } | QuestionBody::Essay => {
            let text = form.get(&key)?;
            let limit: String = text.chars().take(10_000).collect();
            (!limit.trim().is_empty()).then_some(Answer::Text(limit))
        }
        QuestionBody::Matching { pairs } => {
            let lefts = pairs.iter().filter(|p| !p.left.is_empty()).count();
            let mut m = vec![None; lefts];
            for (shown, left) in item.option_order.iter().enumerate() {
                let right =
                    field(shown).and_then(|v| v.parse::<usize>().ok()).and_then(|j| item.extra_order.get(j).copied());
                if let Some(slot) = m.get_mut(*left) {
                    *slot = right;
                }
            }
            m.iter().any(Option::is_some).then_some(Answer::Matches(m))
        }
        QuestionBody::Ordering { .. } => {
            let mut ranked: Vec<(i64, usize, usize)> = (0..n)
                .map(|shown| {
                    (field(shown).and_then(|v| v.parse().ok()).unwrap_or(i64::MAX), shown, item.option_order[shown])
                })
                .collect();
            if ranked.iter().all(|r| r.0 == i64::MAX) {
                return None;
            }
            ranked.sort();
            Some(Answer::Order(ranked.into_iter().map(|r| r.2).collect()))
        }
    }
}

/// What a save did: stored, or refused because a newer save already arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Stored(i64),
    Stale(i64),
}

/// Stores the answers of one page. `seq` must be higher than the last accepted save's, so a
/// delayed or repeated request cannot overwrite newer answers. After the deadline (plus grace)
/// nothing is stored and the attempt is closed.
///
/// Everything that can be decided from a read is decided outside the write: the owner, the
/// state, the page's items and which answers changed. The write itself goes into the next group
/// commit (`db::batch`) and re-checks the state and the sequence there.
#[tracing::instrument(skip_all, fields(caller = user.id, attempt_id, seq, page))]
pub async fn save(
    db: &Db,
    user: &CurrentUser,
    attempt_id: i64,
    seq: i64,
    page: usize,
    form: &BTreeMap<String, String>,
) -> AppResult<Saved> {
    let at = now();
    let mut conn = db.read.acquire().await?;
    let a = own_attempt(&mut conn, user, attempt_id).await?;
    if overdue(&a, at) {
        drop(conn);
        return close_late(db, attempt_id, at).await;
    }
    if a.status != AttemptStatus::InProgress {
        return Err(AppError::validation("attempt", "error.attempt_closed"));
    }
    if seq <= a.save_seq {
        return Ok(Saved::Stale(a.save_seq));
    }
    let from = (page * PER_PAGE) as i64;
    let shown = items_from(&mut conn, attempt_id, from, from + PER_PAGE as i64).await?;
    drop(conn);
    let mut changed = Vec::new();
    for item in &shown {
        let answer = read_answer(item, form);
        if answer != item.answer {
            changed.push((item.position as i64, answer.as_ref().map(json).transpose()?));
        }
    }
    let deadline = a.deadline_at.map(|d| d + GRACE_SECS);
    let saved = db.batched(SavePage { attempt_id, seq, at, deadline, changed }).await;
    if matches!(&saved, Err(AppError::Validation { key, .. }) if key == "error.attempt_deadline") {
        return close_late(db, attempt_id, now()).await;
    }
    saved
}

/// A save after the deadline: the attempt is closed as it stood, and the trainee told why.
async fn close_late(db: &Db, attempt_id: i64, at: i64) -> AppResult<Saved> {
    let mut tx = db.begin().await?;
    let a = super::attempt_row(&mut tx, attempt_id).await?;
    if overdue(&a, at) {
        finalize(&mut tx, &a, "deadline", at).await?;
        tx.commit().await?;
    }
    Err(AppError::validation("attempt", "error.attempt_deadline"))
}

/// One page's changed answers and the new sequence number, written in a group commit.
struct SavePage {
    attempt_id: i64,
    seq: i64,
    at: i64,
    /// The deadline with its grace, if the quiz has a time limit.
    deadline: Option<i64>,
    /// (position, answer as JSON) of each item whose answer differs from the stored one.
    changed: Vec<(i64, Option<String>)>,
}

impl Batched for SavePage {
    type Out = Saved;

    fn write<'a>(&'a mut self, conn: &'a mut Conn) -> BoxFuture<'a, AppResult<Saved>> {
        Box::pin(async move {
            // The sequence, state and deadline are checked again here: they may have moved since the read.
            let claimed = sqlx::query!(
                "update attempts set save_seq = $1
                 where id = $2 and status = 'in_progress' and save_seq < $1 and (cast($3 as bigint) is null or $4 <= $3)",
                self.seq,
                self.attempt_id,
                self.deadline,
                self.at
            )
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if claimed == 0 {
                let now = sqlx::query!("select status, save_seq from attempts where id = $1", self.attempt_id)
                    .fetch_one(&mut *conn)
                    .await?;
                return if now.status != AttemptStatus::InProgress.as_str() {
                    Err(AppError::validation("attempt", "error.attempt_closed"))
                } else if now.save_seq >= self.seq {
                    Ok(Saved::Stale(now.save_seq))
                } else {
                    Err(AppError::validation("attempt", "error.attempt_deadline"))
                };
            }
            for (position, answer) in &self.changed {
                let answer = answer.as_deref();
                sqlx::query!(
                    "update attempt_items set answer = $1 where attempt_id = $2 and position = $3",
                    answer,
                    self.attempt_id,
                    position
                )
                .execute(&mut *conn)
                .await?;
            }
            Ok(Saved::Stored(self.seq))
        })
    }
}

/// Writes one page's answers of an open attempt, unless a newer save came first.
pub(super) async fn store_page(
    conn: &mut Conn,
    a: &AttemptRow,
    all: &mut [Item],
    seq: i64,
    page: usize,
    form: &BTreeMap<String, String>,
) -> AppResult<Saved> {
    if seq <= a.save_seq {
        return Ok(Saved::Stale(a.save_seq));
    }
    for item in all.iter_mut().skip(page * PER_PAGE).take(PER_PAGE) {
        item.answer = read_answer(item, form);
        let answer = item.answer.as_ref().map(json).transpose()?;
        let pos = item.position as i64;
        sqlx::query!("update attempt_items set answer = $1 where attempt_id = $2 and position = $3", answer, a.id, pos)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query!("update attempts set save_seq = $1 where id = $2", seq, a.id).execute(&mut *conn).await?;
    Ok(Saved::Stored(seq))
}
