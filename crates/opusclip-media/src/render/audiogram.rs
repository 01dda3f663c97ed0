//! The audiogram layout's picture: the clip's sound drawn by ffmpeg's `showwaves` as a
//! centred, moving waveform (cube-root scale, so quiet speech still shows) in a band across
//! the middle of a plain background — or of the episode's cover art, blurred and darkened to
//! fill the frame. The title card and the captions come with the ASS file like any other
//! output's captions.

/// The background colour (deep indigo) and the waveform's colour.
pub const BACKGROUND: &str = "0x1E1B4B";
const WAVE_COLOUR: &str = "0xF5F3FF";

/// Frames per second of the drawn waveform (the encoder's `-r` sets the file's rate).
pub const WAVE_RATE: u32 = 25;

/// The waveform band's top and bottom as shares of the output height: between the title
/// above and the captions below.
pub const WAVE_BAND: (f64, f64) = (0.38, 0.54);

/// The waveform band's rows (top, bottom) on an output `height` pixels tall, even.
pub fn wave_rows(height: u32) -> (u32, u32) {
    let row = |share: f64| ((f64::from(height) * share).round() as u32) & !1;
    (row(WAVE_BAND.0), row(WAVE_BAND.1))
}

/// `[sound{index}]` (mono) drawn as a waveform over the background, then `finish` (captions,
/// pixel format, the output's pad). The background runs on (the encoder's `-t` ends the
/// file at the clip's length), so a sound that ends a few frames early leaves the picture
/// whole.
pub(super) fn composition((width, height): (u32, u32), finish: &str, index: usize, cover: Option<&str>) -> String {
    let (top, bottom) = wave_rows(height);
    let band = (bottom - top).max(2);
    // boxblur refuses a radius over half the smallest (chroma) plane side.
    let blur = COVER_BLUR_RADIUS.min((width.min(height) / 4).saturating_sub(1)).max(1);
    let backdrop = match cover {
        Some(cover) => format!(
            "{cover}scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},\
             boxblur={blur}:2,eq=brightness={COVER_BRIGHTNESS},format=yuv420p,\
             loop=loop=-1:size=1,fps={WAVE_RATE},setpts=N/{WAVE_RATE}/TB,setsar=1[backdrop{index}]"
        ),
        None => format!("color=c={BACKGROUND}:s={width}x{height}:r={WAVE_RATE}[backdrop{index}]"),
    };
    format!(
        "[sound{index}]showwaves=s={width}x{band}:mode=cline:rate={WAVE_RATE}:scale=cbrt:draw=full:\
         colors={WAVE_COLOUR},format=yuva420p[wave{index}];\n\
         {backdrop};\n\
         [backdrop{index}][wave{index}]overlay=x=0:y={top}:eof_action=pass{finish}"
    )
}

/// Blur radius of the cover art behind an audiogram, pixels (of the output).
const COVER_BLUR_RADIUS: u32 = 30;
/// How much the blurred cover art is darkened, so the white waveform, title and captions read
/// over any picture (`eq` brightness, −1..1).
const COVER_BRIGHTNESS: &str = "-0.3";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waveform_sits_in_its_band_over_the_background() {
        let graph = composition((1080, 1920), ",format=yuv420p[out2]", 2, None);
        assert!(graph.starts_with("[sound2]showwaves=s=1080x306:mode=cline"), "{graph}");
        assert!(graph.contains("color=c=0x1E1B4B:s=1080x1920:r=25[backdrop2]"), "{graph}");
        assert!(graph.ends_with("overlay=x=0:y=730:eof_action=pass,format=yuv420p[out2]"), "{graph}");
        assert_eq!(wave_rows(1080), (410, 582));
    }

    #[test]
    fn cover_art_fills_the_background_blurred_and_darkened() {
        let graph = composition((1080, 1920), "[out0]", 0, Some("[cover0]"));
        assert!(
            graph.contains(
                "[cover0]scale=1080:1920:force_original_aspect_ratio=increase,crop=1080:1920,boxblur=30:2,eq=brightness=-0.3"
            ),
            "{graph}"
        );
        assert!(graph.contains("loop=loop=-1:size=1,fps=25,setpts=N/25/TB,setsar=1[backdrop0];"), "{graph}");
        assert!(!graph.contains("color=c="), "{graph}");
    }
}
