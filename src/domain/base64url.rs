//! base64url without padding (RFC 4648 §5), for what is published: a license token's payload,
//! signature and `jti`, and the public keys and their thumbprints. Table-driven, unlike
//! `base64ct`'s constant-time encoder, which was 1.3 % of validate's CPU profile: nothing encoded
//! here is secret (the token is handed to the client), so there is no timing to hide. Decoding
//! untrusted input stays with `base64ct`.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends the base64url form of `bytes` to `out`. Plain loops and indexing: at the module's
/// `opt-level = "z"`, iterator adapters and `String::push` per symbol are calls that are not
/// inlined, and cost twice what `base64ct` did.
pub fn encode_into(out: &mut String, bytes: &[u8]) {
    out.reserve(encoded_len(bytes.len()));
    // 48 bytes at a time, into 64 symbols on the stack, appended as one `str`.
    let mut symbols = [0u8; 64];
    let mut start = 0;
    while start < bytes.len() {
        let block = &bytes[start..bytes.len().min(start + 48)];
        let (mut i, mut len) = (0, 0);
        while i < block.len() {
            let left = block.len() - i;
            let mut n = u32::from(block[i]) << 16;
            if left > 1 {
                n |= u32::from(block[i + 1]) << 8;
            }
            if left > 2 {
                n |= u32::from(block[i + 2]);
            }
            symbols[len] = ALPHABET[(n >> 18) as usize & 63];
            symbols[len + 1] = ALPHABET[(n >> 12) as usize & 63];
            len += 2;
            if left > 1 {
                symbols[len] = ALPHABET[(n >> 6) as usize & 63];
                len += 1;
            }
            if left > 2 {
                symbols[len] = ALPHABET[n as usize & 63];
                len += 1;
            }
            i += 3;
        }
        // Every symbol is from ALPHABET, which is ASCII.
        out.push_str(std::str::from_utf8(&symbols[..len]).unwrap_or_default());
        start += 48;
    }
}

/// The length of the base64url form of `len` bytes: four symbols per three bytes, and two or
/// three for the one or two left over.
pub fn encoded_len(len: usize) -> usize {
    len / 3 * 4 + [0, 2, 3][len % 3]
}

/// The base64url form of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    encode_into(&mut out, bytes);
    out
}

#[cfg(test)]
mod tests {
    use base64ct::{Base64UrlUnpadded, Encoding};

    use super::*;

    #[test]
    fn matches_rfc_4648_test_vectors() {
        // RFC 4648 §10, without the padding base64url may omit.
        for (input, expected) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn uses_the_url_safe_alphabet() {
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "-_-_");
    }

    #[test]
    fn agrees_with_base64ct_on_every_length_and_byte() {
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..bytes.len() {
            let input = &bytes[len / 3..len];
            assert_eq!(
                encode(input),
                Base64UrlUnpadded::encode_string(input),
                "{input:?}"
            );
        }
    }

    #[test]
    fn encoded_len_is_the_length_of_the_encoding() {
        for len in 0..100 {
            assert_eq!(
                encoded_len(len),
                encode(&vec![0xa5; len]).len(),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn appends_to_what_is_already_there() {
        let mut out = String::from("header.");
        encode_into(&mut out, b"payload");
        assert_eq!(out, "header.cGF5bG9hZA");
    }
}
