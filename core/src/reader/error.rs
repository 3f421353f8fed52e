//! The reader's error: serde's message and the path to the value it is about.

use std::fmt;

use serde::de::Unexpected;

use crate::error::Quoted;

/// One step of a path: an object's key or a list's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(u32),
}

/// Why a value could not be read, and where: `[1].current_page`, `.` for the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Innermost step first: each level adds its own as the error passes out through it.
    steps: Vec<Segment>,
    message: String,
}

impl ReadError {
    pub(crate) fn new(message: String) -> Self {
        ReadError {
            steps: Vec::new(),
            message,
        }
    }

    pub(crate) fn at(mut self, step: Segment) -> Self {
        self.steps.push(step);
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The path as serde_path_to_error wrote it, which errors already carried.
    pub fn path(&self) -> String {
        if self.steps.is_empty() {
            return ".".into();
        }
        let mut out = String::new();
        for step in self.steps.iter().rev() {
            match step {
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
            }
        }
        out
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path(), self.message)
    }
}

impl std::error::Error for ReadError {}

/// `invalid type: string "x", expected u32`, in serde's words.
pub(crate) fn refusal(kind: &str, what: Unexpected<'_>, expected: &str) -> ReadError {
    ReadError::new(format!("{kind}: {}, expected {expected}", unexpected(what)))
}

/// What a refused value was, in words. serde's own `Display` of `Unexpected` would format
/// a float, which links all of float formatting (~15 KB) into the .wasm for one message.
fn unexpected(u: Unexpected<'_>) -> String {
    match u {
        Unexpected::Bool(b) => format!("boolean `{b}`"),
        Unexpected::Unsigned(n) => format!("integer `{n}`"),
        Unexpected::Signed(n) => format!("integer `{n}`"),
        Unexpected::Float(_) => "a number that is not a whole one".into(),
        Unexpected::Char(c) => format!("character {}", Quoted(c.encode_utf8(&mut [0; 4]))),
        Unexpected::Str(s) => format!("string {}", Quoted(s)),
        Unexpected::Unit => "null".into(),
        Unexpected::Seq => "an array".into(),
        Unexpected::Map => "an object".into(),
        Unexpected::Other(what) => what.into(),
        _ => "another kind of value".into(),
    }
}
