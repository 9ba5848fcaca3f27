//! A small JSON reader and writer that behaves like Go's `encoding/json`.
//!
//! Reading keeps object members in document order (Go decodes them in that
//! order, so duplicate keys resolve the same way), keeps number literals as
//! written, reports syntax errors with Go's wording, and repairs invalid
//! UTF-8 and lone surrogates to U+FFFD exactly as Go does. Writing escapes
//! strings the way `json.Marshal` does, and [`indent`] is `json.Indent`.

use std::borrow::Cow;

/// A parsed JSON value. Its texts borrow from the document where they
/// stand in it as they are (no escape, valid UTF-8) when parsed with
/// [`parse`], and are owned where unescaping made them or when built.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    /// The number literal exactly as written.
    Number(Cow<'a, str>),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    /// Members in document order, duplicates kept.
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

impl Value<'_> {
    /// The word Go's decoder uses for this kind of value in type errors.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// Parse a whole document; the error is Go's `SyntaxError` text. The
/// value borrows the texts it can from `input`.
pub(crate) fn parse(input: &[u8]) -> Result<Value<'_>, String> {
    let mut p = Parser { s: input, i: 0 };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(invalid(p.s[p.i], "after top-level value"));
    }
    Ok(v)
}

/// The string member `name` of the object `input` as Go's decoder reads
/// it into a struct of that one string field, without building the
/// document: "" when absent or null, the last when repeated. `None` when
/// only the general way can say what Go says: a syntax error, not an
/// object, a key that is not ASCII (it might fold to `name`), or a member
/// of that name that is neither a string nor null. The other members'
/// values are parsed and dropped (scalars borrow, so most cost nothing).
pub(crate) fn top_level_string(input: &[u8], name: &str) -> Option<String> {
    let mut p = Parser { s: input, i: 0 };
    let mut found = Cow::Borrowed("");
    p.ws();
    if p.peek() != Some(b'{') {
        return None;
    }
    p.i += 1;
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            let key = p.key().ok()?;
            if !key.is_ascii() {
                return None;
            }
            if key.eq_ignore_ascii_case(name) {
                p.ws();
                match p.peek()? {
                    b'"' => found = p.string().ok()?,
                    b'n' => drop(p.literal("null", Value::Null).ok()?),
                    _ => return None,
                }
            } else {
                // Inside the object: one level fewer for Go's limit.
                drop(p.value_within(MAX_DEPTH - 1).ok()?);
            }
            p.ws();
            match p.peek()? {
                b',' => p.i += 1,
                b'}' => {
                    p.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    p.ws();
    (p.i == p.s.len()).then(|| found.into_owned())
}

const EOF_MSG: &str = "unexpected end of JSON input";

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {}", quote_char(c), context)
}

/// Go's `quoteChar`: the byte as a quoted rune U+0000..U+00FF.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let mut s = String::new();
            crate::goquote::push_rune(&mut s, char::from(c));
            format!("'{s}'")
        }
    }
}

/// Go's `maxNestingDepth`: more arrays and objects open at once is a
/// syntax error.
const MAX_DEPTH: usize = 10000;

/// The reader of a document `s`, making values that borrow its texts
/// where they need no unquoting.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

/// An array or object being parsed: its items so far (and, for an
/// object, the key of the member whose value comes next).
enum Frame<'a> {
    Array(Vec<Value<'a>>),
    Object(Vec<(Cow<'a, str>, Value<'a>)>, Cow<'a, str>),
}

impl Drop for Value<'_> {
    /// Dismantle nested containers iteratively: the derived drop would
    /// recurse once per nesting level. Only containers are taken out of
    /// their parents (each replaced by `null`); leaves stay where they are
    /// and go with their parent, whose drop then finds nothing nested. A
    /// value without nested containers (most of them) allocates nothing.
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_nested(self, &mut pending);
        while let Some(mut v) = pending.pop() {
            take_nested(&mut v, &mut pending);
        }
    }
}

