//! KOReader's settings files as data: a reader for the Lua table literals it writes.
//!
//! A sidecar is `return { ["key"] = value, ... }` written by KOReader's `dump()`. Executing it would
//! hand any file on a USB stick the power to run code, so this is a parser for the literal subset
//! only: tables (keyed `["s"] =`, `[n] =`, `name =`, or positional), strings (quoted with escapes,
//! or long brackets), numbers, booleans and nil. Anything else (calls, operators, variables) is an
//! error. Nesting is bounded so a hostile file cannot exhaust the stack.

use std::fmt;

/// Deeper than any settings file KOReader writes (annotations sit at depth 3).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    Number(f64),
    Str(String),
    Table(Table),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Str(String),
    Number(f64),
}

/// A Lua table: its entries in file order. Positional entries get the keys 1, 2, … as in Lua.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub entries: Vec<(Key, Value)>,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().rev().find(|(k, _)| matches!(k, Key::Str(s) if s == key)).map(|(_, v)| v)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn number(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn table(&self, key: &str) -> Option<&Table> {
        match self.get(key)? {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The values under integer keys, in key order (a Lua "array", however it was written).
    pub fn array(&self) -> Vec<&Value> {
        let mut items: Vec<(f64, &Value)> = self
            .entries
            .iter()
            .filter_map(|(k, v)| match k {
                Key::Number(n) if n.fract() == 0.0 => Some((*n, v)),
                _ => None,
            })
            .collect();
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        items.into_iter().map(|(_, v)| v).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LuaError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LuaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Parse a settings file: `return <table>` (comments allowed around it).
pub fn parse(text: &str) -> Result<Table, LuaError> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    p.skip_space()?;
    if !p.eat_word("return") {
        return Err(p.error("expected `return {` at the start of the file"));
    }
    p.skip_space()?;
    let value = p.value(0)?;
    p.skip_space()?;
    if p.i < p.s.len() {
        return Err(p.error("unexpected text after the table"));
    }
    match value {
        Value::Table(t) => Ok(t),
        _ => Err(p.error("the file must return a table")),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> LuaError {
        let line = 1 + self.s[..self.i.min(self.s.len())].iter().filter(|&&b| b == b'\n').count();
        LuaError { line, message: message.to_owned() }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_space(&mut self) -> Result<(), LuaError> {
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_whitespace() => self.i += 1,
                Some(b'-') if self.s.get(self.i + 1) == Some(&b'-') => {
                    self.i += 2;
                    if let Some(level) = self.long_bracket_level() {
                        self.long_string(level)?;
                    } else {
                        while self.peek().is_some_and(|b| b != b'\n') {
                            self.i += 1;
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let end = self.i + word.len();
        let boundary = self.s.get(end).is_none_or(|b| !is_name_byte(*b));
        if self.s.get(self.i..end) == Some(word.as_bytes()) && boundary {
            self.i = end;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, LuaError> {
        if depth > MAX_DEPTH {
            return Err(self.error("tables nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => self.table(depth).map(Value::Table),
            Some(b'"' | b'\'') => self.quoted().map(Value::Str),
            Some(b'[') => match self.long_bracket_level() {
                Some(level) => self.long_string(level).map(Value::Str),
                None => Err(self.error("expected a value")),
            },
            Some(b'-' | b'.' | b'0'..=b'9') => self.number().map(Value::Number),
            _ if self.eat_word("true") => Ok(Value::Bool(true)),
            _ if self.eat_word("false") => Ok(Value::Bool(false)),
            _ if self.eat_word("nil") => Ok(Value::Nil),
            _ => Err(self.error("expected a value (only data is allowed in a settings file)")),
        }
    }

    fn table(&mut self, depth: usize) -> Result<Table, LuaError> {
        self.i += 1; // `{`
        let mut table = Table::default();
        let mut next_index = 1.0;
        loop {
            self.skip_space()?;
            if self.eat(b'}') {
                return Ok(table);
            }
            let key = if self.peek() == Some(b'[') && self.long_bracket_level().is_none() {
                self.i += 1;
                self.skip_space()?;
                let key = match self.value(depth + 1)? {
                    Value::Str(s) => Key::Str(s),
                    Value::Number(n) => Key::Number(n),
                    _ => return Err(self.error("a table key must be a string or a number")),
                };
                self.skip_space()?;
                if !self.eat(b']') {
                    return Err(self.error("expected `]` after a key"));
                }
                self.expect_equals()?;
                Some(key)
            } else if self.peek().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_') && !self.at_keyword_value() {
                let start = self.i;
                while self.peek().is_some_and(is_name_byte) {
                    self.i += 1;
                }
                let name = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.expect_equals()?;
                Some(Key::Str(name))
            } else {
                None
            };
            self.skip_space()?;
            let value = self.value(depth + 1)?;
            let key = key.unwrap_or_else(|| {
                let k = Key::Number(next_index);
                next_index += 1.0;
                k
            });
            table.entries.push((key, value));
            self.skip_space()?;
            if !(self.eat(b',') || self.eat(b';')) {
                self.skip_space()?;
                if self.eat(b'}') {
                    return Ok(table);
                }
                return Err(self.error("expected `,` or `}` in a table"));
            }
        }
    }

    fn at_keyword_value(&self) -> bool {
        ["true", "false", "nil"].iter().any(|w| {
            let end = self.i + w.len();
            self.s.get(self.i..end) == Some(w.as_bytes()) && self.s.get(end).is_none_or(|b| !is_name_byte(*b))
        })
    }

    fn expect_equals(&mut self) -> Result<(), LuaError> {
        self.skip_space()?;
        if self.eat(b'=') { Ok(()) } else { Err(self.error("expected `=` after a key")) }
    }

    fn number(&mut self) -> Result<f64, LuaError> {
        let start = self.i;
        self.eat(b'-');
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-')) {
            // A sign only belongs to the number right after an exponent marker.
            if matches!(self.peek(), Some(b'+' | b'-')) && !matches!(self.s[self.i - 1], b'e' | b'E') {
                break;
            }
            self.i += 1;
        }
        let raw = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default();
        let parsed = match raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X")) {
            Some(hex) => i64::from_str_radix(hex, 16).ok().map(|n| n as f64),
            None => raw.parse::<f64>().ok(),
        };
        // KOReader writes non-finite numbers as `0/0`, `1/0`, `-1/0`: data, but not a position.
        if self.peek() == Some(b'/') {
            self.i += 1;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.i += 1;
            }
            return Ok(f64::NAN);
        }
        parsed.ok_or_else(|| self.error(&format!("{raw:?} is not a number")))
    }

    fn quoted(&mut self) -> Result<String, LuaError> {
        let quote = self.s[self.i];
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else { return Err(self.error("a string is not closed")) };
            self.i += 1;
            match b {
                b if b == quote => break,
                b'\n' => {
                    self.i -= 1;
                    return Err(self.error("a string is not closed on its line"));
                }
                b'\\' => {
                    let Some(e) = self.peek() else { return Err(self.error("a string is not closed")) };
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'a' => out.push(7),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'v' => out.push(11),
                        // `\` then a real line break: KOReader's `%q` writes newlines this way.
                        b'\n' => out.push(b'\n'),
                        b'\r' => {
                            self.eat(b'\n');
                            out.push(b'\n');
                        }
                        b'0'..=b'9' => {
                            let mut n: u32 = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'9') => {
                                        n = n * 10 + u32::from(d - b'0');
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            let byte = u8::try_from(n).map_err(|_| self.error("a decimal escape above 255"))?;
                            out.push(byte);
                        }
                        b'x' => {
                            let hex = self.s.get(self.i..self.i + 2).ok_or_else(|| self.error("a short \\x escape"))?;
                            let byte = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|h| u8::from_str_radix(h, 16).ok())
                                .ok_or_else(|| self.error("a bad \\x escape"))?;
                            self.i += 2;
                            out.push(byte);
                        }
                        b'z' => {
                            while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
                                self.i += 1;
                            }
                        }
                        other => out.push(other),
                    }
                }
                b => out.push(b),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// At `[[` or `[==[`: the number of `=`.
    fn long_bracket_level(&self) -> Option<usize> {
        if self.peek() != Some(b'[') {
            return None;
        }
        let mut j = self.i + 1;
        while self.s.get(j) == Some(&b'=') {
            j += 1;
        }
        (self.s.get(j) == Some(&b'[')).then_some(j - self.i - 1)
    }

    fn long_string(&mut self, level: usize) -> Result<String, LuaError> {
        self.i += level + 2;
        // A line break right after the opening bracket is not part of the string.
        self.eat(b'\r');
        self.eat(b'\n');
        let close = format!("]{}]", "=".repeat(level));
        let rest = &self.s[self.i..];
        let end = rest
            .windows(close.len())
            .position(|w| w == close.as_bytes())
            .ok_or_else(|| self.error("a long string is not closed"))?;
        let text = String::from_utf8_lossy(&rest[..end]).into_owned();
        self.i += end + close.len();
        Ok(text)
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIDECAR: &str = r#"-- we can read Lua syntax here!
return {
    ["annotations"] = {
        [1] = {
            ["datetime"] = "2026-03-02 21:14:05",
            ["note"] = "Line one\
line two",
            ["pageno"] = 12,
            ["text"] = "A \"quoted\" passage\226\128\148with a dash",
        },
    },
    ["percent_finished"] = 0.4375,
    ["summary"] = {
        ["modified"] = "2026-03-05",
        ["status"] = "reading",
    },
    ["doc_props"] = { title = 'Single', ["authors"] = [[Ann Author
Bob Author]], },
    ["highlight_disabled"] = false,
    ["stats"] = { 1, 2.5e1, -3, 0x10 },
    ["nothing"] = nil,
}
"#;

    #[test]
    fn reads_a_sidecar_as_data() {
        let t = parse(SIDECAR).expect("a KOReader sidecar must parse");
        assert_eq!(t.number("percent_finished"), Some(0.4375), "numbers must keep their fraction");
        assert_eq!(t.table("summary").and_then(|s| s.str("status")), Some("reading"));
        let a = t.table("annotations").expect("annotations table").array();
        let Value::Table(first) = a[0] else { panic!("an annotation must be a table") };
        assert_eq!(first.str("note"), Some("Line one\nline two"), "a backslash-newline is a newline in the text");
        assert_eq!(first.str("text"), Some("A \"quoted\" passage—with a dash"), "decimal escapes are UTF-8 bytes");
        let props = t.table("doc_props").expect("doc_props");
        assert_eq!(props.str("title"), Some("Single"), "bare names and single quotes are keys and strings");
        assert_eq!(props.str("authors"), Some("Ann Author\nBob Author"), "long brackets are strings");
        assert_eq!(t.get("highlight_disabled"), Some(&Value::Bool(false)));
        let stats: Vec<_> = t.table("stats").unwrap().array().into_iter().cloned().collect();
        assert_eq!(
            stats,
            vec![Value::Number(1.0), Value::Number(25.0), Value::Number(-3.0), Value::Number(16.0)],
            "positional entries are keyed 1, 2, … in order"
        );
    }

    #[test]
    fn code_is_refused_not_run() {
        for hostile in [
            "return { x = os.execute('rm -rf /') }",
            "return { x = 1 + 2 }",
            "os.exit()",
            "return { x = y }",
            "return function() end",
        ] {
            assert!(parse(hostile).is_err(), "{hostile:?} is code, and a settings file must be data only");
        }
    }

    #[test]
    fn broken_files_give_a_line_number() {
        let err = parse("return {\n  [\"a\"] = 1,\n  [\"b\"] = \"open\n}").unwrap_err();
        assert_eq!(err.line, 3, "the error must point at the broken line");
        assert!(parse("return { [1] = 2 ").is_err(), "a truncated file must be an error");
        let deep = format!("return {}{}", "{".repeat(500), "}".repeat(500));
        assert!(parse(&deep).is_err(), "deep nesting must be refused, not overflow the stack");
    }
}
