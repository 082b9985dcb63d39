//! Paging for lists whose filters live in the address (GET forms, so they work without
//! JavaScript and a filtered page is a link).

use leptos::prelude::*;

use crate::i18n::{tr, tr_with};

/// `?team=..&q=..&page=..` with the empty filters left out; empty when nothing is set.
pub fn query_string(filters: &[(&'static str, String)], page: Option<u32>) -> String {
    let page = page.map(|p| p.to_string()).unwrap_or_default();
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            filters
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .chain([("page", page.as_str())])
                .filter(|(_, v)| !v.is_empty()),
        )
        .finish();
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

/// "← Previous · Page 2 of 5 · Next →"; nothing when everything fits on one page. `page` is 0-based.
#[component]
pub fn Pager(#[prop(into)] path: String, filters: Vec<(&'static str, String)>, page: u32, pages: u32) -> impl IntoView {
    (pages > 1).then(|| {
        let link = move |p: u32| format!("{path}{}", query_string(&filters, Some(p + 1)));
        view! {
            <nav class="pager" aria-label=tr("cert.pages")>
                {(page > 0).then(|| view! { <a href=link(page - 1) rel="prev">{tr("quiz.previous")}</a> })}
                <span>{tr_with("cert.page_of", &[("page", (page + 1).to_string()), ("pages", pages.to_string())])}</span>
                {(page + 1 < pages).then(|| view! { <a href=link(page + 1) rel="next">{tr("quiz.next")}</a> })}
            </nav>
        }
    })
}
