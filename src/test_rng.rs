//! A small deterministic generator for tests that compare a fast path
//! with the general one on many generated inputs.

/// `next(n)`: a number below `n` from a xorshift stream seeded by `seed`
/// (not zero).
pub(crate) fn below(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}
