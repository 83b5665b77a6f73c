//! A column of small type codes, two to a byte when every code fits in four bits (V8 declares 7 edge types and 14
//! node types): a 24 M-edge snapshot's edge types then take 12 MB instead of 24 at the analysis' memory peak.

use super::memory::filled;

pub struct KindColumn {
    bytes: Vec<u8>,
    /// Two codes a byte, the even index in the low half.
    packed: bool,
    len: usize,
}

impl KindColumn {
    /// `type_count`: how many types the snapshot declares; the parser checked every code is below it.
    pub fn new(codes: Vec<u8>, type_count: usize) -> Self {
        let len = codes.len();
        if type_count > 16 {
            return Self {
                bytes: codes,
                packed: false,
                len,
            };
        }
        let mut bytes = filled(len.div_ceil(2), 0u8);
        for (byte, pair) in bytes.iter_mut().zip(codes.chunks(2)) {
            let high = pair.get(1).copied().unwrap_or(0);
            *byte = (pair[0] & 0x0F) | (high << 4);
        }
        Self {
            bytes,
            packed: true,
            len,
        }
    }

    #[inline]
    pub fn get(&self, index: usize) -> u8 {
        if self.packed {
            (self.bytes[index >> 1] >> ((index & 1) * 4)) & 0x0F
        } else {
            self.bytes[index]
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::KindColumn;

    #[test]
    fn packed_and_wide_columns_give_back_every_code() {
        for len in 0..9 {
            let codes: Vec<u8> = (0..len).map(|i| (i * 5 % 16) as u8).collect();
            let packed = KindColumn::new(codes.clone(), 14);
            assert_eq!(packed.len(), len);
            assert!(packed.packed);
            let wide_codes: Vec<u8> = codes.iter().map(|&code| code + 16).collect();
            let wide = KindColumn::new(wide_codes.clone(), 40);
            assert!(!wide.packed);
            for i in 0..len {
                assert_eq!(packed.get(i), codes[i]);
                assert_eq!(wide.get(i), wide_codes[i]);
            }
        }
    }
}
