//! Helpers of the per-rule config tests: edit one line of `config/example.toml`, parse, and
//! check which field is reported on which line.

use std::path::Path;

use crossarb::config::{parse, ConfigError, FieldError};

pub const EXAMPLE: &str = include_str!("../../config/example.toml");

pub fn parse_text(text: &str) -> Result<crossarb::config::Config, Vec<FieldError>> {
    match parse(text, Path::new("config/example.toml")) {
        Ok(c) => Ok(c),
        Err(ConfigError::Invalid { errors, .. }) => Err(errors),
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

/// `EXAMPLE` with the first `from` replaced by `to` (which must occur).
pub fn edit(from: &str, to: &str) -> String {
    assert!(EXAMPLE.contains(from), "example.toml has no {from:?}");
    EXAMPLE.replacen(from, to, 1)
}

/// 1-based line of the first occurrence of `needle` in `text`.
pub fn line_of(text: &str, needle: &str) -> usize {
    line_at(text, text.find(needle).expect("needle present"))
}

/// 1-based line of byte `offset`.
pub fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Replaces `from` by `to` and asserts that the only error is at `path`, on the edited line that
/// holds the field's name, with a message containing `says`.
pub fn rejects(from: &str, to: &str, path: &str, says: &str) {
    let text = edit(from, to);
    let errors = parse_text(&text).expect_err("edited config must be rejected");
    let listed: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors.len(),
        1,
        "expected one error at {path}, got {listed:#?}"
    );
    let e = &errors[0];
    assert_eq!(e.path, path, "{listed:?}");
    let field = path.rsplit('.').next().expect("non-empty path");
    let field = field.split('[').next().expect("field name");
    let start = EXAMPLE.find(from).expect("edited");
    let in_edit = text[start..start + to.len()].find(field).unwrap_or(0);
    assert_eq!(e.line, Some(line_at(&text, start + in_edit)), "{listed:?}");
    assert!(
        e.message.contains(says),
        "{:?} should say {says:?}",
        e.message
    );
}

/// Asserts that some error is at `path` on the line of the first `needle` and says `says`.
pub fn has(errors: &[FieldError], text: &str, path: &str, needle: &str, says: &str) {
    let line = Some(line_of(text, needle));
    assert!(
        errors
            .iter()
            .any(|e| e.path == path && e.line == line && e.message.contains(says)),
        "no {path} error on line {line:?} saying {says:?}: {errors:#?}"
    );
}