/// Move the non-empty containers among `v`'s children into `into`.
fn take_nested<'a>(v: &mut Value<'a>, into: &mut Vec<Value<'a>>) {
    let nested = |c: &Value| match c {
        Value::Array(items) => !items.is_empty(),
        Value::Object(members) => !members.is_empty(),
        _ => false,
    };
    let mut take = |c: &mut Value<'a>| {
        if nested(c) {
            into.push(std::mem::replace(c, Value::Null));
        }
    };
    match v {
        Value::Array(items) => items.iter_mut().for_each(&mut take),
        Value::Object(members) => members.iter_mut().for_each(|(_, c)| take(c)),
        _ => {}
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// One value at the current position. Arrays and objects are parsed
    /// with an explicit stack instead of recursion, so nesting costs heap,
    /// not thread stack; beyond [`MAX_DEPTH`] it is Go's syntax error.
    fn value(&mut self) -> Result<Value<'a>, String> {
        self.value_within(MAX_DEPTH)
    }

    /// [`Parser::value`] with at most `depth` arrays and objects open.
    fn value_within(&mut self, depth: usize) -> Result<Value<'a>, String> {
        let mut stack: Vec<Frame<'a>> = Vec::new();
        'value: loop {
            self.ws();
            let Some(c) = self.peek() else {
                return Err(EOF_MSG.into());
            };
            let mut v = match c {
                b'{' | b'[' => {
                    if stack.len() >= depth {
                        return Err(invalid(c, "exceeded max depth"));
                    }
                    self.i += 1;
                    self.ws();
                    let close = if c == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.i += 1;
                        if c == b'{' {
                            Value::Object(Vec::new())
                        } else {
                            Value::Array(Vec::new())
                        }
                    } else {
                        stack.push(if c == b'{' {
                            Frame::Object(Vec::new(), self.key()?)
                        } else {
                            Frame::Array(Vec::new())
                        });
                        continue 'value;
                    }
                }
                b'"' => Value::String(self.string()?),
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.literal("true", Value::Bool(true))?,
                b'f' => self.literal("false", Value::Bool(false))?,
                b'n' => self.literal("null", Value::Null)?,
                _ => return Err(invalid(c, "looking for beginning of value")),
            };
            // A value is complete: hand it to the open containers, closing
            // each one that ends here.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(v);
                };
                match top {
                    Frame::Array(items) => items.push(v),
                    Frame::Object(members, key) => members.push((std::mem::take(key), v)),
                }
                self.ws();
                let is_array = matches!(top, Frame::Array(_));
                match (self.peek(), is_array) {
                    (None, _) => return Err(EOF_MSG.into()),
                    (Some(b','), _) => {
                        self.i += 1;
                        if let Frame::Object(_, key) = top {
                            *key = self.key()?;
                        }
                        continue 'value;
                    }
                    (Some(b']'), true) | (Some(b'}'), false) => {
                        self.i += 1;
                        v = match stack.pop() {
                            Some(Frame::Array(items)) => Value::Array(items),
                            Some(Frame::Object(members, _)) => Value::Object(members),
                            None => unreachable!("a frame was on the stack"),
                        };
                    }
                    (Some(c), true) => return Err(invalid(c, "after array element")),
                    (Some(c), false) => return Err(invalid(c, "after object key:value pair")),
                }
            }
        }
    }

    /// An object member's key and the colon after it.
    fn key(&mut self) -> Result<Cow<'a, str>, String> {
        self.ws();
        match self.peek() {
            None => return Err(EOF_MSG.into()),
            Some(b'"') => {}
            Some(c) => return Err(invalid(c, "looking for beginning of object key string")),
        }
        let key = self.string()?;
        self.ws();
        match self.peek() {
            None => Err(EOF_MSG.into()),
            Some(b':') => {
                self.i += 1;
                Ok(key)
            }
            Some(c) => Err(invalid(c, "after object key")),
        }
    }

    fn literal(&mut self, word: &str, v: Value<'a>) -> Result<Value<'a>, String> {
        for (k, want) in word.bytes().enumerate().skip(1) {
            // Go's scanner feeds a space at end of input, so a truncated
            // literal complains about ' '.
            let got = self.s.get(self.i + k).copied().unwrap_or(b' ');
            if got != want {
                let ctx = format!("in literal {word} (expecting {})", quote_char(want));
                return Err(invalid(got, &ctx));
            }
        }
        self.i += word.len();
        Ok(v)
    }

    fn number(&mut self) -> Result<Value<'a>, String> {
        let start = self.i;
        let at = |p: &Self, i: usize| p.s.get(i).copied().unwrap_or(b' ');
        let mut i = self.i;
        if at(self, i) == b'-' {
            i += 1;
        }
        match at(self, i) {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while at(self, i).is_ascii_digit() {
                    i += 1;
                }
            }
            c => return Err(invalid(c, "in numeric literal")),
        }
        if at(self, i) == b'.' {
            i += 1;
            if !at(self, i).is_ascii_digit() {
                return Err(invalid(
                    at(self, i),
                    "after decimal point in numeric literal",
                ));
            }
            while at(self, i).is_ascii_digit() {
                i += 1;
            }
        }
        if matches!(at(self, i), b'e' | b'E') {
            i += 1;
            if matches!(at(self, i), b'+' | b'-') {
                i += 1;
            }
            if !at(self, i).is_ascii_digit() {
                return Err(invalid(at(self, i), "in exponent of numeric literal"));
            }
            while at(self, i).is_ascii_digit() {
                i += 1;
            }
        }
        self.i = i;
        let s: &'a [u8] = self.s;
        let lit = std::str::from_utf8(&s[start..i]).expect("a number literal is ASCII");
        Ok(Value::Number(Cow::Borrowed(lit)))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(c) = self.peek() else {
                return Err(EOF_MSG.into());
            };
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| invalid(c, "in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    /// A string starting at the opening quote, unquoted like Go does.
    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        self.i += 1;
        if let Some(plain) = self.plain_string() {
            return Ok(Cow::Borrowed(plain));
        }
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(EOF_MSG.into());
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    self.i += 1;
                    let Some(e) = self.peek() else {
                        return Err(EOF_MSG.into());
                    };
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e as char),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let r = self.hex4()?;
                            out.push(self.surrogate_aware(r)?);
                        }
                        _ => return Err(invalid(e, "in string escape code")),
                    }
                }
                0..=0x1f => return Err(invalid(c, "in string literal")),
                _ => self.i += push_run(&mut out, &self.s[self.i..]),
            }
        }
    }

    /// The common string, valid UTF-8 up to its closing quote with no
    /// escape or control byte, as it stands in the document; `None`
    /// (nothing consumed) for any other, which `string` unquotes piece by
    /// piece.
    fn plain_string(&mut self) -> Option<&'a str> {
        let s: &'a [u8] = self.s;
        let plain = std::str::from_utf8(plain_string_bytes(&s[self.i..])?).ok()?;
        self.i += plain.len() + 1;
        Some(plain)
    }

    /// Combine a `\u` escape with a following low surrogate escape, or
    /// turn a lone surrogate into U+FFFD (Go's `unquote`).
    fn surrogate_aware(&mut self, r: u32) -> Result<char, String> {
        if !(0xD800..0xE000).contains(&r) {
            return Ok(char::from_u32(r).unwrap_or('\u{FFFD}'));
        }
        if r < 0xDC00 && self.s[self.i..].starts_with(b"\\u") {
            // Only consume the next escape when it completes a valid pair;
            // it must be well formed hex either way (checked when parsed).
            let save = self.i;
            self.i += 2;
            let r2 = self.hex4()?;
            if (0xDC00..0xE000).contains(&r2) {
                let c = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.i = save;
        }
        Ok('\u{FFFD}')
    }
}

