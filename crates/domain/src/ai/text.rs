//! Word-level text handling: normalisation, whole-word and phrase matching, overlap.

use std::collections::HashSet;

/// Lower-cases and turns everything but letters and digits into single spaces, so
/// `in_progress`, `In-Progress` and `in progress` all read `in progress`.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

/// The words of a text, normalised.
pub fn words(s: &str) -> Vec<String> {
    normalize(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `phrase` occurs in `text` as whole words (both normalised first), so
/// "unbroken" does not contain "broken" but "is broken now" does.
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    let t = format!(" {} ", normalize(text));
    let p = normalize(phrase);
    !p.is_empty() && t.contains(&format!(" {p} "))
}

/// The set of words (longer than two letters) of a text, for overlap comparisons.
pub fn word_set(s: &str) -> HashSet<String> {
    words(s).into_iter().filter(|w| w.len() > 2).collect()
}

/// Jaccard overlap of two word sets.
pub fn set_overlap(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count() as f64;
    inter / (a.len() as f64 + b.len() as f64 - inter)
}

/// Jaccard overlap of two texts' word sets, ignoring very short words.
pub fn overlap(a: &str, b: &str) -> f64 {
    set_overlap(&word_set(a), &word_set(b))
}

/// A text normalised once, for checking many phrases against it.
pub struct Normalized(String);

impl Normalized {
    pub fn new(text: &str) -> Self {
        Normalized(format!(" {} ", normalize(text)))
    }

    /// Whether `phrase` (already normalised) occurs as whole words.
    pub fn contains(&self, normalized_phrase: &str) -> bool {
        !normalized_phrase.is_empty() && self.0.contains(&format!(" {normalized_phrase} "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_and_phrases() {
        assert_eq!(normalize("  In_Progress -- NOW! "), "in progress now");
        assert!(contains_phrase("The site is BROKEN again", "broken"));
        assert!(!contains_phrase("an unbroken record", "broken"));
        assert!(contains_phrase("total data-loss in prod", "data loss"));
        assert!(!contains_phrase("anything", ""));
    }

    #[test]
    fn overlap_is_jaccard() {
        assert_eq!(overlap("fix login page", "login page fix"), 1.0);
        assert_eq!(overlap("alpha beta", "gamma delta"), 0.0);
        assert!((overlap("fix the login page", "login timeout") - 1.0 / 5.0).abs() < 1e-9);
    }
}
