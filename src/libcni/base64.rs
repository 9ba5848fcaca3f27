//! Base64 as Go's `encoding/json` writes and reads a `[]byte` (the cache
//! entry's `config`): the standard alphabet with padding.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Go's `base64.StdEncoding.EncodeToString`.
pub(crate) fn base64_encode(data: &[u8], out: &mut String) {
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// Each byte's value in [`B64`], 0xFF for a byte not in it.
const VALUE: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 64 {
        t[B64[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Go's `base64.StdEncoding.Decode` (padding required, `\r` and `\n`
/// ignored), with its error text. The quanta before the last that are
/// four symbols of the alphabet (all of them, in the entries we write)
/// are decoded as they come; from the first other one on, one pass a
/// quantum of four symbols (with their input offsets, for the errors) at
/// a time.
pub(crate) fn base64_decode(s: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut at = 0;
    while s.len() - at > 4 {
        let v = [s[at], s[at + 1], s[at + 2], s[at + 3]].map(|c| VALUE[usize::from(c)]);
        if v.contains(&0xFF) {
            break;
        }
        let n = v.iter().fold(0u32, |n, &x| n << 6 | u32::from(x));
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        at += 4;
    }
    decode_rest(s, at, out)
}

/// [`base64_decode`] from offset `start` of `s` on, onto `out`.
fn decode_rest(s: &[u8], start: usize, mut out: Vec<u8>) -> std::result::Result<Vec<u8>, String> {
    let skipped = |c: &u8| *c == b'\r' || *c == b'\n';
    let rest = &s[start..];
    let symbols = rest.len() - rest.iter().filter(|c| skipped(c)).count();
    let mut quad = [(0usize, 0u8); 4];
    let (mut filled, mut seen) = (0, 0);
    for (pos, &c) in rest.iter().enumerate() {
        if skipped(&c) {
            continue;
        }
        quad[filled] = (start + pos, c);
        filled += 1;
        seen += 1;
        if filled == 4 {
            decode_quantum(&quad, seen == symbols, &mut out)?;
            filled = 0;
        }
    }
    if filled > 0 {
        decode_quantum(&quad[..filled], true, &mut out)?;
    }
    Ok(out)
}

fn corrupt(pos: usize) -> String {
    format!("illegal base64 data at input byte {pos}")
}

/// Decode a quantum of symbols onto `out`; padding only in the `last`
/// quantum, after two or three symbols. A quantum short of four (the
/// input ended inside it) fails at its first bad symbol, else where it
/// began, as Go's does.
fn decode_quantum(
    quad: &[(usize, u8)],
    last: bool,
    out: &mut Vec<u8>,
) -> std::result::Result<(), String> {
    let mut n = 0u32;
    let mut have = 0;
    for (j, &(pos, c)) in quad.iter().enumerate() {
        if c == b'=' {
            let padded = quad.len() == 4 && quad[j..].iter().all(|(_, c)| *c == b'=');
            if !(last && j >= 2 && padded) {
                return Err(corrupt(pos));
            }
            break;
        }
        let val = VALUE[c as usize];
        if val == 0xFF {
            return Err(corrupt(pos));
        }
        n |= u32::from(val) << (18 - 6 * j);
        have += 1;
    }
    if quad.len() < 4 {
        return Err(corrupt(quad[0].0));
    }
    let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
    out.extend_from_slice(&bytes[..have - 1]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder as first written (symbols collected with their
    /// offsets, each looked up in the alphabet), the reference for the
    /// one-pass decoder.
    fn reference_decode(s: &[u8]) -> std::result::Result<Vec<u8>, String> {
        let symbols: Vec<(usize, u8)> = s
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, c)| *c != b'\r' && *c != b'\n')
            .collect();
        let mut out = Vec::new();
        for (q, quad) in symbols.chunks(4).enumerate() {
            let last = (q + 1) * 4 >= symbols.len();
            let (mut n, mut have) = (0u32, 0);
            for (j, &(pos, c)) in quad.iter().enumerate() {
                if c == b'=' {
                    let pad_ok = last && j >= 2 && quad[j..].iter().all(|(_, c)| *c == b'=');
                    if !pad_ok || quad.len() != 4 {
                        return Err(corrupt(pos));
                    }
                    break;
                }
                let Some(val) = B64.iter().position(|b| *b == c) else {
                    return Err(corrupt(pos));
                };
                n |= (val as u32) << (18 - 6 * j);
                have += 1;
            }
            if quad.len() < 4 {
                return Err(corrupt(quad[0].0));
            }
            out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..have - 1]);
        }
        Ok(out)
    }

    #[test]
    fn one_pass_decoding_agrees_with_the_reference() {
        let alphabet = b"QUJD=\r\n*a/+9";
        let mut next = crate::test_rng::below(0x9e37_79b9_7f4a_7c15);
        let mut oks = 0;
        for _ in 0..50_000 {
            let len = next(30);
            let input: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let want = reference_decode(&input);
            oks += usize::from(want.is_ok());
            assert_eq!(
                base64_decode(&input),
                want,
                "{:?}",
                String::from_utf8_lossy(&input)
            );
        }
        assert!(oks > 1_000, "only {oks} valid inputs");
    }

    /// Encodings of up to 100 bytes, whole and with one byte changed to
    /// another symbol, padding, a line break or a stray byte: as the
    /// reference decodes them (the quanta decoded as they come included).
    #[test]
    fn long_encodings_and_their_corruptions_agree_with_the_reference() {
        let mut next = crate::test_rng::below(0x2545_f491_4f6c_dd1d);
        for len in 0..100 {
            let data: Vec<u8> = (0..len).map(|_| next(256) as u8).collect();
            let mut enc = String::new();
            base64_encode(&data, &mut enc);
            assert_eq!(base64_decode(enc.as_bytes()).unwrap(), data);
            for _ in 0..20 {
                let mut bad = enc.clone().into_bytes();
                if bad.is_empty() {
                    break;
                }
                let at = next(bad.len());
                bad[at] = b"A/=\n\r*\xff"[next(7)];
                assert_eq!(base64_decode(&bad), reference_decode(&bad), "{bad:?}");
            }
        }
    }

    #[test]
    fn base64_round_trips() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcd", b"{\"x\":1}\n"] {
            let mut s = String::new();
            base64_encode(data, &mut s);
            assert_eq!(base64_decode(s.as_bytes()).unwrap(), data, "{s}");
        }
        let mut s = String::new();
        base64_encode(b"hello", &mut s);
        assert_eq!(s, "aGVsbG8=");
        assert_eq!(base64_decode(b"aGVs\nbG8=").unwrap(), b"hello");
        assert_eq!(
            base64_decode(b"aGVsbG8").unwrap_err(),
            "illegal base64 data at input byte 4"
        );
        assert_eq!(
            base64_decode(b"a*Vs").unwrap_err(),
            "illegal base64 data at input byte 1"
        );
    }
}
