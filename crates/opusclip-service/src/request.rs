//! What a job was asked to do, stored with it as JSON: the source (an upload in storage or a
//! URL), the options of `opusclip clip` by the same names, and the processing type of the
//! specification's `POST /api/video/process`.

use crate::error::ApiError;
use opusclip_core::{
    caption_style_named, caption_style_names, Aspect, CaptionStyle, Settings, Watermark, DEFAULT_CAPTION_STYLE,
    NO_CAPTIONS,
};
use opusclip_pipeline::ClipOptions;
use opusclip_select::{LengthRange, TimeRange};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

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

/// The options of `opusclip clip`, as given (fields of the same names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipFields {
    pub clips: usize,
    pub min: f64,
    pub max: f64,
    #[serde(default)]
    pub length: Vec<String>,
    #[serde(default)]
    pub range: Option<String>,
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default)]
    pub aspect: Vec<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// Names and terms for the speech model (`opusclip clip --vocabulary`). Left out of the JSON
    /// when absent, so earlier requests keep their fingerprints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary: Option<String>,
    /// Profanity masking (`opusclip clip --censor`): `""` for the built-in list, or extra
    /// comma-separated words. Left out of the JSON when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censor: Option<String>,
    #[serde(default)]
    pub no_captions: bool,
    /// A caption look by name (`bold`, `clean`, `punch`, `single`, or `none`); absent: the
    /// default look (or none with `no_captions`). Left out of the JSON when absent, so earlier
    /// requests keep their fingerprints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption_style: Option<String>,
    /// Where the captions sit (`opusclip clip --caption-position`): auto, top, middle, bottom or
    /// `NN%`. Left out of the JSON when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption_position: Option<String>,
    /// The clips' loudness (`opusclip clip --loudness`): a preset, LUFS, or `off`; absent: −14.
    /// Left out of the JSON when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loudness: Option<String>,
    /// A brand template's text (`opusclip clip --template`, TOML or JSON) for the caption look;
    /// not with `caption_style`. Left out of the JSON when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Cut quiet pauses longer than this many seconds out of each clip (`opusclip clip
    /// --cut-pauses`). Left out of the JSON when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_pauses: Option<f64>,
    /// Cut filler words and repeated starts (`opusclip clip --cut-fillers`). Left out of the JSON
    /// when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut_fillers: bool,
}

impl Default for ClipFields {
    fn default() -> Self {
        let defaults = ClipOptions::default();
        ClipFields {
            clips: defaults.clips,
            min: defaults.min_seconds,
            max: defaults.max_seconds,
            length: Vec::new(),
            range: None,
            prompt: None,
            aspect: Vec::new(),
            language: None,
            vocabulary: None,
            censor: None,
            no_captions: false,
            caption_style: None,
            caption_position: None,
            loudness: None,
            template: None,
            cut_pauses: None,
            cut_fillers: false,
        }
    }
}

impl ClipFields {
    /// The pipeline's options; every problem is reported at once as `INVALID_INPUT_ERROR`.
    pub fn to_options(&self, settings: &Settings, transcript: Option<PathBuf>) -> Result<ClipOptions, ApiError> {
        self.to_options_with(settings, JobFiles { transcript, ..JobFiles::default() })
    }

