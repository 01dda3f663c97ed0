//! The data model every stage of Video-OpusClip speaks, the `Settings` and the typed error
//! hierarchy. Pure data: no I/O beyond reading configuration files, no C dependencies.

pub mod brand;
pub mod cancel;
pub mod caption_presets;
pub mod cuts;
pub mod error;
pub mod hex;
pub mod layout;
pub mod loudness;
pub mod model;
pub mod settings;
pub mod spec;
pub mod stats;
pub mod template;
pub mod weights;

pub use brand::{platform_margins, CaptionAnimation, Corner, Watermark};
pub use caption_presets::{
    caption_style_name, caption_style_named, caption_style_names, CaptionPreset, CAPTION_PRESETS,
    DEFAULT_CAPTION_STYLE, NO_CAPTIONS,
};
pub use cuts::{check_kept_ranges, Cut, CutReason, CutTimeline, KeptRange};
pub use error::{Error, ErrorCode, Result};
pub use hex::hex;
pub use layout::{panel_rects, Layout, LayoutKind, Panel};
pub use loudness::{check_loudness, parse_loudness, DEFAULT_LOUDNESS_LUFS, LOUDNESS_PRESETS};
pub use model::*;
pub use settings::Settings;
pub use spec::*;
pub use weights::{ScoreWeights, PART_NAMES};

/// Version of every JSON contract this build writes (`analysis.json`, `ClipSpec`, manifest).
pub const SCHEMA_VERSION: u32 = 1;

/// The tool's version, as written into manifests.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
