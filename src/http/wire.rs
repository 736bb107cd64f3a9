//! The texts the worker's JS glue (`src/edge/glue.js`) and Rust exchange: the request's method,
//! URL and headers in one string, the response's headers in one string. One call across the
//! wasm boundary each way instead of one per header (`docs/performance.md`). Pure, so the
//! formats are tested natively.

/// Separates the fields of both texts: Fetch forbids line feeds in header values and methods,
/// and the URL parser removes them from URLs.
const SEPARATOR: char = '\n';
/// A header the request does not carry (Fetch forbids NUL in header values).
const ABSENT: &str = "\0";

/// A request's method, URL and header values, as `requestHead` reads them.
#[derive(Debug, PartialEq, Eq)]
pub struct Head<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// The values of the names asked for, in their order; `None` for a missing header, and for
    /// every name the text has no field for.
    values: Vec<Option<&'a str>>,
}

impl<'a> Head<'a> {
    /// No method, no URL, no header: what an unreadable head stands for.
    pub const EMPTY: Head<'static> = Head {
        method: "",
        url: "",
        values: Vec::new(),
    };

    /// Reads `method \n url \n value…`; `None` when the text lacks the method or the URL.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut fields = text.split(SEPARATOR);
        let method = fields.next()?;
        let url = fields.next()?;
        let values = fields.map(|v| (v != ABSENT).then_some(v)).collect();
        Some(Self {
            method,
            url,
            values,
        })
    }

    /// The value of the `index`-th name asked for.
    pub fn value(&self, index: usize) -> Option<&'a str> {
        self.values.get(index).copied().flatten()
    }
}

/// `name \n value \n …` of `headers`, for the glue's `response`. A value with a line feed
/// (never one of ours: they are constants, and echoed request values cannot hold one) would
/// break the format, so such a header is left out.
pub fn join_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut text = String::new();
    for (name, value) in headers {
        if value.contains(SEPARATOR) || name.contains(SEPARATOR) {
            continue;
        }
        if !text.is_empty() {
            text.push(SEPARATOR);
        }
        text.push_str(name);
        text.push(SEPARATOR);
        text.push_str(value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_gives_the_method_the_url_and_each_header_in_the_order_asked() {
        let head =
            Head::parse("POST\nhttps://k.example/validate?x=1\napplication/json\n\0\n").unwrap();
        assert_eq!(head.method, "POST");
        assert_eq!(head.url, "https://k.example/validate?x=1");
        assert_eq!(head.value(0), Some("application/json"));
        assert_eq!(head.value(1), None, "a missing header");
        assert_eq!(
            head.value(2),
            Some(""),
            "a header sent empty is not a missing one"
        );
        assert_eq!(head.value(3), None, "a name the text has no field for");
    }

    #[test]
    fn a_head_without_a_url_is_refused() {
        assert_eq!(Head::parse("GET"), None);
        assert!(Head::parse("GET\n").is_some_and(|h| h.url.is_empty()));
    }

    #[test]
    fn header_values_keep_their_commas_colons_and_spaces() {
        let head = Head::parse("GET\n/\nBearer a.b.c\ncontent-type, x-a: 1").unwrap();
        assert_eq!(head.value(0), Some("Bearer a.b.c"));
        assert_eq!(head.value(1), Some("content-type, x-a: 1"));
    }

    #[test]
    fn response_headers_alternate_names_and_values() {
        let text = join_headers([("content-type", "application/json"), ("vary", "Origin")]);
        assert_eq!(text, "content-type\napplication/json\nvary\nOrigin");
        assert_eq!(join_headers([]), "");
    }

    #[test]
    fn a_header_with_a_line_feed_is_left_out_rather_than_breaking_the_pairs() {
        let text = join_headers([("a", "1\nb"), ("c", "2")]);
        assert_eq!(text, "c\n2");
    }
}
