//! The string table: every string of the snapshot in one byte arena, with an offset per string.
//!
//! The reader appends decoded bytes as they arrive (a string may span chunks) and ends each string with
//! `end_string`. JSON gives text as UTF-8 with `\uXXXX` escapes in UTF-16: a surrogate pair becomes one code point,
//! and a lone surrogate (V8 writes them, from strings it never checked) becomes U+FFFD, so the arena holds valid
//! UTF-8 by construction.

/// Every string of the snapshot in one byte arena: string `i` is `bytes[offsets[i]..offsets[i + 1]]`.
#[derive(Debug)]
pub struct StringTable {
    bytes: Vec<u8>,
    /// Four bytes a string: the arena is capped at 4 GiB (an error past that).
    offsets: Vec<u32>,
    /// While reading: the high surrogate of a `\uD8xx\uDCxx` pair waiting for its low half.
    pending_surrogate: Option<u32>,
}

impl Default for StringTable {
    fn default() -> Self {
        Self {
            bytes: Vec::new(),
            offsets: vec![0],
            pending_surrogate: None,
        }
    }
}

impl StringTable {
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `index`, or `""` when out of range. The arena holds UTF-8 by construction.
    pub fn get(&self, index: u32) -> &str {
        std::str::from_utf8(self.bytes(index)).unwrap_or("")
    }

    /// String `index` as bytes (no UTF-8 check), or empty when out of range.
    pub fn bytes(&self, index: u32) -> &[u8] {
        let index = index as usize;
        if index >= self.len() {
            return &[];
        }
        &self.bytes[self.offsets[index] as usize..self.offsets[index + 1] as usize]
    }

    /// Bytes in the arena, and its capacity (for the profile).
    pub(super) fn arena_size(&self) -> (usize, usize) {
        (self.bytes.len(), self.bytes.capacity())
    }

    /// A new string starts: a surrogate left over from a broken one is forgotten.
    pub(super) fn begin_string(&mut self) {
        self.pending_surrogate = None;
    }

    /// Appends bytes that need no decoding.
    pub(super) fn push_bytes(&mut self, bytes: &[u8]) {
        self.flush_surrogate();
        self.bytes.extend_from_slice(bytes);
    }

    /// Appends one decoded byte (a simple escape such as `\n`).
    pub(super) fn push_byte(&mut self, byte: u8) {
        self.flush_surrogate();
        self.bytes.push(byte);
    }

    /// Appends one UTF-16 unit of a `\u` escape, pairing surrogates; a lone one becomes U+FFFD.
    pub(super) fn push_utf16_unit(&mut self, unit: u32) {
        if (0xD800..0xDC00).contains(&unit) {
            self.flush_surrogate();
            self.pending_surrogate = Some(unit);
        } else if (0xDC00..0xE000).contains(&unit) {
            if let Some(high) = self.pending_surrogate.take() {
                let code_point = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                append_utf8(&mut self.bytes, code_point);
            } else {
                append_utf8(&mut self.bytes, 0xFFFD);
            }
        } else {
            self.flush_surrogate();
            append_utf8(&mut self.bytes, unit);
        }
    }

    /// Ends the current string; `false` when the arena has outgrown 4 GiB.
    pub(super) fn end_string(&mut self) -> bool {
        self.flush_surrogate();
        match u32::try_from(self.bytes.len()) {
            Ok(end) => {
                self.offsets.push(end);
                true
            }
            Err(_) => false,
        }
    }

    /// Gives back the slack left by growing the arena by doubling.
    pub(super) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.offsets.shrink_to_fit();
    }

    fn flush_surrogate(&mut self) {
        if self.pending_surrogate.take().is_some() {
            append_utf8(&mut self.bytes, 0xFFFD);
        }
    }
}

fn append_utf8(bytes: &mut Vec<u8>, code_point: u32) {
    let ch = char::from_u32(code_point).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buffer = [0u8; 4];
    bytes.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes());
}
