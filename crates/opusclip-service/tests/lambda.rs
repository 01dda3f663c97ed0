//! The `lambda` feature end to end: `run_lambda` serves the real router to a stand-in for the
//! AWS Lambda Runtime API (the HTTP interface a Lambda sandbox gives a custom runtime: the runtime
//! asks for the next event, then posts the answer). API Gateway HTTP API (v2, also function URLs)
//! and REST API (v1) events come in; the answers posted back carry the service's own status codes
//! and bodies, and the per-address rate limit counts the address each event names. Outside
//! Lambda, `run_lambda` refuses with a configuration error.
//! `cargo test -p opusclip-service --features lambda --test lambda`

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

fn http_api_event(method: &str, path: &str, headers: Value, source_ip: &str) -> Value {
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc", "domainName": "abc.lambda-url.eu-west-1.on.aws",
            "domainPrefix": "abc", "requestId": "r", "routeKey": "$default", "stage": "$default",
            "time": "27/Nov/2025:10:00:00 +0000", "timeEpoch": 1764237600000u64,
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip, "userAgent": "t" }
        },
        "isBase64Encoded": false
    })
}

fn rest_api_event(method: &str, path: &str) -> Value {
    json!({
        "resource": "/{proxy+}", "path": path, "httpMethod": method,
        "headers": { "Host": "abc.execute-api.eu-west-1.amazonaws.com" }, "multiValueHeaders": {},
        "queryStringParameters": null, "multiValueQueryStringParameters": null, "pathParameters": null,
        "stageVariables": null, "body": null, "isBase64Encoded": false,
        "requestContext": {
            "accountId": "123456789012", "resourceId": "r", "stage": "prod", "requestId": "q",
            "resourcePath": "/{proxy+}", "httpMethod": method, "apiId": "abc", "path": path,
            "identity": { "sourceIp": "198.51.100.9" }
        }
    })
}

#[test]
fn the_router_answers_lambda_invocations() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    // Outside Lambda: a typed refusal, not the runtime's panic.
    let refused = runtime.block_on(opusclip_service::lambda::run_lambda(config(dir.path(), &[]), 0)).unwrap_err();
    assert_eq!(refused.code, "CONFIGURATION_ERROR", "{refused}");

    // Two keys, and a read budget of 2 a minute per key and per address.
    let variables = [("RATE_LIMIT_READ_PER_MIN", "2")];
    let (first, second) = runtime.block_on(async {
        let services = opusclip_service::Services::open(config(dir.path(), &variables)).await.unwrap();
        (services.keys.create("one").await.unwrap().secret, services.keys.create("two").await.unwrap().secret)
    });
    let (a, b) = ("203.0.113.7", "198.51.100.20");
    let v2 = |path: &str, key: &str, ip: &str| http_api_event("GET", path, json!({ "x-api-key": key }), ip);
    let events = Arc::new(Mutex::new(VecDeque::from(vec![
        ("1", http_api_event("GET", "/healthz", json!({ "host": "abc.lambda-url.eu-west-1.on.aws" }), a)),
        ("2", v2("/api/jobs/abc", "ock_not_a_key", a)),
        ("3", rest_api_event("GET", "/no/such/route")),
        ("4", http_api_event("GET", "/openapi.json", json!({}), a)),
        ("5", v2("/api/jobs/missing", &first, a)),
        ("6", v2("/api/jobs/missing", &second, a)),
        ("7", v2("/api/jobs/missing", &second, b)),
        ("8", v2("/api/jobs/missing", &first, a)),
    ])));
    let count = events.lock().unwrap().len();
    let (answers, answered) = mpsc::channel::<(String, Value)>();
    let answers = Mutex::new(answers);
    let port = tiny_server(move |seen| {
        if seen.path == "/2018-06-01/runtime/invocation/next" {
            let next = events.lock().unwrap().pop_front();
            let Some((id, event)) = next else {
                std::thread::sleep(Duration::from_secs(3600)); // no more events: the runtime waits
                return (500, vec![], vec![]);
            };
            let headers = vec![
                ("Lambda-Runtime-Aws-Request-Id".to_string(), id.to_string()),
                ("Lambda-Runtime-Deadline-Ms".to_string(), "4102444800000".to_string()),
                (
                    "Lambda-Runtime-Invoked-Function-Arn".to_string(),
                    "arn:aws:lambda:eu-west-1:1:function:f".to_string(),
                ),
                ("Content-Type".to_string(), "application/json".to_string()),
            ];
            return (200, headers, event.to_string().into_bytes());
        }
        let id = seen.path.trim_start_matches("/2018-06-01/runtime/invocation/").split('/').next().unwrap_or("");
        let body = serde_json::from_slice(&seen.body).unwrap_or_else(|_| json!(String::from_utf8_lossy(&seen.body)));
        let _ = answers.lock().unwrap().send((format!("{id} {}", seen.path.rsplit('/').next().unwrap_or("")), body));
        (202, vec![], b"{}".to_vec())
    });
    for (name, value) in [
        ("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}")),
        ("AWS_LAMBDA_FUNCTION_NAME", "opusclip".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
    ] {
        std::env::set_var(name, value);
    }
    let config = config(dir.path(), &variables);
    // As `opusclip serve --lambda` does: the runtime's future is driven by `block_on` (not Send).
    std::thread::spawn(move || runtime.block_on(opusclip_service::lambda::run_lambda(config, 0)));

    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..count {
        let (id, body) = answered.recv_timeout(Duration::from_secs(60)).expect("the runtime posts an answer");
        seen.insert(id, body);
    }
    let answer = |id: &str| seen.get(&format!("{id} response")).unwrap_or_else(|| panic!("no answer {id}: {seen:?}"));
    let body = |id: &str| -> Value {
        serde_json::from_str(answer(id)["body"].as_str().unwrap_or_else(|| panic!("{:?}", answer(id)))).unwrap()
    };
    assert_eq!(answer("1")["statusCode"], 200, "{:?}", answer("1"));
    assert_eq!(body("1")["status"], "ok");
    assert_eq!(answer("2")["statusCode"], 401, "an unknown key is refused: {:?}", answer("2"));
    assert_eq!(body("2")["code"], "UNAUTHORIZED");
    assert_eq!(answer("3")["statusCode"], 404, "the REST API event reaches the router: {:?}", answer("3"));
    assert_eq!(body("3")["code"], "NOT_FOUND");
    assert_eq!(answer("4")["statusCode"], 200);
    assert!(body("4")["paths"].get("/api/video/process").is_some(), "the whole API is there");
    assert_eq!(answer("5")["statusCode"], 404, "a good key passes: {:?}", answer("5"));
    assert_eq!(answer("6")["statusCode"], 404, "{:?}", answer("6"));
    assert_eq!(answer("7")["statusCode"], 404, "another address has its own budget: {:?}", answer("7"));
    assert_eq!(answer("8")["statusCode"], 429, "address {a} spent its budget: {:?}", answer("8"));
    assert_eq!(body("8")["code"], "RATE_LIMITED");
}
