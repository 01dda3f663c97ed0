//! A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 for the download tests: each test
//! starts one on a free port with a handler that decides every answer. No internet is used.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A request as the server saw it: the path and the headers (names lower-case).
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl SeenRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// What the server answers; `cut_after` sends only that many body bytes, then closes.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub cut_after: Option<usize>,
}

pub type Handler = dyn Fn(&SeenRequest, usize) -> Reply + Send + Sync;

/// A one-connection-at-a-time HTTP/1.1 server; every answer closes its connection.
pub struct TestServer {
    pub port: u16,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn start(handler: Box<Handler>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let port = listener.local_addr().expect("local address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_seen, thread_stop) = (Arc::clone(&seen), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                serve_connection(stream, handler.as_ref(), &thread_seen);
            }
        });
        TestServer { port, seen, stop, thread: Some(thread) }
    }

    pub fn url(&self, file_name: &str) -> String {
        format!("http://127.0.0.1:{}/{file_name}", self.port)
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().map(|seen| seen.clone()).unwrap_or_default()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_connection(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<SeenRequest>>) {
    let Some(request) = read_request(&stream) else { return };
    let index = {
        let mut seen = seen.lock().expect("request log");
        seen.push(request.clone());
        seen.len() - 1
    };
    let reply = handler(&request, index);
    let _ = write_reply(&stream, &reply);
    let _ = stream.shutdown(Shutdown::Both);
}

/// Reads the request line and headers (GET requests have no body).
fn read_request(stream: &TcpStream) -> Option<SeenRequest> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    Some(SeenRequest { path, headers })
}

fn write_reply(mut stream: &TcpStream, reply: &Reply) -> std::io::Result<()> {
    let mut head =
        format!("HTTP/1.1 {} Test\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, reply.body.len());
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    let sent = reply.cut_after.unwrap_or(reply.body.len()).min(reply.body.len());
    stream.write_all(&reply.body[..sent])?;
    stream.flush()
}

/// Serves `blob`, honouring `Range: bytes=N-` (206, or 416 past the end).
pub fn serve_blob(blob: &[u8], request: &SeenRequest) -> Reply {
    let total = blob.len();
    let start = request
        .header("range")
        .and_then(|value| value.strip_prefix("bytes="))
        .and_then(|value| value.strip_suffix('-'))
        .and_then(|value| value.parse::<usize>().ok());
    match start {
        None => Reply { status: 200, headers: vec![], body: blob.to_vec(), cut_after: None },
        Some(start) if start >= total => Reply {
            status: 416,
            headers: vec![("Content-Range".into(), format!("bytes */{total}"))],
            body: vec![],
            cut_after: None,
        },
        Some(start) => Reply {
            status: 206,
            headers: vec![("Content-Range".into(), format!("bytes {start}-{}/{total}", total - 1))],
            body: blob[start..].to_vec(),
            cut_after: None,
        },
    }
}
