//! The fuzz targets: each feeds bytes to one parser of outside input and asserts what its
//! output must keep (times finite and ordered, errors short and typed). A panic is a finding.

use opusclip_core::{ClipSpec, Error, Settings};
use opusclip_speech::{check_speaking_rate, cues_to_words, Cue};

/// One parser under test.
#[derive(Clone, Copy)]
pub struct Target {
    pub name: &'static str,
    /// Runs the parser on one input; panics when an invariant breaks.
    pub run: fn(&[u8]),
    /// Valid inputs to start mutating from.
    pub seeds: &'static [&'static str],
    /// Tokens the mutator splices in (syntax the format is made of).
    pub dictionary: &'static [&'static str],
}

/// The longest error message a parser may give: it quotes the input only in short excerpts.
const MAX_ERROR_BYTES: usize = 1024;

pub const TARGETS: &[Target] = &[
    Target {
        name: "srt",
        run: |data| cue_invariants(opusclip_speech::parse_srt(&text(data))),
        seeds: &[
            "1\n00:00:01,000 --> 00:00:02,500\n<i>Hello</i> there\n\n2\n00:00:03,000 --> 00:00:05,000\nJOHN: Two\nlines (Laughter)\n",
            "00:00:00,000 --> 00:00:01,000 X1:0\n{\\an8}Top &amp; <font color=\"red\">more</font>\n",
        ],
        dictionary: &["-->", "\n\n", "<i>", "</i>", "<", ">", "{\\", "}", "&amp;", ",000", ":00", "[Music]", "\r\n"],
    },
    Target {
        name: "vtt",
        run: |data| cue_invariants(opusclip_speech::parse_vtt(&text(data))),
        seeds: &[
            "WEBVTT\n\nNOTE hi\n\n00:01.000 --> 00:02.000 align:start\n<v Roger>We <00:00:01.500><c.y>are</c></v>\n\nid\n00:00:02.000 --> 00:00:04.000\nhere\n",
        ],
        dictionary: &["WEBVTT", "-->", "\n\n", "<v ", "<c.", "</c>", "<00:00:01.000>", "NOTE", "STYLE", "&lt;", ".000"],
    },
    Target {
        name: "ass",
        run: |data| cue_invariants(opusclip_speech::parse_ass(&text(data))),
        seeds: &[
            "[Script Info]\nTitle: t\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,{\\b1}Hello\\Nthere, you\n",
        ],
        dictionary: &["[Events]", "Format:", "Dialogue:", ",", "{\\", "}", "\\N", "0:00:01.00", "Start", "End", "Text"],
    },
    Target {
        name: "transcript_json",
        run: |data| cue_invariants(opusclip_speech::parse_transcript_json(&text(data))),
        seeds: &[
            r#"{"transcription":[{"offsets":{"from":0,"to":1500},"text":" Hello there"}]}"#,
            r#"{"segments":[{"start":0.0,"end":1.5,"text":"Hi (laughs)","words":[{"word":"Hi","start":0.0,"end":0.5}]}]}"#,
        ],
        dictionary: &["{", "}", "[", "]", "\"segments\"", "\"start\"", "\"end\"", "\"text\"", "\"offsets\"", "1e308", "-1", ":"],
    },
    Target {
        name: "textgrid",
        run: |data| {
            let parsed = opusclip_speech::evaluation::parse_textgrid(&text(data));
            if let Err(error) = parsed {
                short_typed_error(&error);
            }
        },
        seeds: &[
            "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\nxmin = 0\nxmax = 2\ntiers? <exists>\nsize = 1\nitem []:\n    item [1]:\n        class = \"IntervalTier\"\n        name = \"words\"\n        xmin = 0\n        xmax = 2\n        intervals: size = 1\n        intervals [1]:\n            xmin = 0\n            xmax = 2\n            text = \"hello\"\n",
        ],
        dictionary: &["item []:", "intervals [1]:", "size = ", "xmin = ", "xmax = ", "text = \"", "\"\"", "IntervalTier", "<exists>"],
    },
    Target {
        name: "grid_align",
        run: |data| match opusclip_speech::evaluation::grid_align_transcript(&text(data)) {
            Ok(transcript) => word_invariants(&transcript.words, false),
            Err(error) => short_typed_error(&error),
        },
        seeds: &["0 23750 sil\n23750 29500 bin\n29500 34000 blue\n34000 50000 sp\n"],
        dictionary: &["sil", "sp", " ", "\n", "1e309", "-0", "NaN", "inf"],
    },
    Target { name: "clip_spec", run: clip_spec, seeds: &[CLIP_SPEC_SEED], dictionary: &["{", "}", "\"start\"", "\"end\"", "1e9", "0", "-1", "\"words\"", "[", "]"] },
    Target {
        name: "settings",
        run: |data| {
            let text = text(data);
            let (toml_text, dotenv_text) = text.split_once("\n---\n").unwrap_or((&text, ""));
            if let Err(error) = Settings::from_file_texts(toml_text, dotenv_text) {
                assert!(matches!(error, Error::Configuration { .. }), "{error:?}");
            }
        },
        seeds: &["api_port = 8080\nbatch_size = 8\ncache_enabled = true\n[weights]\nhook = 0.4\n---\nDEBUG=1\nSCORE_WEIGHTS=hook=0.2,pacing=0.3\n"],
        dictionary: &["=", "\n", "[weights]", "\"", "API_PORT", "SCORE_WEIGHTS", "---", "true", "1e400", "#", "LLM_URL", "DEVICE"],
    },
    #[cfg(feature = "service")]
    Target {
        name: "api_json",
        run: service::api_json,
        seeds: &[service::API_SEED],
        dictionary: &["{", "}", "\"processing_type\"", "\"max_length\"", "\"clips\"", "\"video_url\"", "null", "\"captions\"", "-1", "1e30"],
    },
    #[cfg(feature = "service")]
    Target {
        name: "multipart_form",
        run: service::multipart_form,
        seeds: &[service::FORM_SEED],
        dictionary: &["--XyZ\r\n", "--XyZ--", "\r\n\r\n", "Content-Disposition: form-data; name=\"", "\"; filename=\"", "file", "transcript", "clips", "aspect", "length", "url"],
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().copied().find(|target| target.name == name)
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Cues have finite, ordered times; their words never go back in time; an error is a short
/// [`Error::Transcript`].
fn cue_invariants(parsed: opusclip_core::Result<Vec<Cue>>) {
    match parsed {
        Ok(cues) => {
            for cue in &cues {
                assert!(cue.start.is_finite() && cue.end.is_finite() && cue.start <= cue.end, "{cue:?}");
            }
            let words = cues_to_words(&cues);
            word_invariants(&words, true);
            if let Err(error) = check_speaking_rate(&words) {
                short_typed_error(&error);
            }
        }
        Err(error) => short_typed_error(&error),
    }
}

fn word_invariants(words: &[opusclip_core::Word], in_order: bool) {
    for word in words {
        assert!(word.start.is_finite() && word.end.is_finite() && word.start <= word.end, "{word:?}");
        assert!(!word.text.trim().is_empty(), "an empty word");
    }
    if in_order {
        assert!(words.windows(2).all(|pair| pair[0].start <= pair[1].start), "word times go backwards");
    }
}

fn short_typed_error(error: &Error) {
    assert!(matches!(error, Error::Transcript { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.len() <= MAX_ERROR_BYTES, "a {} byte error: {}", message.len(), &message[..200]);
}

/// A spec a user edited by hand: once it parses, laying out its captions for every output (what
/// `opusclip render` does before ffmpeg) must finish and write valid caption files.
fn clip_spec(data: &[u8]) {
    let Ok(spec) = serde_json::from_slice::<ClipSpec>(data) else { return };
    let measure = opusclip_captions::ApproxMetrics;
    for output in spec.outputs.iter().take(4) {
        let frame = (output.width.clamp(2, 8192), output.height.clamp(2, 8192));
        let pages =
            opusclip_captions::plan_pages(&spec.words, spec.start, spec.end, &spec.caption_style, frame, &measure);
        let ass = opusclip_captions::write_ass(&pages, &spec.caption_style, &spec.keywords, frame);
        assert!(ass.starts_with("[Script Info]"));
        let srt = opusclip_captions::write_srt(&pages);
        opusclip_speech::parse_srt(&srt)
            .map(|_| ())
            .or_else(|e| if pages.is_empty() { Ok(()) } else { Err(e) })
            .unwrap();
    }
}

const CLIP_SPEC_SEED: &str = r#"{"schema_version":1,"id":"clip-01","source":{"path":"talk.mp4","hash":"ea29","display_width":1280,"display_height":720,"fps":30.0,"has_audio":true},"start":52.0,"end":58.0,"words":[{"text":"This","start":52.0,"end":52.25,"confidence":1.0},{"text":"is","start":52.25,"end":52.416666666666664,"confidence":1.0},{"text":"sentence","start":52.416666666666664,"end":52.833333333333336,"confidence":1.0},{"text":"number","start":52.833333333333336,"end":53.166666666666664,"confidence":1.0}],"outputs":[{"aspect":"9:16","width":1080,"height":1920,"layout":"blur_fit","crop_keyframes":[{"t":0.0,"x":0.0,"y":0.0,"w":1280.0,"h":720.0},{"t":6.0,"x":0.0,"y":0.0,"w":1280.0,"h":720.0}]}],"caption_style":{"enabled":true,"font":"DejaVu Sans","font_size":72,"text_color":"FFFFFF","highlight_color":"FFD700","outline_color":"000000","outline":5,"highlight_scale":115,"max_lines":2,"uppercase":false},"title":"This is sentence number 27 of the talk"}"#;

#[cfg(feature = "service")]
mod service {
    use axum::extract::{FromRequest, Multipart};
    use opusclip_core::Settings;
    use opusclip_service::api::process::{to_job_request, ProcessRequest};
    use opusclip_service::api::upload::read_form;

    pub const API_SEED: &str = r#"{"video_url":"https://example.com/talk.mp4","processing_type":"clips","max_length":60,"clips":3,"webhook_url":"https://example.com/hook","inline":false}"#;

    pub const BOUNDARY: &str = "XyZ";
    pub const FORM_SEED: &str = "--XyZ\r\nContent-Disposition: form-data; name=\"clips\"\r\n\r\n3\r\n--XyZ\r\nContent-Disposition: form-data; name=\"aspect\"\r\n\r\n9:16,1:1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"transcript\"; filename=\"t.srt\"\r\nContent-Type: application/x-subrip\r\n\r\n1\n00:00:01,000 --> 00:00:02,000\nHi\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\n\r\nnot really a video\r\n--XyZ--\r\n";

    /// A `POST /api/video/process` body: once it parses, the job it asks for and the engine
    /// options of that job are made as the handler makes them: options or a typed refusal.
    pub fn api_json(data: &[u8]) {
        let Ok(body) = serde_json::from_slice::<ProcessRequest>(data) else { return };
        if let Ok(request) = to_job_request(&body) {
            let files = opusclip_service::request::RequestFiles::default();
            let _ = opusclip_service::request::clip_options(&request.clip, &Settings::default(), files);
        }
    }

    thread_local! {
        static RUNTIME: tokio::runtime::Runtime =
            tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime");
        static SPOOL: std::path::PathBuf = {
            let dir = std::env::temp_dir().join(format!("opusclip-fuzz-spool-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("create the spool");
            dir
        };
    }

    /// A multipart form as `POST /api/jobs` reads it (caps, duplicate parts, spooling): the form
    /// or a typed refusal, and never a spooled file left behind once the form is discarded.
    pub fn multipart_form(data: &[u8]) {
        SPOOL.with(|spool| {
            RUNTIME.with(|runtime| {
                runtime.block_on(async {
                    let request = axum::http::Request::builder()
                        .method("POST")
                        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
                        .body(axum::body::Body::from(data.to_vec()))
                        .expect("a request");
                    let Ok(multipart) = Multipart::from_request(request, &()).await else { return };
                    if let Ok(form) = read_form(multipart, spool, 1 << 20).await {
                        form.discard().await;
                    }
                });
            });
            let left = std::fs::read_dir(spool).map(|entries| entries.count()).unwrap_or(0);
            assert_eq!(left, 0, "the spool kept {left} file(s) after the form was refused or discarded");
        });
    }
}