    /// [`ClipFields::to_options`] with the files the job brought on this machine: a template's
    /// `[watermark]` takes the `watermark` file as its image (a watermark file without one goes
    /// in the default corner), its `font_file` the `font` file (a font file without a template
    /// draws the chosen look in it); a template naming a file the job did not bring is refused.
    pub fn to_options_with(&self, settings: &Settings, files: JobFiles) -> Result<ClipOptions, ApiError> {
        let mut problems = Vec::new();
        let mut lengths = Vec::new();
        for value in &self.length {
            match LengthRange::parse_list(value) {
                Ok(ranges) => lengths.extend(ranges.into_iter().filter(|r| !lengths.contains(r)).collect::<Vec<_>>()),
                Err(error) => problems.push(error.to_string()),
            }
        }
        let timeframe = match self.range.as_deref().map(TimeRange::parse).transpose() {
            Ok(timeframe) => timeframe,
            Err(error) => {
                problems.push(error.to_string());
                None
            }
        };
        let mut aspects = Vec::new();
        let asked = if self.aspect.is_empty() { vec!["9:16".to_string()] } else { self.aspect.clone() };
        for value in &asked {
            match value.parse::<Aspect>() {
                Ok(aspect) if !aspects.contains(&aspect) => aspects.push(aspect),
                Ok(_) => {}
                Err(problem) => problems.push(problem),
            }
        }
        let mut details = serde_json::json!({});
        let (mut caption_style, template_watermark) = match self.look() {
            Ok(look) => look,
            Err(error) => {
                problems.push(error.to_string());
                details["caption_styles"] = serde_json::json!(caption_style_names());
                (CaptionStyle::default(), None)
            }
        };
        let watermark = match brand_files(&mut caption_style, template_watermark, &files) {
            Ok(watermark) => watermark,
            Err(brand_problems) => {
                problems.extend(brand_problems);
                None
            }
        };
        let loudness = match self.loudness.as_deref().filter(|text| !text.trim().is_empty()) {
            None => ClipOptions::default().loudness,
            Some(text) => opusclip_core::parse_loudness(text).unwrap_or_else(|error| {
                problems.push(error.to_string());
                None
            }),
        };
        if !problems.is_empty() {
            details["problems"] = serde_json::json!(problems);
            return Err(ApiError::invalid(problems.join("; ")).with_details(details));
        }
        let options = ClipOptions {
            clips: self.clips,
            min_seconds: self.min,
            max_seconds: self.max,
            lengths,
            timeframe,
            prompt: self.prompt.clone().filter(|p| !p.trim().is_empty()),
            aspects,
            transcript: files.transcript,
            whisper_model: opusclip_pipeline::transcript::default_whisper_model(settings),
            language: self.language.clone().filter(|l| !l.trim().is_empty()),
            asr_prompt: opusclip_pipeline::transcript::vocabulary_prompt(self.vocabulary.as_deref()),
            vad_model: opusclip_pipeline::transcript::default_vad_model(settings),
            censor: opusclip_pipeline::transcript::censor_list(self.censor.as_deref()),
            font_dir: settings.font_dir.clone(),
            score_weights: settings.score_weights,
            embedding_model: opusclip_pipeline::topics::installed_embedding_model(settings.cache_dir.as_deref()),
            embedding_batch: settings.batch_size as usize,
            caption_style,
            watermark,
            loudness,
            llm: opusclip_pipeline::llm::LlmConfig::from_settings(settings),
            tighten: opusclip_select::TightenOptions { pause_seconds: self.cut_pauses, fillers: self.cut_fillers },
            ..ClipOptions::default()
        };
        options.validate()?;
        Ok(options)
    }

    /// `caption_style` by name, `none` with `no_captions`, else the default look; a bad name, or
    /// `no_captions` beside another look, is refused naming the valid names.
    pub fn caption_style(&self) -> opusclip_core::Result<CaptionStyle> {
        self.look().map(|(style, _)| style)
    }

    /// The caption look and a template's watermark (its image still the name the template gave).
    fn look(&self) -> opusclip_core::Result<(CaptionStyle, Option<Watermark>)> {
        if let Some(text) = self.template.as_deref().filter(|text| !text.trim().is_empty()) {
            return self.template_look(text);
        }
        let mut style = match (self.no_captions, self.caption_style.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        {
            (true, Some(name)) if !name.eq_ignore_ascii_case(NO_CAPTIONS) => Err(opusclip_core::Error::invalid_input(
                format!("no_captions and caption_style {name:?} disagree: send one of them"),
            )),
            (true, _) => caption_style_named(NO_CAPTIONS),
            (false, name) => caption_style_named(name.unwrap_or(DEFAULT_CAPTION_STYLE)),
        }?;
        if let Some(position) = self.caption_position.as_deref().filter(|p| !p.trim().is_empty()) {
            style.position = opusclip_core::CaptionPosition::parse(position)?;
        }
        Ok((style, None))
    }
}

impl ClipFields {
    /// The look a `template` field sets (captions off with `no_captions`, moved by
    /// `caption_position`) and its `[watermark]`; refused beside `caption_style`.
    fn template_look(&self, text: &str) -> opusclip_core::Result<(CaptionStyle, Option<Watermark>)> {
        if self.caption_style.as_deref().is_some_and(|name| !name.trim().is_empty()) {
            return Err(opusclip_core::Error::invalid_input(
                "template and caption_style both set the look: send one of them",
            ));
        }
        let template = opusclip_core::template::parse_template(text, false)
            .map_err(|error| opusclip_core::Error::invalid_input(format!("template: {error}")))?;
        let mut style = template.style;
        style.enabled = !self.no_captions;
        if let Some(position) = self.caption_position.as_deref().filter(|p| !p.trim().is_empty()) {
            style.position = opusclip_core::CaptionPosition::parse(position)?;
        }
        Ok((style, template.watermark))
    }
}

/// The files a job brought beside its video, as paths on this machine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFiles {
    /// A transcript (SRT, VTT, ASS, whisper JSON).
    pub transcript: Option<PathBuf>,
    /// A watermark image (PNG or JPEG).
    pub watermark: Option<PathBuf>,
    /// A caption font (TrueType or OpenType).
    pub font: Option<PathBuf>,
}

