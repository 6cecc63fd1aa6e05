//! "Did you mean …?": the closest valid name to one a user mistyped (an unknown setting,
//! keyword, kind, join policy, role, status, command or console topic), so that both faces
//! name it in the same words.
//!
//! ```
//! use ssgm::suggest::{closest, did_you_mean};
//! let names = ["delegated_group_management", "self_service_scope"];
//! assert_eq!(closest("delegated_group_managment", names), Some("delegated_group_management"));
//! assert_eq!(did_you_mean("self_servce_scope", names), " (did you mean \"self_service_scope\"?)");
//! assert_eq!(did_you_mean("colour", names), "");
//! ```

/// The candidate nearest to `word` (case-insensitive edit distance), if near enough to be a
/// slip: at most a third of the word's length (at least 1, at most 4) edits away, or a
/// candidate that the word (four characters or more) begins. Ties go to the first candidate.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed: Vec<char> = word.trim().to_lowercase().chars().collect();
    if typed.is_empty() || typed.len() > 200 {
        return None;
    }
    let limit = (typed.len() / 3).clamp(1, 4);
    let mut best: Option<(usize, &'a str)> = None;
    let mut prefixed: Option<&'a str> = None;
    for c in candidates {
        let cand: Vec<char> = c.to_lowercase().chars().collect();
        if cand == typed {
            return Some(c);
        }
        if prefixed.is_none() && typed.len() >= 4 && cand.starts_with(&typed) {
            prefixed = Some(c);
        }
        let d = distance(&typed, &cand);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c).or(prefixed)
}

/// `" (did you mean \"x\"?)"` for the closest candidate, or nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(word, candidates) {
        Some(c) => format!(" (did you mean {c:?}?)"),
        None => String::new(),
    }
}

/// Levenshtein distance, with a transposition of neighbours counting as one edit.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut prev2: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            row[j] = d;
        }
        prev2 = std::mem::replace(&mut prev, row);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r10_13_slips_find_their_name_and_strangers_find_none() {
        let kinds = ["security", "microsoft365", "mail_enabled_security", "distribution"];
        assert_eq!(closest("securty", kinds), Some("security"));
        assert_eq!(closest("Microsoft365", kinds), Some("microsoft365"));
        assert_eq!(closest("m365", kinds), None);
        assert_eq!(closest("distrbution", kinds), Some("distribution"));
        assert_eq!(closest("mail_enabled", kinds), Some("mail_enabled_security"));
        assert_eq!(closest("", kinds), None);
        assert_eq!(closest("xyz", kinds), None);
        assert_eq!(closest("pendnig", ["pending", "approved"]), Some("pending"));
    }
}
