//! Byte offset → 1-based line lookup, and turning a TOML parse error (syntax, unknown key, wrong
//! type) into a [`FieldError`] that names the key and its line.

use std::collections::BTreeMap;
use std::ops::Range;

use super::FieldError;

/// Start offsets of every line of a text.
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// A `toml` deserialization error as a field error: the path is the table being read (from the
/// `[header]`s above the error) plus the offending key, the line is the error's.
pub fn toml_error(text: &str, lines: &LineIndex, e: &toml::de::Error) -> FieldError {
    let message = e.message().trim().to_owned();
    let Some(span) = e.span() else {
        return FieldError {
            path: "<toml>".into(),
            line: None,
            message,
        };
    };
    let line = lines.line(span.start);
    let key = unknown_key(&message).or_else(|| key_before(text, &span));
    let table = table_path_at(text, line);
    let path = match (table.is_empty(), key) {
        (true, Some(k)) => k,
        (false, Some(k)) => format!("{table}.{k}"),
        (true, None) => "<toml>".into(),
        (false, None) => table,
    };
    FieldError {
        path,
        line: Some(line),
        message,
    }
}

/// The key of serde's "unknown field `k`, expected …".
fn unknown_key(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// The bare key written just before the value at `span` (`key = value`), on the same line.
fn key_before(text: &str, span: &Range<usize>) -> Option<String> {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..start].trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let key_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map_or(0, |i| i + 1);
    let key = &before[key_start..];
    (!key.is_empty()).then(|| key.to_owned())
}

/// Path of the table that line `line` belongs to, e.g. `instruments[1]` or `execution.domestic`
/// (empty at top level), by replaying the `[header]` / `[[header]]` lines above it.
fn table_path_at(text: &str, line: usize) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut current = String::new();
    for l in text.lines().take(line.saturating_sub(1)) {
        let l = l.split('#').next().unwrap_or("").trim();
        if let Some(name) = l.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            let name = name.trim().to_owned();
            let n = counts.entry(name.clone()).or_insert(0);
            current = format!("{name}[{n}]");
            *n += 1;
        } else if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            current = name.trim().to_owned();
        }
    }
    // The header line itself (e.g. a duplicate table) belongs to what it opens.
    if let Some(l) = text.lines().nth(line.saturating_sub(1)) {
        let l = l.split('#').next().unwrap_or("").trim();
        if l.starts_with('[') && !l.starts_with("[[") && l.ends_with(']') {
            current = l[1..l.len() - 1].trim().to_owned();
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_lookup_is_one_based_and_counts_newlines() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(1), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(6), 4);
    }

    #[test]
    fn table_path_counts_array_tables() {
        let text = "[[instruments]]\na=1\n[[instruments]]\nb=2\n[pair]\nc=3\n[[replay.sim]]\nd=4\n";
        assert_eq!(table_path_at(text, 2), "instruments[0]");
        assert_eq!(table_path_at(text, 4), "instruments[1]");
        assert_eq!(table_path_at(text, 6), "pair");
        assert_eq!(table_path_at(text, 8), "replay.sim[0]");
    }

    #[test]
    fn key_before_finds_the_key_of_an_inline_value() {
        let text = "x = { open = 5 }";
        let at = text.find('5').unwrap();
        assert_eq!(key_before(text, &(at..at + 1)).as_deref(), Some("open"));
    }
}
