//! A cursor for documents read straight from their bytes when they are in
//! the form this library writes or plugins write (a plugin's 1.x result,
//! `direct100.rs`; a cache entry, `libcni/record_direct.rs`): objects of
//! known keys, each at most once, lists, strings without escapes, plain
//! integers. Every step answers `None` for anything outside that form, and
//! the caller then takes its general path, which also words the errors.

use super::gojson::plain_string_bytes;

/// A cursor over a document.
pub(crate) struct Scan<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Scan<'a> {
        Scan { b, at: 0 }
    }

    /// Nothing but whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.at == self.b.len()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.at) {
            self.at += 1;
        }
    }

    /// Past whitespace, take `c` if it comes next.
    pub(crate) fn next(&mut self, c: u8) -> bool {
        self.skip_ws();
        let found = self.b.get(self.at) == Some(&c);
        self.at += usize::from(found);
        found
    }

    /// An object whose keys are all in `names`, each at most once:
    /// `field` reads the value of the key at that index.
    pub(crate) fn object(
        &mut self,
        names: &[&str],
        mut field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        if !self.next(b'{') {
            return None;
        }
        if self.next(b'}') {
            return Some(());
        }
        let mut seen = 0u32;
        loop {
            let key = self.plain()?;
            let index = names.iter().position(|n| n.as_bytes() == key)?;
            if seen & (1 << index) != 0 || !self.next(b':') {
                return None;
            }
            seen |= 1 << index;
            field(self, index)?;
            if self.next(b'}') {
                return Some(());
            }
            if !self.next(b',') {
                return None;
            }
        }
    }

    /// An array, each element read by `elem` (`[]`: an empty list).
    pub(crate) fn list<T>(
        &mut self,
        mut elem: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        if !self.next(b'[') {
            return None;
        }
        let mut out = Vec::new();
        if self.next(b']') {
            return Some(out);
        }
        loop {
            out.push(elem(self)?);
            if self.next(b']') {
                return Some(out);
            }
            if !self.next(b',') {
                return None;
            }
        }
    }

    /// The bytes of a string without escapes or control characters.
    pub(crate) fn plain(&mut self) -> Option<&'a [u8]> {
        if !self.next(b'"') {
            return None;
        }
        let plain = plain_string_bytes(&self.b[self.at..])?;
        self.at += plain.len() + 1;
        Some(plain)
    }

    /// A plain string that is UTF-8 (Go would replace invalid bytes).
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.plain()?).ok()
    }

    pub(crate) fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    /// A JSON integer (no fraction or exponent, no leading zero) that
    /// fits Go's `int`.
    pub(crate) fn int(&mut self) -> Option<i64> {
        self.skip_ws();
        let start = self.at;
        self.at += usize::from(self.b.get(self.at) == Some(&b'-'));
        let digits = self.at;
        while self.b.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        let n = self.at - digits;
        let leading_zero = n > 1 && self.b[digits] == b'0';
        let more = matches!(self.b.get(self.at), Some(b'.' | b'e' | b'E'));
        if n == 0 || leading_zero || more {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.at])
            .ok()?
            .parse()
            .ok()
    }
}
