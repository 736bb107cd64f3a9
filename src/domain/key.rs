use std::fmt;

use serde::Serialize;

use super::{EntropyUnavailable, ObjectId, RandomSource};

/// The characters of a key's random segments.
pub const KEY_ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const SEGMENTS: usize = 3;
const SEGMENT_LEN: usize = 4;
/// The largest multiple of 36 that fits a byte: bytes at or above it are redrawn, so every
/// character is equally likely (no modulo bias).
const UNBIASED_LIMIT: u8 = (256 / KEY_ALPHABET.len() * KEY_ALPHABET.len()) as u8;

/// A license key: `KB-{projectId}-XXXX-XXXX-XXXX`, each X uniform over `A-Z0-9`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct LicenseKey(String);

impl LicenseKey {
    /// Draws a fresh key for `project`.
    pub fn generate(
        project: &ObjectId,
        random: &mut impl RandomSource,
    ) -> Result<Self, EntropyUnavailable> {
        let chars = random_chars::<{ SEGMENTS * SEGMENT_LEN }>(random)?;
        let mut key = format!("KB-{project}");
        for segment in chars.chunks(SEGMENT_LEN) {
            key.push('-');
            key.extend(segment.iter().map(|&c| char::from(c)));
        }
        Ok(Self(key))
    }

    /// A key read back from storage, where only generated keys are ever written.
    pub fn from_stored(key: String) -> Self {
        Self(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LicenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `N` characters drawn uniformly from [`KEY_ALPHABET`] by rejection sampling.
fn random_chars<const N: usize>(
    random: &mut impl RandomSource,
) -> Result<[u8; N], EntropyUnavailable> {
    let mut out = [0u8; N];
    let mut filled = 0;
    // A byte is rejected with probability 4/256, so one batch of N + 8 nearly always suffices.
    let mut pool = [0u8; 32];
    while filled < N {
        random.fill(&mut pool)?;
        for c in pool.iter().filter_map(|&byte| char_for(byte)) {
            if filled == N {
                break;
            }
            out[filled] = c;
            filled += 1;
        }
    }
    Ok(out)
}

/// The alphabet character for a random byte, or `None` for the few bytes that must be redrawn.
fn char_for(byte: u8) -> Option<u8> {
    (byte < UNBIASED_LIMIT).then(|| KEY_ALPHABET[usize::from(byte) % KEY_ALPHABET.len()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OsRandom;

    /// Replays fixed bytes, cycling.
    struct Replay(Vec<u8>, usize);

    impl RandomSource for Replay {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
            for b in buf {
                *b = self.0[self.1 % self.0.len()];
                self.1 += 1;
            }
            Ok(())
        }
    }

    struct Broken;

    impl RandomSource for Broken {
        fn fill(&mut self, _: &mut [u8]) -> Result<(), EntropyUnavailable> {
            Err(EntropyUnavailable)
        }
    }

    fn project() -> ObjectId {
        ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1b").unwrap()
    }

    #[test]
    fn keys_have_the_documented_format() {
        for _ in 0..1000 {
            let key = LicenseKey::generate(&project(), &mut OsRandom).unwrap();
            let rest = key
                .as_str()
                .strip_prefix("KB-60f7b3b3e6b3a72e8c8e4a1b-")
                .unwrap();
            let segments: Vec<_> = rest.split('-').collect();
            assert_eq!(segments.len(), 3, "{key}");
            for segment in segments {
                assert_eq!(segment.len(), 4, "{key}");
                assert!(segment.bytes().all(|c| KEY_ALPHABET.contains(&c)), "{key}");
            }
        }
    }

    #[test]
    fn bytes_map_onto_the_alphabet_in_order() {
        let bytes: Vec<u8> = (0..12).map(|i| i * 3).collect();
        let key = LicenseKey::generate(&project(), &mut Replay(bytes, 0)).unwrap();
        assert_eq!(key.as_str(), "KB-60f7b3b3e6b3a72e8c8e4a1b-ADGJ-MPSV-Y147");
    }

    #[test]
    fn bytes_that_would_bias_the_draw_are_rejected() {
        // 252..=255 would favour A-D under a plain modulo; they must be skipped.
        let bytes = vec![252, 253, 254, 255, 35, 36, 251];
        let key = LicenseKey::generate(&project(), &mut Replay(bytes, 0)).unwrap();
        assert_eq!(key.as_str(), "KB-60f7b3b3e6b3a72e8c8e4a1b-9A99-A99A-99A9");
    }

    #[test]
    fn every_character_is_equally_likely() {
        // Over all 256 byte values, the accepted ones must hit each character equally often.
        let mut counts = [0usize; 36];
        for c in (0..=255u8).filter_map(char_for) {
            counts[KEY_ALPHABET.iter().position(|&a| a == c).unwrap()] += 1;
        }
        assert_eq!(counts, [7; 36]);
        assert_eq!((0..=255u8).filter(|&b| char_for(b).is_none()).count(), 4);
    }

    #[test]
    fn os_randomness_covers_the_whole_alphabet_evenly() {
        let mut counts = [0usize; 36];
        let draws = 36 * 2000;
        for _ in 0..draws / 12 {
            for c in random_chars::<12>(&mut OsRandom).unwrap() {
                counts[KEY_ALPHABET.iter().position(|&a| a == c).unwrap()] += 1;
            }
        }
        // Expected 2000 each; a chi-squared over 35 degrees of freedom above 80 has p < 1e-5.
        let chi2: f64 = counts
            .iter()
            .map(|&n| (n as f64 - 2000.0).powi(2) / 2000.0)
            .sum();
        assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
        assert!(chi2 < 80.0, "chi2 = {chi2}, counts = {counts:?}");
    }

    #[test]
    fn a_failing_random_source_is_reported_not_hidden() {
        assert_eq!(
            LicenseKey::generate(&project(), &mut Broken),
            Err(EntropyUnavailable)
        );
    }
}
