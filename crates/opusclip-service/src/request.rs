//! What a job was asked to do, stored with it as JSON: the source (an upload in storage or a
//! URL), the options of `opusclip clip` by the same names, and the processing type of the
//! specification's `POST /api/video/process`.

use crate::error::ApiError;
use opusclip_core::Settings;
use opusclip_pipeline::{ClipOptions, LocalChoices};
pub use opusclip_pipeline::{ClipRequest, RequestFiles};
use serde::{Deserialize, Serialize};

/// What the job makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// Ranked, reframed, captioned clips (`opusclip clip`).
    Clips,
    /// The whole video with burned-in captions.
    Captions,
    /// The whole video reframed to 9:16.
    Reframe,
    /// Only the words (SRT and JSON).
    Transcript,
    /// One edited `ClipSpec` rendered again from an earlier job's source.
    Render,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Clips => "clips",
            JobKind::Captions => "captions",
            JobKind::Reframe => "reframe",
            JobKind::Transcript => "transcript",
            JobKind::Render => "render",
        }
    }

    /// The specification's `processing_type` values.
    pub fn parse(text: &str) -> Result<JobKind, ApiError> {
        match text {
            "clips" => Ok(JobKind::Clips),
            "captions" => Ok(JobKind::Captions),
            "reframe" => Ok(JobKind::Reframe),
            "transcript" => Ok(JobKind::Transcript),
            other => Err(ApiError::invalid(format!(
                "processing_type {other:?} is not one of clips, captions, reframe, transcript"
            ))
            .with_details(serde_json::json!({ "field": "processing_type" }))),
        }
    }
}

/// Where the video comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum JobSource {
    /// Uploaded and kept in storage under `key`.
    Upload { key: String, filename: Option<String> },
    /// Fetched by the worker (address rules applied on every connection).
    Url { url: String },
}

/// The engine options of a job's `clip` fields with its files on this machine: the one
/// [`ClipOptions::from_request`], with this server's settings and the command line's local
/// choices left at their defaults.
pub fn clip_options(clip: &ClipRequest, settings: &Settings, files: RequestFiles) -> Result<ClipOptions, ApiError> {
    ClipOptions::from_request(clip, settings, files, &LocalChoices::default()).map_err(ApiError::from)
}

/// A file a job brought beside its video (a watermark image, a caption font), kept in storage
/// under `key`; its content hash is part of the result-cache key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFile {
    pub key: String,
    pub sha256: String,
}

/// Everything a worker needs to run a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRequest {
    pub kind: JobKind,
    pub source: JobSource,
    /// A transcript file in storage (SRT, VTT, ASS, whisper JSON).
    #[serde(default)]
    pub transcript_key: Option<String>,
    #[serde(default)]
    pub clip: ClipRequest,
    /// `max_length` of the process endpoint: longest clip (clips) or characters per caption
    /// line (captions).
    #[serde(default)]
    pub max_length: Option<u32>,
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Return the processed video inline as base64 (when under the size cap).
    #[serde(default)]
    pub inline: bool,
    /// The edited spec of a `render` job (its `source.path` is replaced by the worker's copy of
    /// the source; a path sent by a client is never used).
    #[serde(default)]
    pub spec: Option<opusclip_core::ClipSpec>,
    /// A watermark image sent with the job (a `watermark` part; a render job keeps its parent's).
    /// Left out of the JSON when absent, so earlier requests keep their fingerprints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<StoredFile>,
    /// A caption font sent with the job (a `font` part; a render job keeps its parent's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<StoredFile>,
}

/// What the server's installed engine adds to a request's output: whether the sentence-embedding
/// model is installed (it changes topics, `--prompt` and engagement) and which `LLM_URL` model
/// rewrites titles. Part of the result-cache key, so installing the model or turning the LLM on
/// never serves results made without them.
pub fn engine_fingerprint(settings: &opusclip_core::Settings) -> String {
    let embeddings = opusclip_pipeline::topics::installed_embedding_model(settings.cache_dir.as_deref()).is_some();
    let llm = opusclip_pipeline::llm::LlmConfig::from_settings(settings)
        .map_or_else(|| "off".to_string(), |llm| format!("{} {}", llm.endpoint(), settings.llm_model));
    format!("embeddings={embeddings};llm={llm}")
}

impl JobRequest {
    /// The options that decide the output (not where the source lives): the cache key part.
    pub fn output_fingerprint(&self) -> String {
        let mut value = serde_json::json!({
            "kind": self.kind, "clip": self.clip, "max_length": self.max_length,
            "has_transcript": self.transcript_key.is_some(),
        });
        self.add_brand_hashes(&mut value);
        crate::util::sha256_hex(value.to_string().as_bytes())
    }

    /// Adds the content hashes of the brand files sent with the job (`watermark`, `font`) to a
    /// JSON object that is hashed; nothing when none was sent, so other hashes stay as they were.
    pub fn add_brand_hashes(&self, value: &mut serde_json::Value) {
        for (name, file) in [("watermark", &self.watermark), ("font", &self.font)] {
            if let Some(file) = file {
                value[name] = serde_json::json!(file.sha256);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_files_change_the_fingerprint_only_when_sent() {
        let request = JobRequest {
            kind: JobKind::Clips,
            source: JobSource::Url { url: "https://example.com/a.mp4".into() },
            transcript_key: None,
            clip: ClipRequest::default(),
            max_length: None,
            webhook_url: None,
            inline: false,
            spec: None,
            watermark: None,
            font: None,
        };
        let json = serde_json::to_string(&request).unwrap();
        assert!(!json.contains("watermark") && !json.contains("font"), "{json}");
        assert!(!json.contains("caption_style"), "fields at their defaults are left out: {json}");
        let clean = ClipRequest { caption_style: Some("clean".into()), ..ClipRequest::default() };
        assert_ne!(JobRequest { clip: clean, ..request.clone() }.output_fingerprint(), request.output_fingerprint());
        let logo = |sha: &str| Some(StoredFile { key: "jobs/j/input/watermark.png".into(), sha256: sha.into() });
        let branded = JobRequest { watermark: logo("aa"), ..request.clone() };
        assert_ne!(branded.output_fingerprint(), request.output_fingerprint());
        assert_ne!(
            branded.output_fingerprint(),
            JobRequest { watermark: logo("bb"), ..request.clone() }.output_fingerprint()
        );
        let back: JobRequest = serde_json::from_str(&serde_json::to_string(&branded).unwrap()).unwrap();
        assert_eq!(back, branded);
    }

    #[test]
    fn the_engine_fingerprint_names_the_llm_and_the_embedding_model() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let settings = Settings { cache_dir: Some(dir.path().to_path_buf()), ..Settings::default() };
        assert_eq!(engine_fingerprint(&settings), "embeddings=false;llm=off");
        let with_llm = Settings { llm_url: Some("http://127.0.0.1:8080".into()), ..settings.clone() };
        let fingerprint = engine_fingerprint(&with_llm);
        assert!(fingerprint.contains("llm=http://127.0.0.1:8080/v1/chat/completions"), "{fingerprint}");
        let files = RequestFiles::default;
        assert!(clip_options(&ClipRequest::default(), &with_llm, files()).expect("valid").llm.is_some());
        assert!(clip_options(&ClipRequest::default(), &settings, files()).expect("valid").llm.is_none());
    }

    #[test]
    fn kinds_parse_and_refuse_others() {
        assert_eq!(JobKind::parse("reframe").unwrap(), JobKind::Reframe);
        assert_eq!(JobKind::parse("gif").unwrap_err().status.as_u16(), 422);
    }
}
