//! Raw config → validated [`Config`]: every rule of the schema (see [`crate::config`]), every
//! error collected with its field path and line. One file per section; this one holds the error
//! collector [`Ctx`] and its field helpers.

mod execution;
mod instruments;
mod live;
mod live_ctp;
mod pair;
mod replay;
mod risk;
mod runtime;
mod venues;

pub(crate) use runtime::STAGE_DEFAULT;

use std::fmt::Display;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::lines::LineIndex;
use super::raw::{RawConfig, S};
use super::{Config, FieldError, Source};

/// Names of things defined in the file (venue names, instrument symbols), in file order, kept
/// even when the thing itself failed validation so that references to it do not report twice.
#[derive(Debug, Default)]
pub(crate) struct Names(pub Vec<String>);

impl Names {
    /// Position of `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|n| n == name)
    }
}

/// Error collector plus the line index of the text being validated.
pub(crate) struct Ctx<'a> {
    lines: &'a LineIndex,
    /// Directory of the config file, for files the config names (holidays).
    pub dir: &'a Path,
    /// Every error found so far.
    pub errors: Vec<FieldError>,
}

/// Where a field lives: the path of its table and the table's span (for "missing" errors).
#[derive(Clone, Debug)]
pub(crate) struct At {
    /// Path of the table, e.g. `instruments[1]`, empty at top level.
    pub path: String,
    /// Span of the table (its header or inline table).
    pub span: Option<Range<usize>>,
}

impl At {
    /// A table at `path` spanning `span`.
    pub fn new(path: impl Into<String>, span: Option<Range<usize>>) -> At {
        At {
            path: path.into(),
            span,
        }
    }

    /// Path of field `name` of this table.
    pub fn field(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    /// The sub-table `name`, spanning `span`.
    pub fn sub<T>(&self, name: &str, t: &Spanned<T>) -> At {
        At::new(self.field(name), Some(t.span()))
    }
}

/// A bound a number must satisfy.
#[derive(Clone, Copy, Debug)]
pub(crate) enum B<T> {
    Gt(T),
    Ge(T),
    Lt(T),
    Le(T),
}

impl<T: PartialOrd + Display + Copy> B<T> {
    fn holds(self, x: T) -> bool {
        match self {
            B::Gt(b) => x > b,
            B::Ge(b) => x >= b,
            B::Lt(b) => x < b,
            B::Le(b) => x <= b,
        }
    }

    fn describe(self) -> String {
        match self {
            B::Gt(b) => format!("> {b}"),
            B::Ge(b) => format!("≥ {b}"),
            B::Lt(b) => format!("< {b}"),
            B::Le(b) => format!("≤ {b}"),
        }
    }
}

/// Largest value a `u32` field takes.
pub(crate) const U32_MAX: i64 = u32::MAX as i64;

impl<'a> Ctx<'a> {
    /// 1-based line of a span.
    pub fn line(&self, span: &Range<usize>) -> usize {
        self.lines.line(span.start)
    }

    /// Records an error at `span`.
    pub fn err(
        &mut self,
        path: impl Into<String>,
        span: Option<&Range<usize>>,
        msg: impl Into<String>,
    ) {
        let line = span.map(|s| self.line(s));
        self.errors.push(FieldError {
            path: path.into(),
            line,
            message: msg.into(),
        });
    }

