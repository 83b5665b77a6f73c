//! The number scanner: the fast path through `nodes` and `edges`, which are nearly all of a snapshot.
//!
//! It takes 64 bytes at a time: a mask of the commas (found by SWAR, no SIMD), then each number between them by
//! eight-byte SWAR digit arithmetic; anything unusual (spaces, long numbers, a chunk's end, `]`, an error) stops
//! it, and the reader's byte-at-a-time path goes on from there.
//!
//! A long run of numbers in one chunk is shared with a second thread (`scan_far_part`), which stores the part after
//! a comma about half-way into columns of its own; the reader appends them once both halves are done, if its own
//! half ended where the second thread assumed it would (see `SnapshotParser::scan_numbers_split`).

use super::columns::{HeapSnapshot, Rows};

/// Below this, a second thread costs more than it saves.
pub const SPLIT_FROM_BYTES: usize = 256 << 10;

/// Where the `,` after a number ending at `at` is, when it comes straight away or after V8's row-ending newline.
#[inline(always)]
pub fn comma_after(chunk: &[u8], at: usize) -> Option<usize> {
    match chunk.get(at) {
        Some(b',') => Some(at),
        Some(b'\n') => (chunk.get(at + 1) == Some(&b',')).then_some(at + 1),
        _ => None,
    }
}

/// The numbers of the 64 bytes from `start` (a number's first byte) that end in a `,` (or V8's `\n,`), by a
/// mask of the commas: no byte-by-byte loop, and each number's work is independent of the one before. Stops
/// at anything else (a long number, spaces, `]`, an error) and returns where it stopped, for the general path.
#[inline(always)]
fn scan_block<E>(
    chunk: &[u8],
    start: usize,
    mut store: impl FnMut(u64, usize) -> Result<(), E>,
) -> Result<usize, E> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut commas = 0u64;
    for (k, word) in chunk[start..start + 64].chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ (ONES * 0x2C);
        let nonzero = (((word & (ONES * 0x7F)) + ONES * 0x7F) | word) & (ONES * 0x80);
        let zero = !nonzero & (ONES * 0x80);
        commas |= ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    let mut at = start;
    while commas != 0 {
        let comma = start + commas.trailing_zeros() as usize;
        commas &= commas - 1;
        // `comma > at`: a chunk may start with a comma (an error found by the general path).
        let end = if comma > at && chunk[comma - 1] == b'\n' {
            comma - 1
        } else {
            comma
        };
        let len = end.wrapping_sub(at);
        if len == 0 || len > 8 {
            break;
        }
        let word = u64::from_le_bytes(chunk[at..at + 8].try_into().expect("eight bytes"));
        let digits = word ^ (ONES * 0x30);
        let non_digit = (digits.wrapping_add(ONES * 0x76) | digits) & (ONES * 0x80);
        if ((non_digit.trailing_zeros() / 8) as usize) < len {
            break;
        }
        store(swar_digits(digits << (8 * (8 - len))), comma)?;
        at = comma + 1;
    }
    Ok(at)
}

/// The number of one to seven digits at `i` and the `,` after it (straight away or after V8's `\n`), read as
/// eight bytes at once: the digit run's length from a mask, its value by three multiplies.
#[inline(always)]
fn short_number(chunk: &[u8], i: usize) -> Option<(u64, usize)> {
    let word = u64::from_le_bytes(chunk.get(i..i + 8)?.try_into().ok()?);
    let digits = word ^ 0x3030_3030_3030_3030;
    let non_digit = (digits.wrapping_add(0x7676_7676_7676_7676) | digits) & 0x8080_8080_8080_8080;
    let len = (non_digit.trailing_zeros() / 8) as usize;
    if !(1..8).contains(&len) {
        return None;
    }
    let comma = comma_after(chunk, i + len)?;
    Some((swar_digits(digits << (8 * (8 - len))), comma))
}