/// Points `style`'s font file and the watermark's image at the job's files: a template's
/// `font_file` or `[watermark]` needs the matching file, a file without them is used as is (the
/// watermark in its default corner). Every missing file is named.
fn brand_files(
    style: &mut CaptionStyle,
    template_watermark: Option<Watermark>,
    files: &JobFiles,
) -> Result<Option<Watermark>, Vec<String>> {
    let mut problems = Vec::new();
    match (&files.font, &style.font_file) {
        (Some(font), _) => style.font_file = Some(font.display().to_string()),
        (None, Some(name)) => problems.push(format!(
            "the template's font_file {name:?} is a file on your machine: send it as a `font` part of the form"
        )),
        (None, None) => {}
    }
    let watermark = match (template_watermark, &files.watermark) {
        (Some(watermark), Some(image)) => Some(Watermark { image: image.display().to_string(), ..watermark }),
        (None, Some(image)) => Some(Watermark {
            image: image.display().to_string(),
            corner: Default::default(),
            width: opusclip_core::brand::DEFAULT_WATERMARK_WIDTH,
            opacity: opusclip_core::brand::DEFAULT_WATERMARK_OPACITY,
        }),
        (Some(watermark), None) => {
            problems.push(format!(
                "the template's watermark image {:?} is a file on your machine: send it as a `watermark` part of \
                 the form",
                watermark.image
            ));
            None
        }
        (None, None) => None,
    };
    if problems.is_empty() {
        Ok(watermark)
    } else {
        Err(problems)
    }
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
    pub clip: ClipFields,
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
        for (name, file) in [("watermark", &self.watermark), ("font", &self.font)] {
            if let Some(file) = file {
                value[name] = serde_json::json!(file.sha256);
            }
        }
        crate::util::sha256_hex(value.to_string().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_options_or_name_every_problem() {
        let fields = ClipFields {
            clips: 2,
            min: 5.0,
            max: 10.0,
            aspect: vec!["9:16".into(), "1:1".into()],
            ..ClipFields::default()
        };
        let options = fields.to_options(&Settings::default(), None).expect("valid");
        assert_eq!(options.aspects, [Aspect::Vertical, Aspect::Square]);
        assert_eq!((options.clips, options.min_seconds, options.max_seconds), (2, 5.0, 10.0));
        assert!(!options.tighten.any());
        let tight = ClipFields { cut_pauses: Some(0.7), cut_fillers: true, ..ClipFields::default() };
        let tight = tight.to_options(&Settings::default(), None).expect("valid").tighten;
        assert_eq!((tight.pause_seconds, tight.fillers), (Some(0.7), true));
        let bad_pause = ClipFields { cut_pauses: Some(9.0), ..ClipFields::default() };
        assert!(bad_pause.to_options(&Settings::default(), None).is_err());
        let bad = ClipFields { aspect: vec!["3:2".into()], length: vec!["30-15".into()], ..ClipFields::default() };
        let error = bad.to_options(&Settings::default(), None).unwrap_err();
        assert_eq!(error.code, "INVALID_INPUT_ERROR");
        assert!(error.message.contains("3:2") && error.message.contains("30-15"), "{}", error.message);
        let bad = ClipFields { clips: 0, ..ClipFields::default() };
        assert!(bad.to_options(&Settings::default(), None).unwrap_err().message.contains("--clips"));
    }

    #[test]
    fn caption_style_names_a_look_and_is_part_of_the_fingerprint() {
        let settings = Settings::default();
        let default = ClipFields::default().to_options(&settings, None).expect("valid");
        assert_eq!(default.caption_style, CaptionStyle::default());
        let clean = ClipFields { caption_style: Some("clean".into()), ..ClipFields::default() };
        assert_eq!(
            clean.to_options(&settings, None).expect("valid").caption_style,
            caption_style_named("clean").unwrap()
        );
        let off = ClipFields { no_captions: true, ..ClipFields::default() };
        assert!(!off.to_options(&settings, None).expect("valid").caption_style.enabled);
        let bad =
            ClipFields { caption_style: Some("comic".into()), aspect: vec!["3:2".into()], ..ClipFields::default() };
        let error = bad.to_options(&settings, None).unwrap_err();
        assert_eq!((error.status.as_u16(), error.code), (422, "INVALID_INPUT_ERROR"));
        assert!(
            error.message.contains("comic") && error.message.contains("bold, clean") && error.message.contains("3:2")
        );
        let clash = ClipFields { caption_style: Some("punch".into()), no_captions: true, ..ClipFields::default() };
        assert!(clash.to_options(&settings, None).is_err());
        let request = |clip: ClipFields| JobRequest {
            kind: JobKind::Clips,
            source: JobSource::Url { url: "https://example.com/a.mp4".into() },
            transcript_key: None,
            clip,
            max_length: None,
            webhook_url: None,
            inline: false,
            spec: None,
            watermark: None,
            font: None,
        };
        let plain = request(ClipFields::default());
        assert!(!serde_json::to_string(&plain).unwrap().contains("caption_style"), "absent: not serialized");
        assert_ne!(plain.output_fingerprint(), request(clean).output_fingerprint());
    }

    #[test]
    fn a_template_takes_the_jobs_watermark_and_font_files_or_names_the_missing_ones() {
        let settings = Settings::default();
        let template =
            "base = \"bold\"\nfont_file = \"Brand.ttf\"\n[watermark]\nimage = \"logo.png\"\ncorner = \"bottom-left\"\n";
        let fields = ClipFields { template: Some(template.into()), ..ClipFields::default() };
        let error = fields.to_options(&settings, None).unwrap_err();
        assert_eq!(error.code, "INVALID_INPUT_ERROR");
        assert!(
            error.message.contains("`font` part") && error.message.contains("`watermark` part"),
            "{}",
            error.message
        );
        let files = JobFiles {
            transcript: None,
            watermark: Some(PathBuf::from("/spool/w.png")),
            font: Some(PathBuf::from("/spool/f.ttf")),
        };
        let options = fields.to_options_with(&settings, files.clone()).expect("valid with both files");
        let watermark = options.watermark.expect("the template's watermark");
        assert_eq!((watermark.image.as_str(), watermark.corner), ("/spool/w.png", opusclip_core::Corner::BottomLeft));
        assert_eq!(options.caption_style.font_file.as_deref(), Some("/spool/f.ttf"));
        // Files without a template: the default corner, the default look in the brand's font.
        let plain = ClipFields::default().to_options_with(&settings, files).expect("valid");
        let watermark = plain.watermark.expect("a watermark from the file alone");
        assert_eq!((watermark.corner, watermark.width), (opusclip_core::Corner::TopRight, 0.15));
        assert_eq!(plain.caption_style.font_file.as_deref(), Some("/spool/f.ttf"));
        assert!(ClipFields::default().to_options(&settings, None).expect("valid").watermark.is_none());
    }

    #[test]
    fn brand_files_change_the_fingerprint_only_when_sent() {
        let request = JobRequest {
            kind: JobKind::Clips,
            source: JobSource::Url { url: "https://example.com/a.mp4".into() },
            transcript_key: None,
            clip: ClipFields::default(),
            max_length: None,
            webhook_url: None,
            inline: false,
            spec: None,
            watermark: None,
            font: None,
        };
        let json = serde_json::to_string(&request).unwrap();
        assert!(!json.contains("watermark") && !json.contains("font"), "{json}");
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
        assert!(ClipFields::default().to_options(&with_llm, None).expect("valid").llm.is_some());
        assert!(ClipFields::default().to_options(&settings, None).expect("valid").llm.is_none());
    }

    #[test]
    fn kinds_parse_and_refuse_others() {
        assert_eq!(JobKind::parse("reframe").unwrap(), JobKind::Reframe);
        assert_eq!(JobKind::parse("gif").unwrap_err().status.as_u16(), 422);
    }
}
