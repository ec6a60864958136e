//! DRF-style page-number pagination: `count`, `next`, `previous`, `results`.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use serde::Serialize;
use switchyard_store::Page;
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// Default and maximum page sizes of every list.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;
/// Highest page number accepted (100 million pages of 100).
pub const MAX_PAGE_NUMBER: u64 = 1_000_000;

/// Query parameters shared by every list (documented in OpenAPI).
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number.
    pub page: Option<u64>,
    /// Items per page (default 20, at most 100; larger values are clamped to 100).
    pub page_size: Option<u64>,
}

/// The page asked for, plus what is needed to build `next`/`previous` links.
#[derive(Debug, Clone)]
pub struct PageQuery {
    pub page: Page,
    base: String,
    query_pairs: Vec<(String, String)>,
}

fn parse_u64(pairs: &[(String, String)], name: &str) -> Result<Option<u64>, ApiError> {
    match pairs.iter().rev().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) if v.is_empty() => Ok(None),
        Some((_, v)) => v
            .parse::<u64>()
            .map(Some)
            .map_err(|_| ApiError::NotFoundDetail("Invalid page.".into())),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query_pairs: Vec<(String, String)> =
            axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
                .map(|q| q.0)
                .unwrap_or_default();
        let number = parse_u64(&query_pairs, "page")?.unwrap_or(1);
        // Far past any real last page; also keeps the offset within a signed 64-bit integer.
        if number == 0 || number > MAX_PAGE_NUMBER {
            return Err(ApiError::NotFoundDetail("Invalid page.".into()));
        }
        let size = match query_pairs.iter().rev().find(|(k, _)| k == "page_size") {
            Some((_, v)) => match v.parse::<u64>() {
                Ok(0) | Err(_) => DEFAULT_PAGE_SIZE,
                Ok(n) => n.min(MAX_PAGE_SIZE),
            },
            None => DEFAULT_PAGE_SIZE,
        };
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let scheme = parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .filter(|s| *s == "https")
            .unwrap_or("http");
        let base = format!("{scheme}://{host}{}", parts.uri.path());
        Ok(PageQuery {
            page: Page { number, size },
            base,
            query_pairs,
        })
    }
}

impl PageQuery {
    fn link(&self, page: u64) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .query_pairs
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        pairs.push(("page", page.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{query}", self.base)
    }

    /// Wraps one page of results; a page past the last (other than the first) is a 404 as
    /// in DRF.
    pub fn wrap<T>(&self, results: Vec<T>, count: u64) -> Result<Paginated<T>, ApiError> {
        let number = self.page.number;
        let last = count.div_ceil(self.page.size).max(1);
        if number > last {
            return Err(ApiError::NotFoundDetail("Invalid page.".into()));
        }
        Ok(Paginated {
            count,
            next: (number < last).then(|| self.link(number + 1)),
            previous: (number > 1).then(|| self.link(number - 1)),
            results,
        })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    /// Total number of items over all pages.
    pub count: u64,
    /// URL of the next page, if any.
    pub next: Option<String>,
    /// URL of the previous page, if any.
    pub previous: Option<String>,
    pub results: Vec<T>,
}
