//! Request extractors whose rejections speak the API's JSON error format.

pub mod filters;
mod json;
pub mod pagination;
mod path;
mod query;
mod versioning;

pub use json::ApiJson;
pub use pagination::{PageQuery, Paginated};
pub use path::{IdPairPath, IdPath};
pub use query::ApiQuery;
pub use versioning::{IfMatch, Tagged, Versioned};
