//! The optional OpenAI-compatible LLM (`LLM_URL`, e.g. llama.cpp's `llama-server`): a blocking
//! client for `POST {LLM_URL}/v1/chat/completions` that asks for one JSON object, and the two uses
//! built on it in [`improve`](mod@improve): rewriting each clip's title, description and hashtags,
//! and reranking the chosen clips by a bounded shift of their totals.
//!
//! Off unless `LLM_URL` is set. Every failure — connection refused, timeout, an answer other than
//! 200, malformed JSON, an empty, oversized or invalid answer — keeps the extractive result and
//! says so in a warning; the run never fails because of the LLM.

pub mod improve;

pub use improve::{
    apply_rerank, improve, parse_order, parse_text_answer, rerank_order, rewrite_text, Improved, LLM_RERANK_PART,
    MAX_LLM_DESCRIPTION_CHARS, MAX_LLM_TITLE_CHARS, RERANK_POINTS,
};

use opusclip_core::Settings;
use serde_json::{json, Map, Value};
use std::fmt;
use std::time::Duration;

/// Largest HTTP answer read from the server.
pub const MAX_ANSWER_BYTES: u64 = 64 * 1024;
/// Longest message content accepted from the server (answers are a small JSON object).
pub const MAX_CONTENT_CHARS: usize = 4000;

/// Where the LLM is and how to ask it.
#[derive(Clone, PartialEq)]
pub struct LlmConfig {
    /// The server's base address, without a trailing `/v1` (e.g. `http://127.0.0.1:8080`).
    pub base_url: String,
    /// The `model` named in requests (llama.cpp answers with the model it loaded whatever it is).
    pub model: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub api_key: Option<String>,
    /// How long one request may take, answer included.
    pub timeout: Duration,
}

impl fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl LlmConfig {
    /// A server at `url` (with or without `/v1`, or the full `/v1/chat/completions` address),
    /// no key, a 30 s timeout.
    pub fn new(url: &str, model: &str) -> LlmConfig {
        LlmConfig {
            base_url: base_url(url),
            model: model.trim().to_string(),
            api_key: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// The server the settings name (`LLM_URL`, `LLM_MODEL`, `LLM_API_KEY`, `LLM_TIMEOUT`), or
    /// `None` when `LLM_URL` is unset.
    pub fn from_settings(settings: &Settings) -> Option<LlmConfig> {
        let url = settings.llm_url.as_deref().filter(|url| !url.trim().is_empty())?;
        Some(LlmConfig {
            api_key: settings.llm_api_key.clone(),
            timeout: Duration::from_secs(settings.llm_timeout.max(1)),
            ..LlmConfig::new(url, &settings.llm_model)
        })
    }

    /// `POST` address of chat completions.
    pub fn endpoint(&self) -> String {
        format!("{}/v1/chat/completions", self.base_url)
    }

    /// The manifest's `titles_by` for text this model wrote: `llm:<model>`.
    pub fn titles_by(&self) -> String {
        format!("llm:{}", self.model)
    }
}

/// `url` without trailing slashes, `/chat/completions` and `/v1`.
fn base_url(url: &str) -> String {
    let mut base = url.trim().trim_end_matches('/');
    for suffix in ["/chat/completions", "/v1"] {
        base = base.strip_suffix(suffix).unwrap_or(base).trim_end_matches('/');
    }
    base.to_string()
}

/// Why the LLM's answer was not used.
#[derive(Debug, Clone, PartialEq)]
pub enum LlmError {
    /// No connection: refused, unknown host, TLS, or the connection dropped.
    Unreachable(String),
    /// No complete answer within the timeout.
    Timeout(Duration),
    /// The server answered with another status than 200.
    Status { status: u16, body: String },
    /// The answer is not a chat completion whose message holds a JSON object.
    Malformed(String),
    /// The JSON object failed validation (empty, oversized, too long a title, unknown ids…).
    Rejected(String),
}

impl LlmError {
    /// The server is not answering at all: asking again in the same run is pointless.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, LlmError::Unreachable(_) | LlmError::Timeout(_))
    }
}

impl fmt::Display for LlmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LlmError::Unreachable(why) => write!(f, "no connection: {why}"),
            LlmError::Timeout(limit) => write!(f, "no answer within {:.1} s (LLM_TIMEOUT)", limit.as_secs_f64()),
            LlmError::Status { status, body } => write!(f, "the server answered {status}: {body}"),
            LlmError::Malformed(why) => write!(f, "malformed answer: {why}"),
            LlmError::Rejected(why) => write!(f, "answer rejected: {why}"),
        }
    }
}

