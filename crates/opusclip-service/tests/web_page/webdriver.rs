//! A small WebDriver client for the web page tests: chromedriver on a free local port driving
//! Debian's headless Chromium, spoken to over HTTP with the blocking client the tests already
//! use (no WebDriver crate).

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Are Chromium and chromedriver installed? When not: a note (or a failure under
/// `OPUSCLIP_REQUIRE_SERVICES=1`).
pub fn browser_available() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
    assert!(!required, "{CHROMIUM} and {CHROMEDRIVER} are required (OPUSCLIP_REQUIRE_SERVICES=1)");
    eprintln!("note: skipped — {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)");
    false
}

/// A chromedriver process on a free local port, stopped on drop.
pub struct Driver {
    child: Child,
    base: String,
}

impl Driver {
    pub fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver { child, base: format!("http://127.0.0.1:{port}") };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(answer) = call("GET", &format!("{}/status", driver.base), None) {
                if answer["value"]["ready"] == json!(true) {
                    return driver;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not become ready in 20 s");
    }

    pub fn session(&self) -> Browser {
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1400"
            ] }
        } } });
        let answer = call("POST", &format!("{}/session", self.base), Some(&capabilities)).expect("a browser session");
        let id = answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}")).to_string();
        Browser { base: format!("{}/session/{id}", self.base) }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session; closed on drop.
pub struct Browser {
    base: String,
}

impl Browser {
    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let answer = call(method, &format!("{}{path}", self.base), body).unwrap_or_else(|e| panic!("{path}: {e}"));
        // A WebDriver error is {error, message, stacktrace} (a script's own `error` field is not).
        if answer["value"]["error"].as_str().is_some_and(|e| !e.is_empty()) && answer["value"]["message"].is_string() {
            panic!("WebDriver {method} {path}: {}", answer["value"]);
        }
        answer["value"].clone()
    }

    pub fn navigate(&self, url: &str) {
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    pub fn element(&self, css: &str) -> String {
        let found = self.command("POST", "/element", Some(&json!({ "using": "css selector", "value": css })));
        found[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {found}")).to_string()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css);
        self.command("POST", &format!("/element/{element}/value"), Some(&json!({ "text": text })));
    }

    pub fn click(&self, css: &str) {
        let element = self.element(css);
        self.command("POST", &format!("/element/{element}/click"), Some(&json!({})));
    }

    pub fn clear(&self, css: &str) {
        let element = self.element(css);
        self.command("POST", &format!("/element/{element}/clear"), Some(&json!({})));
    }

    /// Resize the window (CSS pixels of the outer window; headless: the viewport).
    pub fn window_size(&self, width: u32, height: u32) {
        self.command("POST", "/window/rect", Some(&json!({ "width": width, "height": height })));
    }

    pub fn script(&self, script: &str) -> Value {
        self.command("POST", "/execute/sync", Some(&json!({ "script": script, "args": [] })))
    }

    pub fn wait_for(&self, script: &str, limit: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let value = self.script(script);
            if done(&value) || started.elapsed() > limit {
                return value;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn screenshot(&self, path: &Path) {
        let encoded = self.command("GET", "/screenshot", None);
        std::fs::write(path, decode_base64(encoded.as_str().unwrap_or_default())).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = call("DELETE", &self.base, None);
    }
}

/// One WebDriver call: its JSON answer (errors included: WebDriver answers them as JSON).
fn call(method: &str, url: &str, body: Option<&Value>) -> Result<Value, String> {
    let config =
        ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(60))).build();
    let agent = ureq::Agent::new_with_config(config);
    let builder = ureq::http::Request::builder().method(method).uri(url).header("content-type", "application/json");
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let response = agent.run(builder.body(bytes).unwrap()).map_err(|e| e.to_string())?;
    let text = response.into_body().with_config().limit(64 << 20).read_to_string().map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("not JSON ({e}): {text}"))
}

/// Standard base64 (screenshots).
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let sextets: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut bytes = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let word = chunk.iter().enumerate().fold(0u32, |acc, (i, &s)| acc | (u32::from(s) << (18 - 6 * i)));
        bytes.extend(word.to_be_bytes()[1..chunk.len()].iter());
    }
    bytes
}
