//! Charts drawn on the server as SVG, so they show without JavaScript; each comes with its
//! numbers as a table (folded under the chart, and what a screen reader reads).

use leptos::prelude::*;

/// One point or bar: its label on the x axis and its value (a percentage, 0-100).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    /// What the table shows for it ("12 / 15").
    pub detail: String,
}

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 30.0;
const TOP: f64 = 12.0;

fn y(v: f64) -> f64 {
    TOP + (H - TOP - BOTTOM) * (1.0 - v.clamp(0.0, 100.0) / 100.0)
}

/// A label cut to fit `width` user units of the axis, with "…": a wide (CJK) character takes
/// about twice a narrow one.
fn fit(label: &str, width: f64) -> String {
    const NARROW: f64 = 6.2;
    let room = ((width - 4.0) / NARROW).max(2.0);
    let cost = |c: char| if c.len_utf8() >= 3 { 2.0 } else { 1.0 };
    if label.chars().map(cost).sum::<f64>() <= room {
        return label.to_string();
    }
    let mut used = 1.0; // the ellipsis
    let mut out = String::new();
    for c in label.chars() {
        if used + cost(c) > room {
            break;
        }
        used += cost(c);
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

/// Percentages over time as a line (`line`) or bars, with gridlines at 0, 50 and 100 %.
#[component]
pub fn PercentChart(
    caption: String,
    points: Vec<Bar>,
    #[prop(default = true)] line: bool,
    value_head: String,
    detail_head: String,
) -> impl IntoView {
    let n = points.len().max(1) as f64;
    let step = (W - LEFT - 8.0) / n;
    let x = move |i: usize| LEFT + step * (i as f64 + 0.5);
    let grid = [0.0, 50.0, 100.0]
        .into_iter()
        .map(|g| {
            view! {
                <line class="grid" x1=LEFT x2=W - 4.0 y1=y(g) y2=y(g)></line>
                <text class="axis" x=LEFT - 6.0 y=y(g) + 4.0 text-anchor="end">{format!("{g:.0}%")}</text>
            }
        })
        .collect_view();
    // Every other label when the axis is crowded.
    let every = if points.len() > 8 { 2 } else { 1 };
    let labels = points
        .iter()
        .enumerate()
        .filter(|(i, _)| (points.len() - 1 - i).is_multiple_of(every))
        .map(|(i, p)| {
            let shown = fit(&p.label, step * every as f64);
            // A shortened label keeps the whole one as its tooltip (the table has it too).
            let whole = (shown != p.label).then(|| p.label.clone());
            view! {
                <text class="axis" x=x(i) y=H - 10.0 text-anchor="middle">
                    {whole.map(|w| view! { <title>{w}</title> })}{shown}
                </text>
            }
        })
        .collect_view();
    let marks = if line {
        let path: Vec<String> = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.value.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect();
        let dots = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.value.map(|v| view! { <circle class="dot" cx=x(i) cy=y(v) r="3.5"></circle> }))
            .collect_view();
        view! { <polyline class="series" points=path.join(" ")></polyline>{dots} }.into_any()
    } else {
        let width = (step * 0.6).clamp(2.0, 56.0);
        points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                p.value.map(|v| {
                    view! { <rect class="bar" x=x(i) - width / 2.0 y=y(v) width=width height=(H - BOTTOM - y(v)).max(0.0)></rect> }
                })
            })
            .collect_view()
            .into_any()
    };
    let rows = points
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <td>{p.label.clone()}</td>
                    <td class="num">{p.value.map(|v| format!("{v:.1} %")).unwrap_or_else(|| "—".into())}</td>
                    <td class="num">{p.detail.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=caption.clone() preserveAspectRatio="xMidYMid meet">
                {grid}{labels}{marks}
            </svg>
            <figcaption>
                <details>
                    <summary>{caption.clone()}</summary>
                    <table class="list chart-data">
                        <thead><tr><th scope="col"></th><th scope="col">{value_head}</th><th scope="col">{detail_head}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </details>
            </figcaption>
        </figure>
    }
}