impl std::error::Error for LlmError {}

/// A blocking client for one server.
pub struct LlmClient {
    config: LlmConfig,
    agent: ureq::Agent,
}

impl LlmClient {
    pub fn new(config: LlmConfig) -> LlmClient {
        let mut builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            .user_agent(concat!("opusclip/", env!("CARGO_PKG_VERSION")));
        if is_loopback(&config.base_url) {
            // A local llama-server is never behind the environment's HTTP proxy.
            builder = builder.proxy(None);
        }
        LlmClient { agent: ureq::Agent::new_with_config(builder.build()), config }
    }

    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// Ask for one JSON object (`response_format: json_object`) and return it, parsed from the
    /// answer's content whether it is bare, fenced or embedded in prose. A server that refuses
    /// `response_format` (400/422) is asked once more without it.
    pub fn chat_json(&self, system: &str, user: &str, max_tokens: u32) -> Result<Map<String, Value>, LlmError> {
        let content = match self.chat(system, user, max_tokens, true) {
            Err(LlmError::Status { status: 400 | 422, body }) => {
                tracing::debug!(%body, "LLM refused response_format; asking again without it");
                self.chat(system, user, max_tokens, false)?
            }
            other => other?,
        };
        json_object_in(&content)
            .ok_or_else(|| LlmError::Malformed(format!("no JSON object in the answer {:?}", excerpt(&content, 200))))
    }

    /// One chat completion: the assistant message's content, trimmed.
    pub fn chat(&self, system: &str, user: &str, max_tokens: u32, json_format: bool) -> Result<String, LlmError> {
        let mut body = json!({
            "model": self.config.model,
            "messages": [
                { "role": "system", "content": system },
                { "role": "user", "content": user },
            ],
            "temperature": 0.2,
            "max_tokens": max_tokens,
            "stream": false,
        });
        if json_format {
            body["response_format"] = json!({ "type": "json_object" });
        }
        let mut request = self.agent.post(self.config.endpoint()).header("Content-Type", "application/json");
        if let Some(key) = &self.config.api_key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        let mut response = request.send(body.to_string()).map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_string()
            .map_err(|e| self.transport_error(e))?;
        if status != 200 {
            return Err(LlmError::Status { status, body: excerpt(text.trim(), 300) });
        }
        completion_content(&text)
    }

    fn transport_error(&self, error: ureq::Error) -> LlmError {
        match error {
            ureq::Error::Timeout(_) => LlmError::Timeout(self.config.timeout),
            ureq::Error::Io(ref io) if io.kind() == std::io::ErrorKind::TimedOut => {
                LlmError::Timeout(self.config.timeout)
            }
            ureq::Error::BodyExceedsLimit(limit) => {
                LlmError::Malformed(format!("an answer over {limit} bytes (oversized)"))
            }
            other => LlmError::Unreachable(format!("{} ({other})", self.config.endpoint())),
        }
    }
}

fn is_loopback(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The first choice's message content of an OpenAI chat completion.
pub fn completion_content(text: &str) -> Result<String, LlmError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| LlmError::Malformed(format!("not JSON ({e}): {:?}", excerpt(text, 200))))?;
    let choice = value
        .get("choices")
        .and_then(|choices| choices.get(0))
        .ok_or_else(|| LlmError::Malformed(format!("no choices in {:?}", excerpt(text, 200))))?;
    let content = choice
        .pointer("/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| LlmError::Malformed("the first choice has no message content".into()))?;
    let content = content.trim();
    if content.is_empty() {
        return Err(LlmError::Rejected("an empty answer".into()));
    }
    let length = content.chars().count();
    if length > MAX_CONTENT_CHARS {
        return Err(LlmError::Rejected(format!("an answer of {length} characters, over {MAX_CONTENT_CHARS}")));
    }
    Ok(content.to_string())
}