/// Stores the values of `chunk[start..]` (where a number is expected) while they are numbers of up to eight
/// digits each followed by a comma; returns where it stopped (always where a number is expected) or the first
/// error of `store`, which gets each value and the offset of its comma.
pub fn scan_plain_numbers<E>(
    chunk: &[u8],
    start: usize,
    mut store: impl FnMut(u64, usize) -> Result<(), E>,
) -> Result<usize, E> {
    let mut i = start;
    loop {
        if i + 72 <= chunk.len() {
            let next = scan_block(chunk, i, &mut store)?;
            if next > i {
                i = next;
                continue;
            }
        }
        match short_number(chunk, i) {
            Some((value, comma)) => {
                store(value, comma)?;
                i = comma + 1;
            }
            None => return Ok(i),
        }
    }
}

/// Where the second thread of a split scan of `chunk[start..]` starts: just after a comma about half-way.
pub fn split_point(chunk: &[u8], start: usize) -> Option<usize> {
    // The second thread also counts this thread's commas and waits to be scheduled: it takes a little less.
    let mid = start + (chunk.len() - start) * 17 / 32;
    chunk[mid..]
        .iter()
        .take(64)
        .position(|&byte| byte == b',')
        .map(|at| mid + at + 1)
}

/// What the second thread of a split scan did.
pub struct FarPart<E> {
    /// The rows' state where it stopped.
    pub rows: Rows,
    /// The field it assumed the first value after the split point is.
    pub start_field: usize,
    /// Where it stopped (where a number is expected), or the first error of a value it stored.
    pub stop: Result<usize, E>,
}

/// The second thread's work in a split scan of `chunk[start..]` from `rest` (see `split_point`): it works out
/// which field of a row its first value is by counting the commas before it, as if all of them separated values
/// of this array, then stores what `scan_plain_numbers` reads into `columns`; `error` turns a message and the
/// offset of the value's comma into the caller's error.
pub fn scan_far_part<E>(
    chunk: &[u8],
    start: usize,
    rest: usize,
    mut rows: Rows,
    columns: &mut HeapSnapshot,
    error: impl Fn(String, usize) -> E,
) -> FarPart<E> {
    let commas = count_commas(&chunk[start..rest]);
    rows.field = (rows.field + commas) % rows.width().max(1);
    let start_field = rows.field;
    let stop = scan_plain_numbers(chunk, rest, |value, at| {
        rows.store(columns, value)
            .map_err(|message| error(message, at))
    });
    FarPart {
        rows,
        start_field,
        stop,
    }
}

/// How many commas `bytes` holds, eight bytes at a time (a byte-wise count is several times slower).
fn count_commas(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let words = bytes.chunks_exact(8);
    let tail = words
        .remainder()
        .iter()
        .filter(|&&byte| byte == b',')
        .count();
    words
        .map(|word| {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ (ONES * 0x2C);
            // Exact per byte (no borrow between bytes): the high bit of each byte that was a comma.
            let nonzero = (((word & (ONES * 0x7F)) + ONES * 0x7F) | word) & (ONES * 0x80);
            (!nonzero & (ONES * 0x80)).count_ones() as usize
        })
        .sum::<usize>()
        + tail
}

/// The number in eight little-endian digit bytes (values 0–9, the first the most significant).
#[inline(always)]
fn swar_digits(digits: u64) -> u64 {
    let pairs = (digits.wrapping_mul(10)).wrapping_add(digits >> 8) & 0x00FF_00FF_00FF_00FF;
    let quads = (pairs.wrapping_mul(100)).wrapping_add(pairs >> 16) & 0x0000_FFFF_0000_FFFF;
    (quads.wrapping_mul(10000)).wrapping_add(quads >> 32) & 0xFFFF_FFFF
}

#[cfg(test)]
mod tests {
    #[test]
    fn eight_digit_words() {
        for text in [
            "12345678", "00000001", "99999999", "10000000", "00000000", "40560027",
        ] {
            let word =
                u64::from_le_bytes(text.as_bytes().try_into().unwrap()) ^ 0x3030_3030_3030_3030;
            assert_eq!(super::swar_digits(word), text.parse::<u64>().unwrap());
        }
        for len in 1..8 {
            let text = &"7654321,"[8 - len - 1..];
            let mut padded = text.as_bytes().to_vec();
            padded.resize(8, b'9');
            let digits = u64::from_le_bytes(padded.try_into().unwrap()) ^ 0x3030_3030_3030_3030;
            let value = super::swar_digits(digits << (8 * (8 - len)));
            assert_eq!(value, text.trim_end_matches(',').parse::<u64>().unwrap());
        }
    }
}
