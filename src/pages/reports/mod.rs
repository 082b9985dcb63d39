pub mod criteria;
pub mod pass_rates;
