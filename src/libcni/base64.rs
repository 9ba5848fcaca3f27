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

/// Go's `base64.StdEncoding.Decode` (padding required, `\r` and `\n`
/// ignored), with its error text.
pub(crate) fn base64_decode(s: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let corrupt = |i: usize| format!("illegal base64 data at input byte {i}");
    let symbols: Vec<(usize, u8)> = s
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| *c != b'\r' && *c != b'\n')
        .collect();
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    for (q, quad) in symbols.chunks(4).enumerate() {
        let last = (q + 1) * 4 >= symbols.len();
        let mut n = 0u32;
        let mut have = 0;
        for (j, &(pos, c)) in quad.iter().enumerate() {
            if c == b'=' {
                // Padding: only in the last quantum, after two or three symbols.
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
            // The input ended inside a quantum: Go names where it began.
            return Err(corrupt(quad[0].0));
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..have - 1]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