/// Append to `out` the run of string bytes at the start of `rest` (up to
/// the first quote, backslash or control byte), invalid UTF-8 replaced
/// rune by rune as Go does; the length of the run. Valid stretches are
/// copied whole.
fn push_run(out: &mut String, rest: &[u8]) -> usize {
    let n = rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(rest.len());
    let mut run = &rest[..n];
    loop {
        match std::str::from_utf8(run) {
            Ok(valid) => {
                out.push_str(valid);
                return n;
            }
            Err(e) => {
                let (valid, bad) = run.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).expect("the valid prefix"));
                // The run ends before an ASCII byte, which no sequence
                // spans: decoding inside it is decoding in the string.
                let (ch, len) = decode_rune(bad);
                out.push(ch);
                run = &bad[len..];
            }
        }
    }
}

/// Decode one rune like Go's `utf8.DecodeRune`: an invalid or truncated
/// sequence yields U+FFFD and consumes exactly one byte.
pub(crate) fn decode_rune(s: &[u8]) -> (char, usize) {
    let n = match s.first() {
        None => return ('\u{FFFD}', 0),
        Some(0..=0x7f) => 1,
        Some(0xc2..=0xdf) => 2,
        Some(0xe0..=0xef) => 3,
        Some(0xf0..=0xf4) => 4,
        Some(_) => return ('\u{FFFD}', 1),
    };
    match s.get(..n).map(std::str::from_utf8) {
        Some(Ok(t)) => (t.chars().next().unwrap_or('\u{FFFD}'), n),
        _ => ('\u{FFFD}', 1),
    }
}

