//! Parsing list filters from query strings with clear 400s.

use uuid::Uuid;

use crate::error::ApiError;

/// Parses an optional UUID filter.
pub fn uuid_param(name: &str, value: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Uuid::parse_str(v)
            .map(Some)
            .map_err(|_| ApiError::field(name, format!("'{v}' is not a valid UUID."))),
    }
}

/// Parses an optional boolean filter (`true/false/1/0/yes/no`).
pub fn bool_param(name: &str, value: Option<&str>) -> Result<Option<bool>, ApiError> {
    match value
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(v) => match v.as_str() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            _ => Err(ApiError::field(
                name,
                format!("'{v}' is not a boolean; use true or false."),
            )),
        },
    }
}

/// Parses an optional nullable UUID filter: `null`/`none` select rows without one.
pub fn nullable_uuid_param(
    name: &str,
    value: Option<&str>,
) -> Result<Option<Option<Uuid>>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("null") || v.eq_ignore_ascii_case("none") => {
            Ok(Some(None))
        }
        Some(v) => uuid_param(name, Some(v)).map(|u| u.map(Some)),
    }
}

/// Rejects over-long free-text filters and NUL characters (which PostgreSQL cannot compare).
pub fn text_param(name: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    if value.as_deref().is_some_and(|v| v.contains('\0')) {
        return Err(ApiError::field(
            name,
            "Filter values may not contain NUL characters.",
        ));
    }
    match value {
        Some(v) if v.chars().count() > 255 => Err(ApiError::field(
            name,
            "Filter values are at most 255 characters.",
        )),
        Some(v) if v.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// An RFC 3339 time (`2026-11-23T00:00:00Z`); empty is no filter.
pub fn time_param(
    name: &str,
    value: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => chrono::DateTime::parse_from_rfc3339(v)
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(|_| {
                ApiError::field(
                    name,
                    format!("'{v}' is not a date-time; use RFC 3339, e.g. 2026-11-23T00:00:00Z."),
                )
            }),
    }
}
