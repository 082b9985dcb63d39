pub mod pass_rates;
