//! Decoding parsed JSON into the result structs with Go's `json.Unmarshal`
//! semantics: keys match exactly or case-insensitively, later duplicates
//! win, objects decode into what is already there, `null` leaves scalars
//! alone, and type mismatches produce Go's `UnmarshalTypeError` text.
//!
//! Go distinguishes "soft" type errors (recorded, decoding goes on, the
//! first one is reported) from "hard" errors returned by a type's own
//! `UnmarshalJSON` (decoding stops). Types that upstream gives an
//! `UnmarshalJSON` (routes, IP configurations, CIDRs) are decoded in a
//! nested [`Decoder`] and their failure is turned into a hard error, with
//! the field context rewritten as Go does.

use super::gojson::Value;

/// A decoding failure.
#[derive(Debug, Clone)]
pub(crate) enum DecodeError {
    /// Go's `UnmarshalTypeError`.
    Type {
        value: String,
        strukt: String,
        field: String,
        ty: &'static str,
    },
    /// Any other error, printed as is.
    Other(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Type {
                value,
                strukt,
                field,
                ty,
            } => {
                if strukt.is_empty() && field.is_empty() {
                    write!(
                        f,
                        "json: cannot unmarshal {value} into Go value of type {ty}"
                    )
                } else {
                    write!(
                        f,
                        "json: cannot unmarshal {value} into Go struct field {strukt}.{field} of type {ty}"
                    )
                }
            }
            DecodeError::Other(s) => f.write_str(s),
        }
    }
}

/// Hard errors stop decoding at once.
pub(crate) type Hard<T = ()> = Result<T, DecodeError>;

/// One Go `decodeState`: the struct and field path being decoded, and the
/// first soft error seen.
#[derive(Default)]
pub(crate) struct Decoder {
    strukt: &'static str,
    fields: FieldPath,
    saved: Option<DecodeError>,
}

/// How deep [`FieldPath`] holds names without allocating: deeper than
/// any CNI type nests.
const INLINE_FIELDS: usize = 8;

/// The names of the struct fields being decoded, outermost first (Go's
/// error context): the first [`INLINE_FIELDS`] in place, any deeper ones
/// on the heap, so a decode allocates nothing for them.
#[derive(Default)]
struct FieldPath {
    inline: [&'static str; INLINE_FIELDS],
    deeper: Vec<&'static str>,
    len: usize,
}

impl FieldPath {
    fn push(&mut self, name: &'static str) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = name,
            None => self.deeper.push(name),
        }
        self.len += 1;
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
        self.deeper.truncate(len.saturating_sub(INLINE_FIELDS));
    }

    fn to_vec(&self) -> Vec<&'static str> {
        let inline = &self.inline[..self.len.min(INLINE_FIELDS)];
        inline.iter().chain(&self.deeper).copied().collect()
    }
}

