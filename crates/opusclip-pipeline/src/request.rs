//! What a person asks of one clip job, by the option names of `opusclip clip`: the one request
//! type the command line, the HTTP API, the web page and the Lambda handler all build, and the
//! one place it becomes [`ClipOptions`], every problem reported at once.

use crate::llm::LlmConfig;
use crate::options::ClipOptions;
use crate::transcript::{censor_list, default_vad_model, default_whisper_model, vocabulary_prompt};
use opusclip_core::{
    caption_style_named, caption_style_names, Aspect, CaptionStyle, Error, LayoutKind, Result, Settings, Watermark,
    DEFAULT_CAPTION_STYLE, NO_CAPTIONS,
};
/// The pause a bare `cut_pauses` (`on`, `--cut-pauses` without a number) cuts, seconds.
pub use opusclip_select::DEFAULT_PAUSE_SECONDS;
use opusclip_select::{LengthRange, TightenOptions, TimeRange};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::PathBuf;

/// The options of `opusclip clip` as given, by the same names (a job stores it as JSON). Fields
/// added after the first are left out of the JSON at their defaults, so stored requests keep
/// their fingerprints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipRequest {
    pub clips: usize,
    pub min: f64,
    pub max: f64,
    /// Allowed lengths, each a comma list of `MIN-MAX` ranges; replace `min`/`max`.
    #[serde(default)]
    pub length: Vec<String>,
    /// Only choose inside `START-END`.
    #[serde(default)]
    pub range: Option<String>,
    /// Keywords that steer the choice.
    #[serde(default)]
    pub prompt: Option<String>,
    /// Output ratios (9:16, 1:1, 4:5, 16:9); empty: 9:16.
    #[serde(default)]
    pub aspect: Vec<String>,
    /// Spoken language for speech recognition.
    #[serde(default)]
    pub language: Option<String>,
    /// Names and terms for the speech model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary: Option<String>,
    /// Profanity masking: `""` for the built-in list, or extra comma-separated words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censor: Option<String>,
    #[serde(default)]
    pub no_captions: bool,
    /// A caption look by name (`bold`, `clean`, `punch`, `single`, or `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption_style: Option<String>,
    /// Where the captions sit: auto, top, middle, bottom or `NN%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption_position: Option<String>,
    /// The clips' loudness: a preset, LUFS, or `off`; absent: −14.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loudness: Option<String>,
    /// A brand template's text (TOML or JSON); not with `caption_style`. The files it names
    /// come as [`RequestFiles`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Cut quiet pauses longer than this many seconds out of each clip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_pauses: Option<f64>,
    /// Cut filler words and repeated starts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut_fillers: bool,
    /// Both cuts at their defaults (a pause longer than half a second, fillers).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tight: bool,
    /// The layout of every output (`track`, `split`, `three`, `four`, `screen`, `blur-fit`,
    /// `audiogram`), or `auto` / absent to choose per clip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    /// An emoji after one strong word per caption page.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub emoji: bool,
    /// The LLM of `LLM_URL` for titles and reranking: `true` requires it, `false` turns it off,
    /// absent uses it when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<bool>,
}

impl Default for ClipRequest {
    fn default() -> Self {
        let defaults = ClipOptions::default();
        ClipRequest {
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
            tight: false,
            layout: None,
            emoji: false,
            llm: None,
        }
    }
}

/// The files a request brings beside its video, as paths on this machine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestFiles {
    /// A transcript (SRT, VTT, ASS, whisper JSON).
    pub transcript: Option<PathBuf>,
    /// A watermark image (PNG or JPEG): the template's `[watermark]` image, or a logo alone.
    pub watermark: Option<PathBuf>,
    /// A caption font (TrueType or OpenType): the template's `font_file`, or the look's font.
    pub font: Option<PathBuf>,
}

/// What the machine running a request decides for itself beyond the settings (the command
/// line's own flags; a server leaves them all at their defaults).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalChoices {
    /// A whisper model file instead of the installed one.
    pub whisper_model: Option<PathBuf>,
    /// No voice-activity model.
    pub no_vad: bool,
    /// An extra folder searched for caption fonts.
    pub font_dir: Option<PathBuf>,
    /// No sentence embeddings.
    pub no_embeddings: bool,
}