/// The set of the control characters and `extra`, as a byte table.
const fn byte_set(extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
}

/// The bytes [`write_str`] looks at twice: those it may escape, and the
/// first byte of U+2028 and U+2029. Any other byte is copied as it is.
const MAY_ESCAPE: [bool; 256] = byte_set(b"\"\\<>&\xe2");

/// The bytes a string literal without escapes stops at: its closing
/// quote, an escape, or a control character (which JSON refuses there).
const ENDS_PLAIN: [bool; 256] = byte_set(b"\"\\");

/// The content of the string literal whose opening quote is just before
/// `rest`, when it holds no escape and no control character: the bytes up
/// to its closing quote (which follows them). `None` otherwise.
pub(crate) fn plain_string_bytes(rest: &[u8]) -> Option<&[u8]> {
    let n = rest.iter().position(|&b| ENDS_PLAIN[usize::from(b)])?;
    (rest[n] == b'"').then(|| &rest[..n])
}

/// Append `s` as a JSON string literal escaped like Go's `json.Marshal`:
/// the runs that need no escape are copied whole.
pub(crate) fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut run = 0; // start of the bytes not written yet
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !MAY_ESCAPE[usize::from(b)] {
            i += 1;
            continue;
        }
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
        let line_sep = b == 0xe2 && bytes.get(i + 1) == Some(&0x80);
        let (escape, len) = match b {
            b'"' => ("\\\"", 1),
            b'\\' => ("\\\\", 1),
            0x08 => ("\\b", 1),
            0x0c => ("\\f", 1),
            b'\n' => ("\\n", 1),
            b'\r' => ("\\r", 1),
            b'\t' => ("\\t", 1),
            0..=0x1f | b'<' | b'>' | b'&' => ("", 1),
            _ if line_sep && bytes.get(i + 2) == Some(&0xa8) => ("\\u2028", 3),
            _ if line_sep && bytes.get(i + 2) == Some(&0xa9) => ("\\u2029", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[run..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        } else {
            out.push_str(escape);
        }
        i += len;
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Go's `json.Indent(dst, src, "", indent)` for compact, valid input.
pub(crate) fn indent(compact: &str, unit: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut need_indent = false;
    let mut in_str = false;
    let mut escaped = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(unit);
        }
    };
    for c in compact.chars() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        if need_indent && c != '}' && c != ']' {
            need_indent = false;
            depth += 1;
            newline(&mut out, depth);
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                need_indent = true;
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            '}' | ']' => {
                if need_indent {
                    need_indent = false;
                } else {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Append `v` printed the way Go prints it after a round trip through
/// `float64` (`strconv.FormatFloat(f, 'f', -1, 64)`): what 1.x results
/// show, since upstream re-marshals them through a generic map.
pub(crate) fn push_go_float_int(out: &mut String, v: i64) {
    // Below 2^53 the float64 is the integer itself, printed in full.
    if v.unsigned_abs() < 1 << 53 {
        return push_int(out, v);
    }
    let e = format!("{:e}", v as f64);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: usize = exp.parse().unwrap_or(0);
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    if neg {
        out.push('-');
    }
    out.push_str(&digits);
    for _ in digits.len()..exp + 1 {
        out.push('0');
    }
}

/// Append `v` in decimal, without the formatting machinery.
pub(crate) fn push_int(out: &mut String, v: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// Go's `strconv.Quote`, i.e. what `%q` prints for a string: the crate's
/// one implementation, [`crate::goquote::quote`].
pub fn go_quote(s: &str) -> String {
    crate::goquote::quote(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general way (the whole document parsed, then Go's decoder
    /// rules) makes of a configuration's `cniVersion`.
    fn version_the_general_way(input: &[u8]) -> Result<String, String> {
        let v = parse(input)?;
        super::super::decode_version_parsed(&v).map_err(|e| e.to_string())
    }

    /// `top_level_string` answers only where the general way succeeds,
    /// and then with the same version ("" being 0.1.0); true when it
    /// answered.
    fn agrees(input: &[u8]) -> bool {
        let general = version_the_general_way(input);
        let Some(v) = top_level_string(input, "cniVersion") else {
            return false;
        };
        let v = if v.is_empty() { "0.1.0".to_string() } else { v };
        let shown = String::from_utf8_lossy(input);
        assert_eq!(general, Ok(v), "input {shown:?}");
        true
    }

    #[test]
    fn the_version_without_a_document_tree_is_the_decoders() {
        let some = |input: &[u8]| top_level_string(input, "cniVersion");
        let cases: &[(&[u8], &str)] = &[
            (br#"{"cniVersion":"1.0.0","name":"n"}"#, "1.0.0"),
            (br#" { "CNIVERSION" : "0.4.0" } "#, "0.4.0"),
            (br#"{"cniVersion":"1.0.0","cniversion":null}"#, "1.0.0"),
            (br#"{"cniVersion":"1.0.0","CniVersion":"0.3.1"}"#, "0.3.1"),
            (br#"{"cni\u0056ersion":"1.1.0"}"#, "1.1.0"),
            (br#"{"ipam":{"ranges":[[{}]]},"x":[1,-2.5e3,true]}"#, ""),
            (b"{}", ""),
        ];
        for (input, want) in cases {
            assert_eq!(some(input).as_deref(), Some(*want));
            assert!(agrees(input));
        }
        // Left to the general way: its errors, a non-ASCII key (Go folds
        // U+017F to 's'), a value of the wrong type, not an object.
        for input in [
            &b"{"[..],
            b"{\"cniVersion\":\"1.0.0\"} x",
            "{\"cniVer\u{17f}ion\":\"1.0.0\"}".as_bytes(),
            b"{\"cniVersion\":1}",
            b"null",
            b"[]",
        ] {
            assert_eq!(some(input), None, "{:?}", String::from_utf8_lossy(input));
        }
        assert_eq!(
            version_the_general_way("{\"cniVer\u{17f}ion\":\"1.0.0\"}".as_bytes()).as_deref(),
            Ok("1.0.0")
        );
        // Go's depth limit counts the object itself.
        let nested = |n: usize| format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
        assert_eq!(some(nested(MAX_DEPTH - 1).as_bytes()).as_deref(), Some(""));
        assert_eq!(some(nested(MAX_DEPTH).as_bytes()), None);
        assert!(version_the_general_way(nested(MAX_DEPTH).as_bytes()).is_err());
    }

    #[test]
    fn the_version_without_a_document_tree_agrees_on_generated_documents() {
        let keys = [
            r#""cniVersion""#,
            r#""CNIVERSION""#,
            r#""cniVersio""#,
            r#""name""#,
            r#""cni\u0056ersion""#,
            "\"cniVer\u{17f}ion\"",
            "\"\u{212a}\"",
            "1",
            "",
        ];
        let values = [
            r#""1.0.0""#,
            r#""""#,
            "null",
            "1",
            "true",
            r#"[1,{"b":[]}]"#,
            r#"{"a":{}}"#,
            r#""\u00e9\ud800""#,
            r#""\x""#,
            "nul",
            r#""0.4.0"#,
            "",
        ];
        let seps = [",", ":", " ", "", "}", "\n,"];
        let mut next = crate::test_rng::below(0x2545_f491_4f6c_dd1d);
        let mut answered = 0;
        for _ in 0..20_000 {
            let mut doc = String::from(if next(8) == 0 { " [" } else { "{" });
            for m in 0..next(4) {
                if m > 0 {
                    doc.push_str(if next(10) == 0 {
                        seps[next(seps.len())]
                    } else {
                        ","
                    });
                }
                doc.push_str(keys[next(keys.len())]);
                doc.push_str(if next(10) == 0 {
                    seps[next(seps.len())]
                } else {
                    ":"
                });
                doc.push_str(values[next(values.len())]);
            }
            doc.push_str(if next(10) == 0 { "" } else { "}" });
            if next(10) == 0 {
                doc.push_str(values[next(values.len())]);
            }
            let mut bytes = doc.into_bytes();
            if next(20) == 0 && !bytes.is_empty() {
                let at = next(bytes.len());
                bytes[at] = 0xff;
            }
            answered += usize::from(agrees(&bytes));
        }
        // Most documents are ones it answers, so the comparison means
        // something.
        assert!(answered > 2_000, "answered only {answered}");
    }

    #[test]
    fn syntax_errors_match_go() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "unexpected end of JSON input"),
            (
                b"tru",
                "invalid character ' ' in literal true (expecting 'e')",
            ),
            (b"-", "invalid character ' ' in numeric literal"),
            (
                b"[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            (b"{\"a\"\x01}", "invalid character '\\x01' after object key"),
            (
                b"\xc3",
                "invalid character '\u{c3}' looking for beginning of value",
            ),
            (
                b"\x85",
                "invalid character '\\u0085' looking for beginning of value",
            ),
            (b"\"\\q\"", "invalid character 'q' in string escape code"),
            (b"\"abc", "unexpected end of JSON input"),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).unwrap_err(), *want, "{input:?}");
        }
    }

    #[test]
    fn plain_texts_borrow_and_escaped_ones_are_copied() {
        let head = br#"{"ip":"10.1.0.2/24","esc\u0041pe":"a\nb","n":-1.5e3,"bad":"x"#;
        let doc = [&head[..], b"\xff", br#"y"}"#].concat();
        let v = parse(&doc).unwrap();
        let Value::Object(members) = &v else {
            panic!("an object: {v:?}")
        };
        let borrowed = |c: &Cow<str>| matches!(c, Cow::Borrowed(_));
        let got: Vec<(&str, bool, String, bool)> = members
            .iter()
            .map(|(k, val)| match val {
                Value::String(s) | Value::Number(s) => {
                    (&**k, borrowed(k), s.to_string(), borrowed(s))
                }
                other => panic!("a text: {other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                ("ip", true, "10.1.0.2/24".to_string(), true),
                ("escApe", false, "a\nb".to_string(), false),
                ("n", true, "-1.5e3".to_string(), true),
                ("bad", true, "x\u{fffd}y".to_string(), false),
            ]
        );
    }

    #[test]
    fn strings_repair_like_go() {
        let v = parse(b"\"\\ud83d\\ude00\\ud800\\u0041\xe2\x82z\"").unwrap();
        assert_eq!(
            v,
            Value::String("\u{1F600}\u{FFFD}A\u{FFFD}\u{FFFD}z".into())
        );
    }

    /// Integers print as `to_string` prints them, the extremes included.
    #[test]
    fn push_int_prints_every_integer_as_to_string() {
        let mut next = crate::test_rng::below(0x1234_5678);
        let mut values = vec![
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            100,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        values.extend((0..2000).map(|_| {
            let digits = next(19) as u32;
            let n = (next(usize::MAX) as i64) % 10i64.pow(digits).max(1);
            if next(2) == 0 {
                n
            } else {
                -n
            }
        }));
        for v in values {
            let mut out = String::from("x");
            push_int(&mut out, v);
            assert_eq!(out, format!("x{v}"));
        }
    }

    fn go_float_int(v: i64) -> String {
        let mut out = String::new();
        push_go_float_int(&mut out, v);
        out
    }

    #[test]
    fn floats_like_go() {
        assert_eq!(go_float_int(9007199254740993), "9007199254740992");
        assert_eq!(go_float_int(i64::MIN), "-9223372036854776000");
        assert_eq!(go_float_int(1500), "1500");
        assert_eq!(go_float_int(-1), "-1");
    }

    #[test]
    fn nesting_is_limited_like_go_and_costs_no_stack() {
        // Go's limit is 10000 open arrays/objects; run on a small stack to
        // show that neither parsing nor dropping recurses.
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let deep = |n: usize, open: &str, close: &str| {
                    format!("{}{}", open.repeat(n), close.repeat(n))
                };
                assert!(parse(deep(10000, "[", "]").as_bytes()).is_ok());
                assert!(parse(deep(10000, "{\"a\":", "}").as_bytes()).is_err());
                assert!(parse(
                    format!("{}1{}", "{\"a\":".repeat(10000), "}".repeat(10000)).as_bytes()
                )
                .is_ok());
                assert_eq!(
                    parse(deep(10001, "[", "]").as_bytes()).unwrap_err(),
                    "invalid character '[' exceeded max depth"
                );
                assert_eq!(
                    parse(deep(100_000, "[", "").as_bytes()).unwrap_err(),
                    "invalid character '[' exceeded max depth"
                );
                assert_eq!(
                    parse(format!("[{}", "{\"a\":".repeat(10000)).as_bytes()).unwrap_err(),
                    "invalid character '{' exceeded max depth"
                );
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn quote_like_go() {
        assert_eq!(
            go_quote("a\"b\\\n\u{1}é\u{a0}"),
            "\"a\\\"b\\\\\\n\\x01é\\u00a0\""
        );
    }

    #[test]
    fn escape_like_go() {
        let mut s = String::new();
        write_str(&mut s, "<a&b>\u{2028}\u{7f}\u{0}");
        assert_eq!(s, "\"\\u003ca\\u0026b\\u003e\\u2028\u{7f}\\u0000\"");
    }

    /// Go's escaping, a character at a time: the reference for the
    /// run-copying `write_str`.
    fn write_str_by_char(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '<' | '>' | '&' | '\0'..='\u{1f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
                '\u{2028}' => out.push_str("\\u2028"),
                '\u{2029}' => out.push_str("\\u2029"),
                _ => out.push(c),
            }
        }
        out.push('"');
    }

    /// Every character that is escaped, its neighbours in UTF-8 (U+2027,
    /// U+202A, other E2 80 sequences), at the start, middle and end.
    #[test]
    fn escaping_copies_runs_like_go_escapes_characters() {
        let pieces = [
            "",
            "a",
            "\"",
            "\\",
            "\u{8}",
            "\u{c}",
            "\n",
            "\r",
            "\t",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "<",
            ">",
            "&",
            "\u{2027}",
            "\u{2028}",
            "\u{2029}",
            "\u{202a}",
            "\u{2000}",
            "\u{e000}",
            "é",
            "\u{1F600}",
            "\u{fffd}",
            "plain text",
        ];
        for a in pieces {
            for b in pieces {
                for c in ["", "x", "\u{2028}"] {
                    let s = format!("{a}{b}{c}{a}");
                    let (mut got, mut want) = (String::new(), String::new());
                    write_str(&mut got, &s);
                    write_str_by_char(&mut want, &s);
                    assert_eq!(got, want, "{s:?}");
                }
            }
        }
    }
}
