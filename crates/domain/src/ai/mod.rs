//! The local, explainable "AI": priority scoring, effort estimation, assignee ranking and
//! natural-language task queries. Plain functions over each organization's own vocabulary;
//! no model, no network.

pub mod classify;
pub mod estimate;
pub mod nlq;
pub mod priority;
pub mod routing;
pub mod text;

#[cfg(test)]
mod nlq_tests;