    /// A required field: its value, or a "missing" error at the table's line.
    pub fn req<'v, T>(&mut self, at: &At, name: &str, f: &'v S<T>) -> Option<&'v Spanned<T>> {
        if f.is_none() {
            let table = if at.path.is_empty() {
                "the top level".to_owned()
            } else {
                format!("[{}]", at.path)
            };
            self.err(
                at.field(name),
                at.span.as_ref(),
                format!("is required in {table} (no default)"),
            );
        }
        f.as_ref()
    }

    /// An error if a field that does not apply was given.
    pub fn forbid<T>(&mut self, at: &At, name: &str, f: &S<T>, why: &str) {
        if let Some(v) = f {
            self.err(
                at.field(name),
                Some(&v.span()),
                format!("not allowed {why}"),
            );
        }
    }

    /// A required string.
    pub fn string(&mut self, at: &At, name: &str, f: &S<String>) -> Option<String> {
        let v = self.req(at, name, f)?;
        if v.get_ref().trim().is_empty() {
            self.err(at.field(name), Some(&v.span()), "must not be empty");
            return None;
        }
        Some(v.get_ref().clone())
    }

    /// A required integer within `bounds`.
    pub fn int(&mut self, at: &At, name: &str, f: &S<i64>, bounds: &[B<i64>]) -> Option<i64> {
        let v = self.req(at, name, f)?;
        self.check(at, name, v, bounds)
    }

    /// A required finite number within `bounds`.
    pub fn num(&mut self, at: &At, name: &str, f: &S<f64>, bounds: &[B<f64>]) -> Option<f64> {
        let v = self.req(at, name, f)?;
        if !v.get_ref().is_finite() {
            let msg = format!("must be a finite number, got {}", v.get_ref());
            self.err(at.field(name), Some(&v.span()), msg);
            return None;
        }
        self.check(at, name, v, bounds)
    }

    fn check<T>(&mut self, at: &At, name: &str, v: &Spanned<T>, bounds: &[B<T>]) -> Option<T>
    where
        T: PartialOrd + Display + Copy,
    {
        let x = *v.get_ref();
        if bounds.iter().all(|b| b.holds(x)) {
            return Some(x);
        }
        let want: Vec<String> = bounds.iter().map(|b| b.describe()).collect();
        let msg = format!("must be {}, got {x}", want.join(" and "));
        self.err(at.field(name), Some(&v.span()), msg);
        None
    }

    /// A required string that must be one of `choices`.
    pub fn choice<T: Copy>(
        &mut self,
        at: &At,
        name: &str,
        f: &S<String>,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let v = self.req(at, name, f)?;
        if let Some((_, t)) = choices.iter().find(|(n, _)| *n == v.get_ref()) {
            return Some(*t);
        }
        let names: Vec<String> = choices.iter().map(|(n, _)| format!("{n:?}")).collect();
        let msg = format!("must be one of {}, got {:?}", names.join(", "), v.get_ref());
        self.err(at.field(name), Some(&v.span()), msg);
        None
    }

    /// A required string parsed by `parse` (whose error becomes the message).
    pub fn parsed<T>(
        &mut self,
        at: &At,
        name: &str,
        f: &S<String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.req(at, name, f)?;
        match parse(v.get_ref()) {
            Ok(t) => Some(t),
            Err(msg) => {
                self.err(at.field(name), Some(&v.span()), msg);
                None
            }
        }
    }
}

/// Validates `raw`; `path` becomes `Source.path`, `dir` anchors files named by the config.
/// Paths in the result are still as written (resolution happens after hashing).
pub(crate) fn validate(
    raw: &RawConfig,
    lines: &LineIndex,
    path: &Path,
    dir: &Path,
) -> Result<Config, Vec<FieldError>> {
    let mut cx = Ctx {
        lines,
        dir,
        errors: Vec::new(),
    };
    let top = At::new("", None);
    let (venues, venue_names) = venues::venues(&mut cx, &top, &raw.venues);
    let (instruments, symbols) =
        instruments::instruments(&mut cx, &top, &raw.instruments, &venue_names);
    let pair = pair::pair(&mut cx, &top, &raw.pair, &symbols, &instruments);
    let execution = execution::execution(&mut cx, &top, &raw.execution);
    let legs = pair.as_ref().map(|p| (p.domestic, p.overseas));
    let risk = risk::risk(&mut cx, &top, &raw.risk, &instruments, legs);
    let receipts = runtime::receipts(&mut cx, &top, &raw.receipts);
    let threads = runtime::threads(&mut cx, &raw.threads);
    let replay = replay::replay(&mut cx, &raw.replay, &venue_names);
    let live = live::live(
        &mut cx,
        &raw.live,
        &venue_names,
        &venues,
        &symbols,
        &instruments,
    );
    let mut errors = cx.errors;
    // File order; errors without a line (a whole missing section) last. Stable sort keeps the
    // order in which rules ran for errors on the same line.
    errors.sort_by_key(|e| e.line.unwrap_or(usize::MAX));
    let built = (|| {
        Some(Config {
            source: Source {
                path: path.to_path_buf(),
                hash: 0,
            },
            venues: venues.into_iter().collect::<Option<Vec<_>>>()?,
            instruments: instruments.into_iter().collect::<Option<Vec<_>>>()?,
            pair: pair?,
            execution: execution?,
            risk: risk?,
            receipts: receipts?,
            threads: threads?,
            replay: replay?,
            live: live?,
        })
    })();
    match built {
        Some(cfg) if errors.is_empty() => Ok(cfg),
        _ => {
            assert!(
                !errors.is_empty(),
                "Invariant: a section failed without reporting an error"
            );
            Err(errors)
        }
    }
}