/// The first JSON object in `text`: the whole text, a fenced block, or an object inside prose
/// (llama.cpp servers without grammar support, or models that explain themselves). Reasoning
/// models' `<think>…</think>` blocks are skipped.
pub fn json_object_in(text: &str) -> Option<Map<String, Value>> {
    let text = match text.rfind("</think>") {
        Some(end) => &text[end + "</think>".len()..],
        None => text,
    };
    text.match_indices('{').take(64).find_map(|(start, _)| {
        match serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>().next() {
            Some(Ok(Value::Object(object))) => Some(object),
            _ => None,
        }
    })
}

/// At most `limit` characters of `text`, with `…` when cut.
pub(crate) fn excerpt(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let kept: String = text.chars().take(limit.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_or_without_v1_reach_the_same_endpoint() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "http://127.0.0.1:8080/v1",
            "http://127.0.0.1:8080/v1/",
            " http://127.0.0.1:8080/v1/chat/completions ",
        ] {
            assert_eq!(LlmConfig::new(url, "local").endpoint(), "http://127.0.0.1:8080/v1/chat/completions", "{url}");
        }
        assert_eq!(
            LlmConfig::new("https://llm.example/api/v1", "m").endpoint(),
            "https://llm.example/api/v1/chat/completions"
        );
    }

    #[test]
    fn settings_turn_it_on_and_the_key_stays_out_of_debug() {
        assert!(LlmConfig::from_settings(&Settings::default()).is_none());
        let settings = Settings {
            llm_url: Some("http://localhost:8080/v1".into()),
            llm_model: "qwen".into(),
            llm_api_key: Some("sk-secret".into()),
            llm_timeout: 7,
            ..Settings::default()
        };
        let config = LlmConfig::from_settings(&settings).expect("on");
        assert_eq!(config.base_url, "http://localhost:8080");
        assert_eq!((config.timeout, config.titles_by()), (Duration::from_secs(7), "llm:qwen".to_string()));
        assert_eq!(config.api_key.as_deref(), Some("sk-secret"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("sk-secret") && shown.contains("<set>"), "{shown}");
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for url in ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:8080", "http://127.0.0.2/x"] {
            assert!(is_loopback(url), "{url}");
        }
        for url in ["http://10.0.0.1:8080", "https://api.example.com", "http://localhost.example.com"] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn json_objects_are_found_bare_fenced_or_in_prose() {
        let bare = json_object_in(r#"{"title": "A"}"#).unwrap();
        assert_eq!(bare["title"], "A");
        let fenced = json_object_in("```json\n{\"title\": \"B\", \"hashtags\": [\"#X\"]}\n```").unwrap();
        assert_eq!(fenced["title"], "B");
        let prose =
            json_object_in("Sure! Here is the JSON: {\"title\": \"C {braces} inside\"} Hope it helps.").unwrap();
        assert_eq!(prose["title"], "C {braces} inside");
        let thinking = json_object_in("<think>maybe {\"title\": \"no\"}</think>\n{\"title\": \"D\"}").unwrap();
        assert_eq!(thinking["title"], "D");
        let after_a_bad_brace = json_object_in("{oops} then {\"order\": [\"c2\"]}").unwrap();
        assert_eq!(after_a_bad_brace["order"][0], "c2");
        assert!(json_object_in("no json here").is_none());
        assert!(json_object_in("[1, 2]").is_none());
        assert!(json_object_in("{\"title\": \"unterminated").is_none());
    }

    #[test]
    fn completions_are_read_and_bad_ones_named() {
        let good = r#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"  {\"a\":1} "},"finish_reason":"stop"}]}"#;
        assert_eq!(completion_content(good).unwrap(), "{\"a\":1}");
        assert!(matches!(completion_content("<html>"), Err(LlmError::Malformed(_))));
        assert!(matches!(completion_content(r#"{"choices":[]}"#), Err(LlmError::Malformed(_))));
        let empty = r#"{"choices":[{"message":{"content":"   "}}]}"#;
        assert!(matches!(completion_content(empty), Err(LlmError::Rejected(_))));
        let huge = json!({"choices": [{"message": {"content": "x".repeat(MAX_CONTENT_CHARS + 1)}}]}).to_string();
        let err = completion_content(&huge).unwrap_err();
        assert!(err.to_string().contains("over 4000"), "{err}");
        assert_eq!(excerpt("abcdef", 4), "abc…");
    }
}
