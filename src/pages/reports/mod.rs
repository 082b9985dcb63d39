pub mod criteria;
pub mod gains;
pub mod pass_rates;
pub mod transfer;
