//! A JWKS endpoint on loopback, served by the test process: std `TcpListener`, one thread per
//! connection, a body the tests swap (rotation) or take away (outage: 503), a request count.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

struct State {
    /// `None`: the endpoint is down (answers 503).
    body: Option<String>,
    cache_control: String,
    hits: u32,
}

static STATE: OnceLock<Mutex<State>> = OnceLock::new();

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE
        .get()
        .expect("the JWKS server is started")
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Starts the server (down until [`serve`]) and returns its JWKS URL.
pub fn start() -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let _ = STATE.set(Mutex::new(State {
        body: None,
        cache_control: "public, max-age=300".into(),
        hits: 0,
    }));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    Ok(format!("http://127.0.0.1:{port}/.well-known/jwks.json"))
}

fn answer(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let (status, body, cache_control) = {
        let mut state = state();
        if request_line.contains("/.well-known/jwks.json") {
            state.hits += 1;
        }
        match (&state.body, request_line.contains("/.well-known/jwks.json")) {
            (Some(body), true) => ("200 OK", body.clone(), state.cache_control.clone()),
            (None, true) => (
                "503 Service Unavailable",
                "down".to_owned(),
                "no-store".to_owned(),
            ),
            (_, false) => (
                "404 Not Found",
                "not found".to_owned(),
                "no-store".to_owned(),
            ),
        }
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nCache-Control: {cache_control}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

/// Serves `jwks` from now on (`None`: an outage).
pub fn serve(jwks: Option<String>) {
    state().body = jwks;
}

/// Requests the JWKS path has received so far.
pub fn hits() -> u32 {
    state().hits
}
