use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Serialize, Serializer};

/// A MongoDB ObjectId: 4-byte big-endian seconds, 5 process-unique random bytes, 3-byte counter.
/// Ordered by its bytes, as MongoDB orders ObjectIds (and as their lowercase hex sorts).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId([u8; 12]);

/// The text is not 24 hexadecimal characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidObjectId;

impl ObjectId {
    /// Parses 24 hex digits (either case); the canonical form is lowercase.
    pub fn parse(text: &str) -> Result<Self, InvalidObjectId> {
        let digits = text.as_bytes();
        if digits.len() != 24 {
            return Err(InvalidObjectId);
        }
        let mut bytes = [0u8; 12];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
        }
        Ok(Self(bytes))
    }

    pub const fn from_bytes(bytes: [u8; 12]) -> Self {
        Self(bytes)
    }

    pub const fn bytes(&self) -> [u8; 12] {
        self.0
    }

    /// The creation time embedded in the id, in Unix seconds.
    pub fn timestamp(&self) -> u32 {
        u32::from_be_bytes([self.0[0], self.0[1], self.0[2], self.0[3]])
    }
}

fn hex_value(digit: u8) -> Result<u8, InvalidObjectId> {
    match digit {
        b'0'..=b'9' => Ok(digit - b'0'),
        b'a'..=b'f' => Ok(digit - b'a' + 10),
        b'A'..=b'F' => Ok(digit - b'A' + 10),
        _ => Err(InvalidObjectId),
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Makes fresh ObjectIds the way MongoDB drivers do: the random part is fixed per process
/// (per isolate here), the counter starts at a random value and increments per id.
#[derive(Debug)]
pub struct ObjectIdGenerator {
    process_unique: [u8; 5],
    counter: AtomicU32,
}

impl ObjectIdGenerator {
    pub fn new(process_unique: [u8; 5], counter_start: u32) -> Self {
        Self {
            process_unique,
            counter: AtomicU32::new(counter_start & 0x00FF_FFFF),
        }
    }

    /// The next id for a moment `unix_seconds`; the 24-bit counter wraps.
    pub fn generate(&self, unix_seconds: u32) -> ObjectId {
        let count = self.counter.fetch_add(1, Ordering::Relaxed) & 0x00FF_FFFF;
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&unix_seconds.to_be_bytes());
        bytes[4..9].copy_from_slice(&self.process_unique);
        bytes[9..].copy_from_slice(&count.to_be_bytes()[1..]);
        ObjectId(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn parses_and_prints_the_canonical_lowercase_form() {
        let id = ObjectId::parse("60F7b3b3e6b3a72e8c8e4a1B").unwrap();
        assert_eq!(id.to_string(), "60f7b3b3e6b3a72e8c8e4a1b");
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"60f7b3b3e6b3a72e8c8e4a1b\""
        );
        assert_eq!(id.timestamp(), 0x60f7_b3b3);
    }

    #[test]
    fn refuses_text_that_is_not_24_hex_digits() {
        for bad in [
            "",
            "60f7b3b3e6b3a72e8c8e4a1",
            "60f7b3b3e6b3a72e8c8e4a1bb",
            "60f7b3b3e6b3a72e8c8e4a1g",
            "60f7b3b3e6b3a72e8c8e4a1 ",
            " 60f7b3b3e6b3a72e8c8e4a1",
            "0x0f7b3b3e6b3a72e8c8e4a1b",
            "60f7b3b3e6b3a72e8c8e4a１",
            "zzzzzzzzzzzzzzzzzzzzzzzz",
        ] {
            assert_eq!(ObjectId::parse(bad), Err(InvalidObjectId), "{bad:?}");
        }
    }

    #[test]
    fn generated_ids_carry_time_random_part_and_counter() {
        let generator = ObjectIdGenerator::new([1, 2, 3, 4, 5], 0x00AB_CDEF);
        let id = generator.generate(0x6500_0000);
        assert_eq!(id.bytes(), [0x65, 0, 0, 0, 1, 2, 3, 4, 5, 0xAB, 0xCD, 0xEF]);
        assert_eq!(id.timestamp(), 0x6500_0000);
        let next = generator.generate(0x6500_0000);
        assert_eq!(next.bytes()[9..], [0xAB, 0xCD, 0xF0]);
    }

    #[test]
    fn the_counter_wraps_at_24_bits_and_ids_stay_distinct_until_then() {
        let generator = ObjectIdGenerator::new([9; 5], 0x00FF_FFFE);
        let ids: Vec<_> = (0..4).map(|_| generator.generate(7)).collect();
        let counters: Vec<_> = ids.iter().map(|id| id.bytes()[9..].to_vec()).collect();
        assert_eq!(
            counters,
            [
                vec![0xFF, 0xFF, 0xFE],
                vec![0xFF, 0xFF, 0xFF],
                vec![0, 0, 0],
                vec![0, 0, 1]
            ]
        );
        let many: HashSet<_> = (0..10_000).map(|_| generator.generate(7)).collect();
        assert_eq!(many.len(), 10_000);
    }

    #[test]
    fn a_generated_id_round_trips_through_its_text() {
        let id = ObjectIdGenerator::new([0xde, 0xad, 0xbe, 0xef, 0x01], 42).generate(1_700_000_000);
        assert_eq!(ObjectId::parse(&id.to_string()), Ok(id));
    }
}