impl ClipOptions {
    /// The options `request` asks for, with its `files` and the machine's `local` choices;
    /// every problem is reported at once as one `INVALID_INPUT_ERROR` (its `details` list them,
    /// and name the caption looks when a look's name is wrong).
    pub fn from_request(
        request: &ClipRequest,
        settings: &Settings,
        files: RequestFiles,
        local: &LocalChoices,
    ) -> Result<ClipOptions> {
        let mut problems = Vec::new();
        let mut details = json!({});
        let lengths = parse_lengths(&request.length, &mut problems);
        let timeframe = request
            .range
            .as_deref()
            .filter(|range| !range.trim().is_empty())
            .and_then(|range| TimeRange::parse(range).map_err(|error| problems.push(error.to_string())).ok());
        let asked = if request.aspect.is_empty() { vec!["9:16".to_string()] } else { request.aspect.clone() };
        let aspects = parse_aspects(&asked).unwrap_or_else(|error| {
            problems.push(error.to_string());
            Vec::new()
        });
        let layout = request
            .layout
            .as_deref()
            .and_then(|layout| parse_layout(layout).map_err(|error| problems.push(error.to_string())).ok().flatten());
        let (mut caption_style, template_watermark) = look(request).unwrap_or_else(|error| {
            problems.push(error.to_string());
            details["caption_styles"] = json!(caption_style_names());
            (CaptionStyle::default(), None)
        });
        let watermark = brand_files(&mut caption_style, template_watermark, &files, &mut problems);
        let loudness = match request.loudness.as_deref().filter(|text| !text.trim().is_empty()) {
            None => ClipOptions::default().loudness,
            Some(text) => opusclip_core::parse_loudness(text).unwrap_or_else(|error| {
                problems.push(error.to_string());
                None
            }),
        };
        let llm = llm_config(request.llm, settings).unwrap_or_else(|error| {
            problems.push(error.to_string());
            None
        });
        if !problems.is_empty() {
            details["problems"] = json!(problems);
            return Err(Error::invalid_input(problems.join("; ")).with_details(details));
        }
        let installed_embeddings = crate::topics::installed_embedding_model(settings.cache_dir.as_deref());
        let options = ClipOptions {
            clips: request.clips,
            min_seconds: request.min,
            max_seconds: request.max,
            lengths,
            timeframe,
            prompt: request.prompt.clone().filter(|prompt| !prompt.trim().is_empty()),
            aspects,
            layout,
            transcript: files.transcript,
            whisper_model: local.whisper_model.clone().or_else(|| default_whisper_model(settings)),
            language: request.language.clone().filter(|language| !language.trim().is_empty()),
            asr_prompt: vocabulary_prompt(request.vocabulary.as_deref()),
            vad_model: if local.no_vad { None } else { default_vad_model(settings) },
            censor: censor_list(request.censor.as_deref()),
            font_dir: local.font_dir.clone().or_else(|| settings.font_dir.clone()),
            score_weights: settings.score_weights,
            embedding_model: installed_embeddings.filter(|_| !local.no_embeddings),
            embedding_batch: settings.batch_size as usize,
            caption_style,
            watermark,
            loudness,
            llm,
            tighten: tighten(request),
            ..ClipOptions::default()
        };
        options.validate()?;
        Ok(options)
    }
}

/// Every `length` value (each a comma list of `MIN-MAX` ranges), without repeats.
fn parse_lengths(values: &[String], problems: &mut Vec<String>) -> Vec<LengthRange> {
    let mut ranges: Vec<LengthRange> = Vec::new();
    for value in values {
        match LengthRange::parse_list(value) {
            Ok(parsed) => ranges.extend(parsed.into_iter().filter(|range| !ranges.contains(range)).collect::<Vec<_>>()),
            Err(error) => problems.push(error.to_string()),
        }
    }
    ranges
}

