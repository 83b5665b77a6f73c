//! The number scanner: the fast path through `nodes` and `edges`, which are nearly all of a snapshot.
//!
//! Whole rows first (`scan_rows`): 64 bytes at a time, a mask of the commas (found by SWAR, no SIMD) gives where
//! every number ends, so each number's work is independent of the one before; each is read by SWAR digit
//! arithmetic (eight bytes at once, two loads for up to sixteen digits), and once a row's values are read they are
//! checked together and stored with one branch (`NodeLayout::store`, `EdgeLayout::store`). A row that is not plain
//! (spaces, a long number, a value out of range, a chunk's end) goes value by value (`scan_values`), with the
//! checks and errors of `Rows::store`; anything else (`]`, an error) stops the scan, and the reader's
//! byte-at-a-time path goes on from there.
//!
//! A long run of numbers in one chunk is shared with a second thread (`scan_far_part`), which stores the part after
//! a cut about half-way into columns of its own; the reader appends them once both halves are done, if its own
//! half ended where the second thread assumed it would (see `SnapshotParser::scan_numbers_split`). V8 ends every
//! row with a newline, so a cut just after `\n,` starts a row: no need to count the values before it. Elsewhere
//! the second thread counts the commas before its cut to know which field it starts at.

use super::columns::{HeapSnapshot, Layout, Rows, MAX_ROW_WIDTH};

/// Below this, a second thread costs more than it saves.
pub const SPLIT_FROM_BYTES: usize = 256 << 10;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = ONES * 0x80;

/// Where the `,` after a number ending at `at` is, when it comes straight away or after V8's row-ending newline.
#[inline(always)]
pub fn comma_after(chunk: &[u8], at: usize) -> Option<usize> {
    match chunk.get(at) {
        Some(b',') => Some(at),
        Some(b'\n') => (chunk.get(at + 1) == Some(&b',')).then_some(at + 1),
        _ => None,
    }
}

