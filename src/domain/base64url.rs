//! base64url without padding (RFC 4648 §5), for what is published: a license token's payload,
//! signature and `jti`, and the public keys and their thumbprints. Table-driven, unlike `base64ct`'s constant-time encoder, which was 1.3 % of
//! validate's CPU profile: nothing encoded here is secret (the token is handed to the client),
//! so there is no timing to hide. Decoding untrusted input stays with `base64ct`.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends the base64url form of `bytes` to `out`.
pub fn encode_into(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    let mut push = |n: u32, symbols: usize| {
        for shift in [18, 12, 6, 0].into_iter().take(symbols) {
            out.push(char::from(ALPHABET[(n >> shift & 63) as usize]));
        }
    };
    let mut chunks = bytes.chunks_exact(3);
    for chunk in &mut chunks {
        push(
            u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]),
            4,
        );
    }
    match *chunks.remainder() {
        [a] => push(u32::from(a) << 16, 2),
        [a, b] => push(u32::from(a) << 16 | u32::from(b) << 8, 3),
        _ => {}
    }
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
    fn appends_to_what_is_already_there() {
        let mut out = String::from("header.");
        encode_into(&mut out, b"payload");
        assert_eq!(out, "header.cGF5bG9hZA");
    }
}
