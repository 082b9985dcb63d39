//! On-the-job metrics (issue 15): what the floor measures per person, and how people did before
//! and after they were certified.

use serde::{Deserialize, Serialize};

use super::Names;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetricPeriod {
    /// One value per day: `YYYY-MM-DD`.
    Day,
    /// One value per month: `YYYY-MM`.
    Month,
}

impl MetricPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricPeriod::Day => "day",
            MetricPeriod::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<MetricPeriod> {
        [MetricPeriod::Day, MetricPeriod::Month].into_iter().find(|p| p.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            MetricPeriod::Day => "metric.period.day",
            MetricPeriod::Month => "metric.period.month",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub id: i64,
    /// What uploads and the API call it: `csat`.
    pub code: String,
    pub name: Names,
    pub unit: String,
    pub higher_is_better: bool,
    pub period: MetricPeriod,
}

/// One metric of one person over time, with the days they were certified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonSeries {
    pub metric: Metric,
    pub points: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonMetrics {
    pub series: Vec<PersonSeries>,
    /// (day `YYYY-MM-DD`, program) of each certificate issued.
    pub certified: Vec<(String, Names)>,
}

/// One metric before and after certification, over the people with values on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfter {
    pub metric: Metric,
    /// People with values on both sides.
    pub people: i64,
    /// Certified people with values on one side only, left out.
    pub one_sided: i64,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

impl BeforeAfter {
    /// After minus before.
    pub fn change(&self) -> Option<f64> {
        Some(self.after? - self.before?)
    }

    /// Whether the change goes the good way for this metric.
    pub fn improved(&self) -> Option<bool> {
        let c = self.change()?;
        (c.abs() > 1e-9).then_some((c > 0.0) == self.metric.higher_is_better)
    }
}

/// The manager's entry sheet: one metric, one period, the people of their teams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntrySheet {
    pub metrics: Vec<Metric>,
    pub metric_id: Option<i64>,
    pub period: String,
    pub people: Vec<EntryRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRow {
    pub user_id: i64,
    pub display_name: String,
    pub employee_no: String,
    pub team: Names,
    pub value: Option<f64>,
}
