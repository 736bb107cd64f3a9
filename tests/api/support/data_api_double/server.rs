//! HTTP/1.1 on loopback, one thread and one request per connection: just enough framing for
//! the worker's `fetch` and the tests' `ureq`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use super::protocol::{answer, Answer, ServerConfig};
use super::State;

/// A request as the protocol reads it (header names lowercased).
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// Whether the client asked for canonical EJSON answers.
    pub fn wants_ejson(&self) -> bool {
        self.headers
            .get("accept")
            .is_some_and(|a| a.contains("application/ejson"))
    }
}

/// Serves every connection on `listener` from a thread of its own, until the process exits.
pub fn listen(listener: TcpListener, state: Arc<Mutex<State>>, config: Arc<ServerConfig>) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (state, config) = (state.clone(), config.clone());
            std::thread::spawn(move || serve(stream, &state, &config));
        }
    });
}

fn read_request(stream: &TcpStream) -> Option<HttpRequest> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(HttpRequest {
        method,
        path,
        headers,
        body,
    })
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, config: &ServerConfig) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let answer = answer(&request, state, config);
    if let Some(delay) = answer.delay {
        std::thread::sleep(delay);
    }
    write_answer(&mut stream, &answer, request.wants_ejson());
}

fn write_answer(stream: &mut TcpStream, answer: &Answer, ejson: bool) {
    let reason = match answer.status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    let content_type = if ejson {
        "application/ejson"
    } else {
        "application/json"
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(answer.body.as_bytes());
    let _ = stream.flush();
}