impl Decoder {
    /// Decode a whole document with `f`, returning the hard error or else
    /// the first soft one.
    pub(crate) fn run<'v, T: Default>(
        v: &Value<'v>,
        f: impl FnOnce(&mut Decoder, &Value<'v>, &mut T) -> Hard,
    ) -> Result<T, DecodeError> {
        let mut d = Decoder::default();
        let mut out = T::default();
        f(&mut d, v, &mut out).map_err(|e| d.add_context(e))?;
        match d.saved {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Go's `addErrorContext`.
    fn add_context(&self, e: DecodeError) -> DecodeError {
        if self.strukt.is_empty() && self.fields.len == 0 {
            return e;
        }
        match e {
            DecodeError::Type {
                value, field, ty, ..
            } => {
                let mut path: Vec<&str> = self.fields.to_vec();
                if !field.is_empty() {
                    path.push(&field);
                }
                DecodeError::Type {
                    value,
                    strukt: self.strukt.to_string(),
                    field: path.join("."),
                    ty,
                }
            }
            other => other,
        }
    }

    /// Record a soft type error (the first one wins).
    pub(crate) fn type_error(&mut self, v: &Value, ty: &'static str) {
        self.type_error_value(v.kind().to_string(), ty);
    }

    pub(crate) fn type_error_value(&mut self, value: String, ty: &'static str) {
        if self.saved.is_none() {
            let e = DecodeError::Type {
                value,
                strukt: String::new(),
                field: String::new(),
                ty,
            };
            self.saved = Some(self.add_context(e));
        }
    }

    /// Record a soft error of another kind (the first one wins), as Go's
    /// `saveError`.
    pub(crate) fn save_error(&mut self, e: DecodeError) {
        if self.saved.is_none() {
            self.saved = Some(e);
        }
    }

    /// Decode a nested value that upstream handles with its own
    /// `UnmarshalJSON`: any failure inside becomes a hard error here.
    pub(crate) fn nested<T: Default>(
        &mut self,
        v: &Value,
        f: impl FnOnce(&mut Decoder, &Value, &mut T) -> Hard,
    ) -> Hard<T> {
        Decoder::run(v, f)
    }

    /// Decode a JSON object into a struct named `name` (Go's type name
    /// without package), calling `field(decoder, canonical_name, value)`
    /// for each member that matches one of `names`.
    pub(crate) fn object<'v>(
        &mut self,
        v: &Value<'v>,
        name: &'static str,
        go_type: &'static str,
        names: &[&'static str],
        mut field: impl FnMut(&mut Decoder, &'static str, &Value<'v>) -> Hard,
    ) -> Hard {
        let members = match v {
            Value::Object(m) => m,
            Value::Null => return Ok(()),
            other => {
                self.type_error(other, go_type);
                return Ok(());
            }
        };
        let outer_struct = self.strukt;
        let depth = self.fields.len;
        for (key, val) in members {
            let Some(canon) = match_field(names, key) else {
                continue;
            };
            self.strukt = name;
            self.fields.push(canon);
            // On a hard error the context stays: the caller adds it.
            field(self, canon, val)?;
            self.fields.truncate(depth);
            self.strukt = outer_struct;
        }
        Ok(())
    }

    /// A Go `string` field.
    pub(crate) fn string(&mut self, v: &Value, out: &mut String) {
        match v {
            Value::String(s) => *out = s.to_string(),
            Value::Null => {}
            other => self.type_error(other, "string"),
        }
    }

    /// A Go `int` field (64-bit), or `*int` when `out` is an `Option`.
    pub(crate) fn int(&mut self, v: &Value, out: &mut i64) {
        match v {
            Value::Number(lit) => match parse_go_int(lit) {
                Some(n) => *out = n,
                None => self.type_error_value(format!("number {lit}"), "int"),
            },
            Value::Null => {}
            other => self.type_error(other, "int"),
        }
    }

    /// A Go `*int` field: `null` clears it.
    pub(crate) fn opt_int(&mut self, v: &Value, out: &mut Option<i64>) {
        if let Value::Null = v {
            *out = None;
            return;
        }
        let mut n = out.unwrap_or(0);
        let before = self.saved.is_some();
        self.int(v, &mut n);
        if before || self.saved.is_none() {
            *out = Some(n);
        }
    }

    /// A Go `[]string` field.
    pub(crate) fn strings(&mut self, v: &Value, go_type: &'static str, out: &mut Vec<String>) {
        self.slice(v, go_type, out, |d, item, s| {
            d.string(item, s);
            Ok(())
        })
        .expect("string slices have no hard errors");
    }

    /// A Go slice: decodes into existing elements, grows or truncates to
    /// the array's length; `null` empties it.
    pub(crate) fn slice<T: Default>(
        &mut self,
        v: &Value,
        go_type: &'static str,
        out: &mut Vec<T>,
        mut elem: impl FnMut(&mut Decoder, &Value, &mut T) -> Hard,
    ) -> Hard {
        let items = match v {
            Value::Array(items) => items,
            Value::Null => {
                out.clear();
                return Ok(());
            }
            other => {
                self.type_error(other, go_type);
                return Ok(());
            }
        };
        for (i, item) in items.iter().enumerate() {
            if i >= out.len() {
                out.push(T::default());
            }
            elem(self, item, &mut out[i])?;
        }
        out.truncate(items.len());
        Ok(())
    }
}

/// Go's field lookup: an exact match, else a case-insensitive one.
fn match_field(names: &[&'static str], key: &str) -> Option<&'static str> {
    if let Some(n) = names.iter().find(|n| **n == key) {
        return Some(n);
    }
    names.iter().find(|n| folds_to(key, n)).copied()
}

/// Whether Go decodes the member `key` into the field named `field` (an
/// ASCII name): the same name, or the same but for case.
pub(crate) fn go_field_matches(field: &str, key: &str) -> bool {
    key == field || folds_to(key, field)
}

/// Go's `foldName` equality restricted to what can match an ASCII field
/// name: ASCII letters fold by case, and U+017F (long s) and U+212A
/// (Kelvin sign) fold to 's' and 'k'. Anything else non-ASCII cannot
/// match. Compared as it goes, nothing built.
fn folds_to(key: &str, name: &str) -> bool {
    let mut name = name.bytes();
    for c in key.chars() {
        let folded = match c {
            '\u{17f}' => b's',
            '\u{212a}' => b'k',
            c if c.is_ascii() => c as u8,
            _ => return false,
        };
        if !name.next().is_some_and(|n| n.eq_ignore_ascii_case(&folded)) {
            return false;
        }
    }
    name.next().is_none()
}

/// `strconv.ParseInt(lit, 10, 64)`: a plain decimal integer only.
fn parse_go_int(lit: &str) -> Option<i64> {
    let digits = lit.strip_prefix('-').unwrap_or(lit);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    lit.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{go_field_matches, match_field, FieldPath, INLINE_FIELDS};

    #[test]
    fn a_field_path_holds_any_depth() {
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
        let mut path = FieldPath::default();
        for (depth, name) in names.iter().enumerate() {
            path.push(name);
            assert_eq!(path.to_vec(), names[..=depth]);
        }
        for depth in (0..names.len()).rev() {
            path.truncate(depth);
            assert_eq!(path.to_vec(), names[..depth], "truncated to {depth}");
        }
        path.truncate(INLINE_FIELDS + 1);
        assert!(path.to_vec().is_empty(), "truncating never lengthens");
        path.push("x");
        assert_eq!(path.to_vec(), ["x"]);
    }

    #[test]
    fn field_names_fold_as_go_folds_them() {
        for (field, key, matches) in [
            ("cniVersion", "cniVersion", true),
            ("cniVersion", "CNIVERSION", true),
            ("cniVersion", "cniVer\u{17f}ion", true),
            ("kind", "\u{212a}IND", true),
            ("kind", "kin", false),
            ("kind", "kinds", false),
            ("kind", "k\u{ef}nd", false),
            // U+0169 is not 'i', though its low byte is.
            ("kind", "k\u{169}nd", false),
            ("kind", "", false),
            ("s", "\u{17f}", true),
        ] {
            assert_eq!(go_field_matches(field, key), matches, "{field} / {key}");
        }
        let names = ["name", "mac", "Name"];
        assert_eq!(match_field(&names, "Name"), Some("Name"), "exact first");
        assert_eq!(
            match_field(&names, "NAME"),
            Some("name"),
            "then the first that folds"
        );
        assert_eq!(match_field(&names, "other"), None);
    }
}