/// Values on their own scale (a metric: CSAT %, complaints per 100 tickets) as a line, gridlines
/// at the lowest, middle and highest value, and a dashed upright at each of `marks` (a point's
/// index and what happened there, e.g. certified).
#[component]
pub fn ValueChart(
    caption: String,
    points: Vec<Bar>,
    unit: String,
    marks: Vec<(usize, String)>,
    value_head: String,
) -> impl IntoView {
    let values: Vec<f64> = points.iter().filter_map(|p| p.value).collect();
    let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let (lo, hi) = if values.is_empty() {
        (0.0, 1.0)
    } else if hi - lo < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let scaled = move |v: f64| y(100.0 * (v - lo) / (hi - lo));
    // Whole numbers on a wide scale, one decimal on a narrow one (complaints per 100 tickets).
    let digits = if hi - lo < 10.0 { 1 } else { 0 };
    let n = points.len().max(1) as f64;
    let step = (W - LEFT - 8.0) / n;
    let x = move |i: usize| LEFT + step * (i as f64 + 0.5);
    let grid = [lo, (lo + hi) / 2.0, hi]
        .into_iter()
        .map(|g| {
            view! {
                <line class="grid" x1=LEFT x2=W - 4.0 y1=scaled(g) y2=scaled(g)></line>
                <text class="axis" x=LEFT - 6.0 y=scaled(g) + 4.0 text-anchor="end">{format!("{g:.digits$}")}</text>
            }
        })
        .collect_view();
    let every = points.len().div_ceil(8).max(1);
    let labels = points
        .iter()
        .enumerate()
        .filter(|(i, _)| (points.len() - 1 - i).is_multiple_of(every))
        .map(|(i, p)| view! { <text class="axis" x=x(i) y=H - 10.0 text-anchor="middle">{fit(&p.label, step * every as f64)}</text> })
        .collect_view();
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.value.map(|v| format!("{:.1},{:.1}", x(i), scaled(v))))
        .collect();
    let dots = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.value.map(|v| view! { <circle class="dot" cx=x(i) cy=scaled(v) r="3"></circle> }))
        .collect_view();
    let uprights = marks
        .iter()
        .map(|(i, what)| {
            // Between the point before and this one: it happened during that period or just before.
            let at = x(*i) - step / 2.0;
            view! {
                <line class="mark" x1=at x2=at y1=TOP y2=H - BOTTOM><title>{what.clone()}</title></line>
                <text class="mark-label" x=at + 3.0 y=TOP + 10.0>{what.clone()}</text>
            }
        })
        .collect_view();
    let rows = points
        .iter()
        .map(|p| {
            let u = unit.clone();
            view! {
                <tr>
                    <td>{p.label.clone()}</td>
                    <td class="num">{p.value.map(|v| format!("{v:.1} {u}")).unwrap_or_else(|| "—".into())}</td>
                    <td>{p.detail.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=caption.clone() preserveAspectRatio="xMidYMid meet">
                {grid}{labels}{uprights}<polyline class="series" points=path.join(" ")></polyline>{dots}
            </svg>
            <figcaption>
                <details>
                    <summary>{caption.clone()}</summary>
                    <table class="list chart-data">
                        <thead><tr><th scope="col"></th><th scope="col">{value_head}</th><th scope="col"></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </details>
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn labels_are_cut_to_their_room() {
        assert_eq!(fit("Post-test", 200.0), "Post-test");
        let cut = fit("Role-play: Defective appliance within warranty", 200.0);
        assert!(cut.ends_with('…') && cut.chars().count() <= 31, "{cut}");
        // Chinese characters are twice as wide: half as many fit.
        let zh = fit("演练：保修期内的故障家电处理流程", 100.0);
        assert!(zh.ends_with('…') && zh.chars().count() <= 8, "{zh}");
    }
}
