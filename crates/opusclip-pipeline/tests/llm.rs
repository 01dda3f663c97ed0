//! The optional LLM (`LLM_URL`) against a stand-in server on 127.0.0.1 that answers like
//! llama.cpp's OpenAI-compatible `llama-server`: what is sent (model, messages, JSON format,
//! Authorization), good answers applied, every kind of failure falling back to the extractive
//! result (malformed, 500, silence past the timeout, refused, oversized), the rerank applied and
//! bounded, and a whole `run_clip` on a generated talk whose manifest shows the LLM's titles.

use opusclip_core::{Candidate, Manifest, Score, TITLES_EXTRACTIVE};
use opusclip_pipeline::llm::{improve, Improved, LlmClient, LlmConfig, LLM_RERANK_PART, RERANK_POINTS};
use opusclip_pipeline::sample::{make_sample_talk, SampleOptions};
use opusclip_pipeline::{run_clip, ClipOptions, NoProgress};
use opusclip_select::ClipText;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: Value,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
    fn system(&self) -> &str {
        self.body["messages"][0]["content"].as_str().unwrap_or("")
    }
    fn user(&self) -> &str {
        self.body["messages"][1]["content"].as_str().unwrap_or("")
    }
    fn is_rerank(&self) -> bool {
        self.system().contains("\"order\"")
    }
}

enum Reply {
    /// Status and body.
    Answer(u16, String),
    /// Keep the connection open without a word for this long.
    Silence(Duration),
}

type Handler = dyn Fn(&Received) -> Reply + Send + Sync;