/// The `aspect` values, without repeats; every bad one is named.
pub fn parse_aspects(values: &[String]) -> Result<Vec<Aspect>> {
    let mut aspects = Vec::new();
    let mut problems = Vec::new();
    for value in values {
        match value.parse::<Aspect>() {
            Ok(aspect) if !aspects.contains(&aspect) => aspects.push(aspect),
            Ok(_) => {}
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(aspects)
    } else {
        Err(Error::invalid_input(problems.join("; ")))
    }
}

/// `layout`: `auto` (the planner chooses) or a layout name.
pub fn parse_layout(value: &str) -> Result<Option<LayoutKind>> {
    if value.trim().is_empty() || value.trim().eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    value.parse::<LayoutKind>().map(Some).map_err(|problem| {
        Error::invalid_input(format!("layout: {problem}, or auto")).with_details(json!({ "layout": value }))
    })
}

/// The caption look and a template's watermark (its image still the name the template gave):
/// the template, else the named look (`none` with `no_captions`), else the default; moved by
/// `caption_position`, with emoji when asked.
fn look(request: &ClipRequest) -> Result<(CaptionStyle, Option<Watermark>)> {
    let named = request.caption_style.as_deref().map(str::trim).filter(|name| !name.is_empty());
    let template = request.template.as_deref().filter(|text| !text.trim().is_empty());
    let (mut style, watermark) = match (template, named) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_input("template and caption_style both set the look: send one of them"))
        }
        (Some(text), None) => {
            let template = opusclip_core::template::parse_template(text, false)
                .map_err(|error| Error::invalid_input(format!("template: {error}")))?;
            let mut style = template.style;
            style.enabled = !request.no_captions;
            (style, template.watermark)
        }
        (None, Some(name)) if request.no_captions && !name.eq_ignore_ascii_case(NO_CAPTIONS) => {
            return Err(Error::invalid_input(format!(
                "no_captions and caption_style {name:?} disagree: send one of them"
            )))
        }
        (None, _) if request.no_captions => (caption_style_named(NO_CAPTIONS)?, None),
        (None, name) => (caption_style_named(name.unwrap_or(DEFAULT_CAPTION_STYLE))?, None),
    };
    if let Some(position) = request.caption_position.as_deref().filter(|position| !position.trim().is_empty()) {
        style.position = opusclip_core::CaptionPosition::parse(position)?;
    }
    style.emoji |= request.emoji;
    Ok((style, watermark))
}

/// Points `style`'s font file and the watermark's image at the request's files: a template's
/// `font_file` or `[watermark]` needs the matching file, a file without them is used as is (the
/// watermark in its default corner). Every missing file is named in `problems`.
fn brand_files(
    style: &mut CaptionStyle,
    template_watermark: Option<Watermark>,
    files: &RequestFiles,
    problems: &mut Vec<String>,
) -> Option<Watermark> {
    match (&files.font, &style.font_file) {
        (Some(font), _) => style.font_file = Some(font.display().to_string()),
        (None, Some(name)) => problems.push(format!(
            "the template's font_file {name:?} needs its file: beside the template for `opusclip clip`, the form's \
             `font` part for the API"
        )),
        (None, None) => {}
    }
    match (template_watermark, &files.watermark) {
        (Some(watermark), Some(image)) => Some(Watermark { image: image.display().to_string(), ..watermark }),
        (None, Some(image)) => Some(Watermark {
            image: image.display().to_string(),
            corner: Default::default(),
            width: opusclip_core::brand::DEFAULT_WATERMARK_WIDTH,
            opacity: opusclip_core::brand::DEFAULT_WATERMARK_OPACITY,
        }),
        (Some(watermark), None) => {
            problems.push(format!(
                "the template's watermark image {:?} needs its file: beside the template for `opusclip clip`, the \
                 form's `watermark` part for the API",
                watermark.image
            ));
            None
        }
        (None, None) => None,
    }
}

/// The LLM of `LLM_URL` unless turned off; asked for without `LLM_URL` is an error.
fn llm_config(asked: Option<bool>, settings: &Settings) -> Result<Option<LlmConfig>> {
    match (asked, LlmConfig::from_settings(settings)) {
        (Some(false), _) => Ok(None),
        (Some(true), None) => Err(Error::invalid_input(
            "the LLM was asked for (--llm, or llm=true) but LLM_URL is not set: the address of an OpenAI-compatible \
             server, e.g. LLM_URL=http://127.0.0.1:8080 for `llama-server -m model.gguf --port 8080`",
        )),
        (_, config) => Ok(config),
    }
}