#[inline(always)]
pub fn load(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// The high bit of each byte of `word` that is not an ASCII digit, exact up to and including the first such byte
/// (a borrow can only mark bytes after it). `digits` is the word with `0x30` taken from each byte.
#[inline(always)]
fn non_digits(digits: u64) -> u64 {
    (digits.wrapping_add(ONES * 0x76) | digits) & HIGH_BITS
}

/// The high bit of each byte of `word` equal to `byte`: exact for every byte (no carry between bytes).
#[inline(always)]
pub fn bytes_equal(word: u64, byte: u8) -> u64 {
    let word = word ^ (ONES * u64::from(byte));
    let nonzero = (((word & (ONES * 0x7F)) + ONES * 0x7F) | word) & HIGH_BITS;
    !nonzero & HIGH_BITS
}

/// One bit per comma of the 64 bytes from `at`.
#[inline(always)]
fn comma_mask(chunk: &[u8], at: usize) -> u64 {
    let mut commas = 0u64;
    for k in 0..8 {
        let high = bytes_equal(load(chunk, at + 8 * k), b',');
        // Gathers the eight high bits into one byte.
        commas |= ((high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    commas
}

const POWERS_OF_TEN: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The number `chunk[at..end]`, when it is one to sixteen digits (and `chunk` has eight bytes from `at` and
/// before `end`).
#[inline(always)]
fn digits_value(chunk: &[u8], at: usize, end: usize) -> Option<u64> {
    let len = end.wrapping_sub(at);
    if len.wrapping_sub(1) >= 16 {
        return None;
    }
    let first = load(chunk, at) ^ (ONES * 0x30);
    let first_len = (non_digits(first).trailing_zeros() / 8) as usize;
    if len <= 8 {
        return (first_len >= len).then(|| swar_digits(first << (8 * (8 - len))));
    }
    // Nine to sixteen digits: the first eight, then the eight that end the number (overlapping them), whose
    // leading bytes are zeroed.
    let last = load(chunk, end - 8) ^ (ONES * 0x30);
    if first_len < 8 || non_digits(last) != 0 {
        return None;
    }
    let tail = last & !((1u64 << (8 * (16 - len))) - 1);
    Some(swar_digits(first) * POWERS_OF_TEN[len - 8] + swar_digits(tail))
}

/// The number of one to sixteen digits at `i` and the `,` after it (straight away or after V8's `\n`).
#[inline(always)]
fn plain_number(chunk: &[u8], i: usize) -> Option<(u64, usize)> {
    if i + 16 > chunk.len() {
        return None;
    }
    let first = non_digits(load(chunk, i) ^ (ONES * 0x30));
    let len = if first != 0 {
        (first.trailing_zeros() / 8) as usize
    } else {
        8 + (non_digits(load(chunk, i + 8) ^ (ONES * 0x30)).trailing_zeros() / 8) as usize
    };
    let comma = comma_after(chunk, i + len)?;
    Some((digits_value(chunk, i, i + len)?, comma))
}

/// Stores whole rows of `W` values from `chunk[start..]` (a row's first number) while they are plain: numbers of
/// one to sixteen digits, each followed by `,` or V8's `\n,`, that `store_row` accepts. Returns where the first
/// row not stored starts. Each 64 bytes' commas come from one mask, so no number waits for the one before; a
/// row's values are read in straight-line code (`W` is a constant) into registers.
#[inline(always)]
fn scan_rows<const W: usize>(
    chunk: &[u8],
    start: usize,
    mut store_row: impl FnMut(&[u64; MAX_ROW_WIDTH]) -> bool,
) -> usize {
    // Room for a mask's 64 bytes and a number's two loads after them.
    let Some(last_window) = chunk.len().checked_sub(64 + 16) else {
        return start;
    };
    let mut at = start;
    let mut base = start;
    let mut commas = 0u64;
    let mut row = [0u64; MAX_ROW_WIDTH];
    loop {
        let row_start = at;
        for value in &mut row[..W] {
            if commas == 0 {
                if at > last_window {
                    return row_start;
                }
                base = at;
                commas = comma_mask(chunk, base);
                if commas == 0 {
                    return row_start;
                }
            }
            let comma = base + commas.trailing_zeros() as usize;
            commas &= commas - 1;
            let end = comma - usize::from(chunk[comma.saturating_sub(1)] == b'\n');
            let Some(number) = digits_value(chunk, at, end) else {
                return row_start;
            };
            *value = number;
            at = comma + 1;
        }
        if !store_row(&row) {
            return row_start;
        }
    }
}

/// Whole rows of the layout's width (see `scan_rows`); `start` when there is no whole-row path for it.
fn scan_layout_rows(
    chunk: &[u8],
    start: usize,
    layout: Layout,
    columns: &mut HeapSnapshot,
) -> usize {
    match layout {
        Layout::Edges(edges) if edges.width() == 3 => {
            scan_rows::<3>(chunk, start, |row| edges.store(columns, row))
        }
        Layout::Nodes(nodes) if nodes.width() == 7 => {
            scan_rows::<7>(chunk, start, |row| nodes.store(columns, row))
        }
        Layout::Nodes(nodes) if nodes.width() == 6 => {
            scan_rows::<6>(chunk, start, |row| nodes.store(columns, row))
        }
        _ => start,
    }
}

/// Stores the values of `chunk[start..]` (where a number is expected, at field `rows.field` of a row): whole rows
/// by `scan_rows`, the others value by value through `Rows::store`, whose first error `error` turns into the
/// caller's (from the message and the offset of the value's comma). Returns where it stopped, always where a
/// number is expected: at anything but a number of up to sixteen digits followed by a comma.
pub fn scan_values<E>(
    chunk: &[u8],
    start: usize,
    rows: &mut Rows,
    columns: &mut HeapSnapshot,
    error: impl Fn(String, usize) -> E,
) -> Result<usize, E> {
    let mut i = start;
    loop {
        if rows.field == 0 {
            let next = scan_layout_rows(chunk, i, rows.layout(), columns);
            if next > i {
                i = next;
                continue;
            }
        }
        // The rest of this row (the next row whole, when it is not plain), one value at a time.
        let wanted = rows.width().max(1) - rows.field;
        let from = i;
        for _ in 0..wanted {
            let Some((value, comma)) = plain_number(chunk, i) else {
                break;
            };
            rows.store(columns, value)
                .map_err(|message| error(message, comma))?;
            i = comma + 1;
        }
        if i == from {
            return Ok(i);
        }
    }
}

/// Where the second thread of a split scan of `chunk[start..]` starts, about half-way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Just after a row-ending `\n,`: at a row's first value.
    RowStart(usize),
    /// Just after a comma: the commas before it say which field.
    AfterComma(usize),
}

/// Where to cut `chunk[start..]` for a split scan; `rows_end_lines` when rows are known to end with a newline.
pub fn split_point(chunk: &[u8], start: usize, rows_end_lines: bool) -> Option<Cut> {
    let mid = start + (chunk.len() - start) / 2;
    if rows_end_lines {
        // A row is short: one ends within a few bytes, or this is not V8's layout.
        let near = &chunk[mid..chunk.len().min(mid + 4096)];
        if let Some(at) = near.windows(2).position(|pair| pair == b"\n,") {
            return Some(Cut::RowStart(mid + at + 2));
        }
    }
    chunk[mid..]
        .iter()
        .take(64)
        .position(|&byte| byte == b',')
        .map(|at| Cut::AfterComma(mid + at + 1))
}

/// What the second thread of a split scan did.
pub struct FarPart<E> {
    /// The rows' state where it stopped.
    pub rows: Rows,
    /// The field it assumed the first value after the cut is.
    pub start_field: usize,
    /// Where it stopped (where a number is expected), or the first error of a value it stored.
    pub stop: Result<usize, E>,
}

/// The second thread's work in a split scan of `chunk[start..]` from `cut`: it takes the first value after the cut
/// as a row's first (`Cut::RowStart`) or works out its field by counting the commas before it, as if all of them
/// separated values of this array (`Cut::AfterComma`), then stores what `scan_values` reads into `columns`.
pub fn scan_far_part<E>(
    chunk: &[u8],
    start: usize,
    cut: Cut,
    mut rows: Rows,
    columns: &mut HeapSnapshot,
    error: impl Fn(String, usize) -> E,
) -> FarPart<E> {
    let rest = match cut {
        Cut::RowStart(rest) => {
            rows.field = 0;
            rest
        }
        Cut::AfterComma(rest) => {
            let commas = count_commas(&chunk[start..rest]);
            rows.field = (rows.field + commas) % rows.width().max(1);
            rest
        }
    };
    let start_field = rows.field;
    let stop = scan_values(chunk, rest, &mut rows, columns, error);
    FarPart {
        rows,
        start_field,
        stop,
    }
}

/// How many commas `bytes` holds, eight bytes at a time (a byte-wise count is several times slower).
fn count_commas(bytes: &[u8]) -> usize {
    let words = bytes.chunks_exact(8);
    let tail = words
        .remainder()
        .iter()
        .filter(|&&byte| byte == b',')
        .count();
    words
        .map(|word| bytes_equal(load(word, 0), b',').count_ones() as usize)
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
    fn numbers_of_one_to_sixteen_digits_then_a_comma() {
        let mut number = String::new();
        for digits in 1..=20 {
            number.push(char::from(b'0' + (digits * 7 % 10) as u8));
            for separator in [",", "\n,"] {
                let text = format!("{number}{separator}0000000000000000000");
                let parsed = super::plain_number(text.as_bytes(), 0);
                if digits <= 16 {
                    let comma = text.find(',').expect("a comma");
                    assert_eq!(
                        parsed,
                        Some((number.parse().expect("a number"), comma)),
                        "{text:?}"
                    );
                    let value = super::digits_value(text.as_bytes(), 0, number.len());
                    assert_eq!(value, number.parse().ok());
                } else {
                    assert_eq!(parsed, None, "{text:?}");
                }
            }
        }
        for text in [
            "12x4,0000000000000000",
            "1 ,00000000000000000",
            ",1,00000000000000000",
            "12345678901x,0000000",
        ] {
            assert_eq!(super::plain_number(text.as_bytes(), 0), None, "{text:?}");
        }
        // Too short for the two eight-byte loads: the byte-at-a-time path reads it.
        assert_eq!(super::plain_number(b"12,", 0), None);
    }

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
