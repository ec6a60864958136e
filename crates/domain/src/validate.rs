//! Validation of configuration values a client sends: slugs, names and configured lists.

use thiserror::Error;

/// Longest accepted name (organization, team, workflow, username, role, state …).
pub const MAX_NAME_LEN: usize = 255;
/// Longest accepted configured list (roles, states, priorities, types, tags, skills).
pub const MAX_LIST_LEN: usize = 100;

/// A rejected value; the message is shown to the client as is.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Invalid(pub String);

/// Checks an organization slug: lowercase letters, digits and hyphens.
pub fn slug(value: &str) -> Result<(), Invalid> {
    let ok = !value.is_empty()
        && value.len() <= 50
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Invalid(format!(
            "Invalid slug '{value}': use 1 to 50 lowercase letters, digits or hyphens."
        )))
    }
}

/// Checks a required, trimmed, bounded name.
pub fn name(field: &str, value: &str) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        return Err(Invalid(format!("{field} may not be blank.")));
    }
    if value.chars().count() > MAX_NAME_LEN {
        return Err(Invalid(format!(
            "{field} is too long (at most {MAX_NAME_LEN} characters)."
        )));
    }
    Ok(())
}

/// Checks a configured list: non-empty, bounded, items non-blank and unique.
pub fn config_list(field: &str, items: &[String]) -> Result<(), Invalid> {
    if items.is_empty() {
        return Err(Invalid(format!("{field} may not be empty.")));
    }
    bounded_list(field, items)?;
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            return Err(Invalid(format!(
                "{field} contains '{item}' more than once."
            )));
        }
    }
    Ok(())
}

/// Checks a free list such as tags or skills: bounded, items non-blank and bounded.
pub fn bounded_list(field: &str, items: &[String]) -> Result<(), Invalid> {
    if items.len() > MAX_LIST_LEN {
        return Err(Invalid(format!(
            "{field} has too many items (at most {MAX_LIST_LEN})."
        )));
    }
    for item in items {
        name(&format!("Each item of {field}"), item)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn slugs() {
        assert!(slug("nova-sphere-2").is_ok());
        assert!(slug("Nova").is_err());
        assert!(slug("").is_err());
        assert!(slug("a b").is_err());
    }

    #[test]
    fn lists() {
        assert!(config_list("roles", &v(&["a", "b"])).is_ok());
        assert_eq!(
            config_list("roles", &v(&["a", "a"])),
            Err(Invalid("roles contains 'a' more than once.".into()))
        );
        assert!(config_list("roles", &[]).is_err());
        assert!(config_list("roles", &v(&[" "])).is_err());
        let long: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert!(bounded_list("tags", &long).is_err());
    }
}