/// What `cut_pauses`, `cut_fillers` and `tight` ask to cut out of each clip.
fn tighten(request: &ClipRequest) -> TightenOptions {
    let default_pause = request.tight.then_some(DEFAULT_PAUSE_SECONDS);
    TightenOptions {
        pause_seconds: request.cut_pauses.or(default_pause),
        fillers: request.cut_fillers || request.tight,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::ErrorCode;

    fn options(request: &ClipRequest) -> Result<ClipOptions> {
        ClipOptions::from_request(request, &Settings::default(), RequestFiles::default(), &LocalChoices::default())
    }

    #[test]
    fn a_request_becomes_options_or_names_every_problem() {
        let request = ClipRequest {
            clips: 2,
            min: 5.0,
            max: 10.0,
            aspect: vec!["9:16".into(), "1:1".into(), "9:16".into()],
            ..ClipRequest::default()
        };
        let made = options(&request).expect("valid");
        assert_eq!(made.aspects, [Aspect::Vertical, Aspect::Square]);
        assert_eq!((made.clips, made.min_seconds, made.max_seconds), (2, 5.0, 10.0));
        assert_eq!(options(&ClipRequest::default()).expect("valid").aspects, [Aspect::Vertical], "9:16 by default");
        assert!(!made.tighten.any());
        let tight =
            options(&ClipRequest { cut_pauses: Some(0.7), cut_fillers: true, ..ClipRequest::default() }).unwrap();
        assert_eq!((tight.tighten.pause_seconds, tight.tighten.fillers), (Some(0.7), true));
        let preset = options(&ClipRequest { tight: true, ..ClipRequest::default() }).unwrap().tighten;
        assert_eq!((preset.pause_seconds, preset.fillers), (Some(DEFAULT_PAUSE_SECONDS), true));
        assert!(options(&ClipRequest { cut_pauses: Some(9.0), ..ClipRequest::default() }).is_err());
        let bad = ClipRequest {
            aspect: vec!["3:2".into()],
            length: vec!["30-15".into()],
            layout: Some("mosaic".into()),
            loudness: Some("loud".into()),
            ..ClipRequest::default()
        };
        let error = options(&bad).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        let message = error.to_string();
        for named in ["3:2", "30-15", "mosaic", "tiktok"] {
            assert!(message.contains(named), "{named} in {message}");
        }
        assert_eq!(error.to_body()["details"]["problems"].as_array().map(Vec::len), Some(4));
        assert!(options(&ClipRequest { clips: 0, ..ClipRequest::default() })
            .unwrap_err()
            .to_string()
            .contains("--clips"));
        let three = options(&ClipRequest { layout: Some("three".into()), ..ClipRequest::default() }).unwrap();
        assert_eq!(three.layout, Some(LayoutKind::Three));
        assert_eq!(
            options(&ClipRequest { layout: Some("auto".into()), ..ClipRequest::default() }).unwrap().layout,
            None
        );
    }

    #[test]
    fn the_look_is_a_template_a_named_look_or_none() {
        assert_eq!(options(&ClipRequest::default()).unwrap().caption_style, CaptionStyle::default());
        let clean = ClipRequest { caption_style: Some("clean".into()), ..ClipRequest::default() };
        assert_eq!(options(&clean).unwrap().caption_style, caption_style_named("clean").unwrap());
        assert!(!options(&ClipRequest { no_captions: true, ..ClipRequest::default() }).unwrap().caption_style.enabled);
        let comic = ClipRequest { caption_style: Some("comic".into()), ..ClipRequest::default() };
        let error = options(&comic).unwrap_err();
        assert!(error.to_string().contains("comic") && error.to_string().contains("bold, clean"), "{error}");
        assert_eq!(error.to_body()["details"]["caption_styles"], json!(caption_style_names()));
        let clash = ClipRequest { caption_style: Some("punch".into()), no_captions: true, ..ClipRequest::default() };
        assert!(options(&clash).is_err());
        let template = "base = \"punch\"\nanimation = \"pop\"";
        let both = ClipRequest {
            template: Some(template.into()),
            caption_style: Some("bold".into()),
            ..ClipRequest::default()
        };
        assert!(options(&both).unwrap_err().to_string().contains("send one of them"));
        let moved = ClipRequest {
            template: Some(template.into()),
            caption_position: Some("top".into()),
            emoji: true,
            ..ClipRequest::default()
        };
        let style = options(&moved).unwrap().caption_style;
        assert!(style.uppercase && style.emoji, "punch's capitals, and emoji asked for");
        assert_eq!(style.position, opusclip_core::CaptionPosition::Top);
    }

    #[test]
    fn a_template_takes_the_watermark_and_font_files_or_names_the_missing_ones() {
        let settings = Settings::default();
        let template =
            "base = \"bold\"\nfont_file = \"Brand.ttf\"\n[watermark]\nimage = \"logo.png\"\ncorner = \"bottom-left\"\n";
        let request = ClipRequest { template: Some(template.into()), ..ClipRequest::default() };
        let error = options(&request).unwrap_err().to_string();
        assert!(error.contains("`font` part") && error.contains("`watermark` part"), "{error}");
        let files = RequestFiles {
            transcript: None,
            watermark: Some(PathBuf::from("/spool/w.png")),
            font: Some(PathBuf::from("/spool/f.ttf")),
        };
        let local = LocalChoices::default();
        let made =
            ClipOptions::from_request(&request, &settings, files.clone(), &local).expect("valid with both files");
        let watermark = made.watermark.expect("the template's watermark");
        assert_eq!((watermark.image.as_str(), watermark.corner), ("/spool/w.png", opusclip_core::Corner::BottomLeft));
        assert_eq!(made.caption_style.font_file.as_deref(), Some("/spool/f.ttf"));
        // Files without a template: the default corner, the default look in the brand's font.
        let plain = ClipOptions::from_request(&ClipRequest::default(), &settings, files, &local).expect("valid");
        let watermark = plain.watermark.expect("a watermark from the file alone");
        assert_eq!((watermark.corner, watermark.width), (opusclip_core::Corner::TopRight, 0.15));
        assert_eq!(plain.caption_style.font_file.as_deref(), Some("/spool/f.ttf"));
        assert!(options(&ClipRequest::default()).unwrap().watermark.is_none());
    }

    #[test]
    fn the_llm_follows_llm_url_unless_turned_off_and_local_choices_apply() {
        let with_url = Settings { llm_url: Some("http://127.0.0.1:8080".into()), ..Settings::default() };
        let local = LocalChoices::default();
        let on = |asked: Option<bool>, settings: &Settings| {
            let request = ClipRequest { llm: asked, ..ClipRequest::default() };
            ClipOptions::from_request(&request, settings, RequestFiles::default(), &local)
                .map(|made| made.llm.is_some())
        };
        assert_eq!((on(None, &with_url).unwrap(), on(Some(false), &with_url).unwrap()), (true, false));
        assert!(!on(None, &Settings::default()).unwrap());
        assert!(on(Some(true), &Settings::default()).unwrap_err().to_string().contains("LLM_URL"));
        let model = tempfile::NamedTempFile::new().expect("a model file");
        let choices = LocalChoices {
            whisper_model: Some(model.path().to_path_buf()),
            no_vad: true,
            font_dir: Some("/f".into()),
            no_embeddings: true,
        };
        let made =
            ClipOptions::from_request(&ClipRequest::default(), &Settings::default(), RequestFiles::default(), &choices)
                .unwrap();
        assert_eq!((made.whisper_model, made.font_dir), (Some(model.path().to_path_buf()), Some("/f".into())));
        assert!(made.vad_model.is_none() && made.embedding_model.is_none());
    }

    #[test]
    fn fields_added_later_stay_out_of_the_json_at_their_defaults() {
        let json = serde_json::to_value(ClipRequest::default()).unwrap();
        let mut names: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["aspect", "clips", "language", "length", "max", "min", "no_captions", "prompt", "range"]);
        let back: ClipRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back, ClipRequest::default());
    }
}