/// An HTTP/1.1 server on 127.0.0.1:0, one thread per connection, `Connection: close`.
struct StandIn {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl StandIn {
    fn start(handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, log) = (handler.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        StandIn { port, received }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn config(&self) -> LlmConfig {
        LlmConfig { timeout: Duration::from_secs(5), ..LlmConfig::new(&self.url(), "stand-in") }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Received>>) {
    let mut data = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).into_owned();
    let mut lines = head.lines();
    let mut request_line = lines.next().unwrap_or("").split_whitespace();
    let (method, path) = (request_line.next().unwrap_or("").to_string(), request_line.next().unwrap_or("").to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length: usize =
        headers.iter().find(|(name, _)| name == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while data.len() < header_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
    }
    let body = serde_json::from_slice(&data[header_end..]).unwrap_or(Value::Null);
    let received = Received { method, path, headers, body };
    log.lock().unwrap().push(received.clone());
    match handler(&received) {
        Reply::Answer(status, body) => {
            let answer = format!(
                "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).ok();
        }
        Reply::Silence(duration) => std::thread::sleep(duration),
    }
}

/// A chat completion shaped like llama-server's.
fn completion(content: &str) -> String {
    json!({
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "tiny-model.gguf",
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": content }, "finish_reason": "stop" }],
        "usage": { "prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150 },
    })
    .to_string()
}

fn ok(content: &str) -> Reply {
    Reply::Answer(200, completion(content))
}

/// Clip ids listed in a rerank request, in the order shown.
fn listed_ids(request: &Received) -> Vec<String> {
    request.user().split("\"id\": \"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

/// A stand-in that answers reranks with the reverse order and titles with "LLM: <first
/// keyphrase>", the title JSON inside a sentence of prose as some llama.cpp models do.
fn helpful(request: &Received) -> Reply {
    if request.is_rerank() {
        let mut ids = listed_ids(request);
        ids.reverse();
        return ok(&json!({ "order": ids }).to_string());
    }
    let keyphrase = request
        .user()
        .lines()
        .find_map(|line| line.strip_prefix("Keyphrases: "))
        .and_then(|list| list.split(", ").next())
        .unwrap_or("nothing");
    let answer = json!({
        "title": format!("LLM: {keyphrase}"),
        "description": "Written by the stand-in.",
        "hashtags": ["#StandIn", "#Llm", "#Clips"],
    });
    ok(&format!("Here you go: {answer}"))
}

fn candidate(start: f64, total: f64, text: &str) -> Candidate {
    Candidate {
        start,
        end: start + 20.0,
        first_sentence: 0,
        end_sentence: 0,
        score: Score { total, parts: Default::default() },
        text: text.to_string(),
        kept_ranges: Vec::new(),
    }
}

/// Three clips ranked by total, their extractive texts, and an id riding along as companion.
fn three() -> (Vec<Candidate>, Vec<u32>, Vec<ClipText>) {
    let candidates = vec![
        candidate(0.0, 62.0, "Solar panels pay back in six years. Cheap solar changed everything."),
        candidate(30.0, 58.0, "Why do startups fail? Founders ignore their customers."),
        candidate(60.0, 55.0, "Captions matter. Most people watch with the sound off."),
    ];
    let texts = candidates
        .iter()
        .map(|c| ClipText { title: format!("Extractive {}", c.start), description: "Old.".into(), hashtags: vec![] })
        .collect();
    (candidates, vec![1, 2, 3], texts)
}

fn improve_three(config: &LlmConfig) -> Improved<u32> {
    let (candidates, ids, texts) = three();
    improve(config, candidates, ids, texts, &NoProgress)
}

fn assert_all_extractive(improved: &Improved<u32>) {
    assert_eq!(improved.companions, [1, 2, 3], "the score order stays");
    assert_eq!(improved.titles_by, [TITLES_EXTRACTIVE; 3]);
    let titles: Vec<&str> = improved.texts.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Extractive 0", "Extractive 30", "Extractive 60"]);
    assert_eq!(improved.candidates.iter().map(|c| c.score.total).collect::<Vec<_>>(), [62.0, 58.0, 55.0]);
    assert!(improved.candidates.iter().all(|c| !c.score.parts.contains_key(LLM_RERANK_PART)));
}

#[test]
fn requests_follow_the_openai_chat_protocol() {
    let server = StandIn::start(|_| ok(r#"{"title": "T"}"#));
    let config =
        LlmConfig { api_key: Some("sk-test".into()), ..LlmConfig::new(&format!("{}/v1", server.url()), "qwen") };
    let answer = LlmClient::new(config).chat_json("be brief", "say hi", 50).unwrap();
    assert_eq!(answer["title"], "T");
    let without_key = LlmClient::new(LlmConfig::new(&server.url(), "qwen"));
    without_key.chat_json("be brief", "again", 50).unwrap();
    let received = server.received();
    assert_eq!(received.len(), 2);
    let first = &received[0];
    assert_eq!((first.method.as_str(), first.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(first.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.body["model"], "qwen");
    assert_eq!(
        first.body["messages"],
        json!([{"role": "system", "content": "be brief"}, {"role": "user", "content": "say hi"}])
    );
    assert_eq!(first.body["response_format"], json!({"type": "json_object"}));
    assert_eq!((first.body["stream"].clone(), first.body["max_tokens"].clone()), (json!(false), json!(50)));
    assert_eq!(received[1].path, "/v1/chat/completions");
    assert_eq!(received[1].header("authorization"), None);
}

#[test]
fn good_answers_rerank_and_retitle_the_clips() {
    let server = StandIn::start(helpful);
    let improved = improve_three(&server.config());
    assert!(improved.warnings.is_empty(), "{:?}", improved.warnings);
    // Reversed by the LLM: 55 + 10 = 65, 58 + 0, 62 − 10 = 52.
    assert_eq!(improved.companions, [3, 2, 1]);
    assert_eq!(improved.candidates.iter().map(|c| c.score.total).collect::<Vec<_>>(), [65.0, 58.0, 52.0]);
    let reason = &improved.candidates[0].score.parts[LLM_RERANK_PART].reason;
    assert_eq!(reason, "llm rerank: stand-in ranked it #1 of 3, total +10.0; moved from #3 to #1");
    assert!(improved.candidates[1].score.parts[LLM_RERANK_PART].reason.ends_with("stayed at #2"));
    assert_eq!(improved.titles_by, ["llm:stand-in"; 3]);
    for (text, candidate) in improved.texts.iter().zip(&improved.candidates) {
        let first = &opusclip_select::keyphrases::distinct_keyphrases(&candidate.text, 3, 8)[0];
        assert_eq!(text.title, format!("LLM: {}", first.words.join(" ")), "the keyphrases were sent");
    }
    assert_eq!(improved.texts[0].description, "Written by the stand-in.");
    assert_eq!(improved.texts[0].hashtags, ["#StandIn", "#Llm", "#Clips"]);
    let received = server.received();
    assert_eq!(received.len(), 4, "one rerank, then one request per clip");
    assert!(received[0].is_rerank());
    assert_eq!(listed_ids(&received[0]), ["c1", "c2", "c3"]);
    assert!(received[1].user().contains("Captions matter. Most people watch with the sound off."));
    assert!(received[1].user().contains("Title taken from its words: Extractive 60"));
}

#[test]
fn malformed_answers_keep_the_extractive_result() {
    for content in ["Sorry, I cannot help with that.", "{\"title\": \"unterminated", "{\"order\": \"c1\", \"name\": 3}"]
    {
        let server = StandIn::start(move |_| ok(content));
        let improved = improve_three(&server.config());
        assert_all_extractive(&improved);
        assert_eq!(improved.warnings.len(), 2, "{:?}", improved.warnings);
        assert!(improved.warnings[0].starts_with("LLM rerank skipped"), "{:?}", improved.warnings);
        assert!(improved.warnings[1].contains("3 of 3 clips kept"), "{:?}", improved.warnings);
        assert_eq!(server.received().len(), 4, "a bad answer does not stop the other clips' requests");
    }
    let html = StandIn::start(|_| Reply::Answer(200, "<html>busy</html>".into()));
    let improved = improve_three(&html.config());
    assert_all_extractive(&improved);
    assert!(improved.warnings[1].contains("malformed answer: not JSON"), "{:?}", improved.warnings);
}

#[test]
fn server_errors_and_oversized_answers_keep_the_extractive_result() {
    let failing = StandIn::start(|_| Reply::Answer(500, r#"{"error":{"code":500,"message":"model crashed"}}"#.into()));
    let improved = improve_three(&failing.config());
    assert_all_extractive(&improved);
    assert!(improved.warnings[0].contains("answered 500") && improved.warnings[0].contains("model crashed"));
    let huge = StandIn::start(|_| Reply::Answer(200, completion(&"x".repeat(100_000))));
    let improved = improve_three(&huge.config());
    assert_all_extractive(&improved);
    assert!(improved.warnings[0].contains("oversized"), "{:?}", improved.warnings);
    let long_content = StandIn::start(|_| ok(&format!("{{\"title\": \"{}\"}}", "x".repeat(5000))));
    let improved = improve_three(&long_content.config());
    assert_all_extractive(&improved);
    assert!(improved.warnings[1].contains("over 4000"), "{:?}", improved.warnings);
}

#[test]
fn a_silent_server_is_given_up_after_the_timeout() {
    let server = StandIn::start(|_| Reply::Silence(Duration::from_secs(20)));
    let config = LlmConfig { timeout: Duration::from_millis(800), ..server.config() };
    let started = Instant::now();
    let improved = improve_three(&config);
    let seconds = started.elapsed().as_secs_f64();
    assert!(seconds < 2.5, "gave up after {seconds:.2} s");
    assert_all_extractive(&improved);
    assert_eq!(server.received().len(), 1, "not asked again once it timed out");
    assert!(improved.warnings.iter().all(|w| w.contains("no answer within 0.8 s")), "{:?}", improved.warnings);
}

#[test]
fn a_refused_connection_keeps_the_extractive_result() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = LlmConfig::new(&format!("http://127.0.0.1:{port}"), "gone");
    let started = Instant::now();
    let improved = improve_three(&config);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_all_extractive(&improved);
    assert!(improved.warnings[0].contains("no connection"), "{:?}", improved.warnings);
}

#[test]
fn servers_without_response_format_are_asked_again_without_it() {
    let server = StandIn::start(|request| match request.body.get("response_format") {
        Some(_) => Reply::Answer(400, r#"{"error":"response_format not supported"}"#.into()),
        None => ok("```json\n{\"title\": \"Fenced and fine\", \"hashtags\": [\"#A\", \"#B\", \"#C\"]}\n```"),
    });
    let (candidates, ids, texts) = three();
    let improved =
        improve(&server.config(), candidates[..1].to_vec(), ids[..1].to_vec(), texts[..1].to_vec(), &NoProgress);
    assert_eq!(improved.texts[0].title, "Fenced and fine");
    assert_eq!(improved.texts[0].description, "Old.", "a missing description keeps the extractive one");
    let received = server.received();
    assert_eq!(received.len(), 2, "one clip: no rerank, one title asked twice");
    assert!(received[0].body.get("response_format").is_some() && received[1].body.get("response_format").is_none());
}

#[test]
fn the_rerank_stays_bounded_whatever_the_llm_says() {
    // The LLM puts the best-scored clip last and repeats / invents ids: it still moves ≤ 10 points.
    let server = StandIn::start(|request| match request.is_rerank() {
        true => ok(r#"{"order": ["c4", "c3", "c3", "c9", "c2"]}"#),
        false => ok(r#"{"title": "Fine"}"#),
    });
    let candidates: Vec<Candidate> =
        (0..4).map(|i| candidate(i as f64 * 25.0, 90.0 - 20.0 * i as f64, "Some words here. More words.")).collect();
    let before: Vec<(f64, f64)> = candidates.iter().map(|c| (c.start, c.score.total)).collect();
    let texts = vec![ClipText::default(); 4];
    let improved = improve(&server.config(), candidates, vec![0, 1, 2, 3], texts, &NoProgress);
    // c4 30 + 10 = 40, c3 50 + 3.3, c2 70 − 3.3, c1 (left out, so last) 90 − 10 = 80.
    assert_eq!(improved.companions, [0, 1, 2, 3], "20-point gaps are more than the rerank may move");
    for candidate in &improved.candidates {
        let (_, total) = before.iter().find(|(start, _)| *start == candidate.start).copied().unwrap();
        assert!((candidate.score.total - total).abs() <= RERANK_POINTS + 1e-9);
        assert!((0.0..=100.0).contains(&candidate.score.total));
        assert!(candidate.score.parts[LLM_RERANK_PART].reason.contains("stayed at"));
    }
    for (i, a) in improved.candidates.iter().enumerate() {
        assert!(improved.candidates[i + 1..].iter().all(|b| a.end <= b.start || b.end <= a.start), "overlap");
    }
}

#[test]
fn run_clip_with_llm_url_writes_the_llm_titles_to_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let options = SampleOptions { width: 640, height: 360, paragraphs: Some(3), ..SampleOptions::default() };
    let talk = make_sample_talk(dir.path(), &options).expect("espeak-ng and ffmpeg make the sample talk");
    let server = StandIn::start(helpful);
    let clip_options = |llm: LlmConfig| ClipOptions {
        clips: 2,
        min_seconds: 6.0,
        max_seconds: 14.0,
        transcript: Some(talk.srt.clone()),
        llm: Some(llm),
        ..ClipOptions::default()
    };
    let out = dir.path().join("with-llm");
    let manifest = run_clip(&talk.video, &out, &clip_options(server.config()), &NoProgress).unwrap();
    // The 640x360 sample is enlarged in 9:16 (and said so); nothing else may be warned about.
    assert!(manifest.warnings.iter().all(|w| w.contains("enlarges the source")), "{:?}", manifest.warnings);
    assert!(manifest.stages.iter().any(|stage| stage.name == "llm"));
    assert_eq!(server.received().len(), 3, "one rerank and two titles");
    let written: Manifest = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(written.clips.len(), manifest.clips.len());
    for clip in &written.clips {
        assert_eq!(clip.titles_by, "llm:stand-in");
        assert!(clip.title.starts_with("LLM: "), "{}", clip.title);
        assert_eq!(clip.hashtags, ["#StandIn", "#Llm", "#Clips"]);
        assert!(clip.score.parts[LLM_RERANK_PART].reason.starts_with("llm rerank: stand-in ranked it #"));
        assert!((0.0..=100.0).contains(&clip.score.total));
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(out.join(&clip.spec)).unwrap()).unwrap();
        assert_eq!(spec["title"], clip.title.as_str(), "the spec carries the LLM title too");
    }
    let (a, b) = (&written.clips[0], &written.clips[1]);
    assert!(a.end <= b.start || b.end <= a.start, "clips overlap");
    assert!(a.score.total >= b.score.total, "ranked by the blended total");
    let raw: Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(raw["clips"][0]["titles_by"], "llm:stand-in");

    // The same run with the server gone: clips and extractive titles, and a warning.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gone = LlmConfig::new(&format!("http://127.0.0.1:{port}"), "gone");
    let fallback = run_clip(&talk.video, &dir.path().join("without"), &clip_options(gone), &NoProgress).unwrap();
    assert_eq!(fallback.clips.len(), 2);
    assert!(fallback.clips.iter().all(|clip| clip.titles_by == TITLES_EXTRACTIVE && !clip.title.starts_with("LLM")));
    assert!(
        fallback.warnings.iter().any(|w| w.contains("LLM") && w.contains("no connection")),
        "{:?}",
        fallback.warnings
    );
}
