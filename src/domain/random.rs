//! Randomness is an input: code that needs random bytes takes a [`RandomSource`].

/// The platform could not supply random bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntropyUnavailable;

/// A source of random bytes.
pub trait RandomSource {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable>;
}

/// The operating system's CSPRNG (`crypto.getRandomValues` on Workers).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
        getrandom::getrandom(buf).map_err(|_| EntropyUnavailable)
    }
}

impl<R: RandomSource + ?Sized> RandomSource for &mut R {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
        (**self).fill(buf)
    }
}
