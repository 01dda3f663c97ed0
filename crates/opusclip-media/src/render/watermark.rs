//! A watermark (a logo image) over every output of a render: the image is read once as a
//! looped second input, made translucent, split per output, scaled to its share of the
//! output's width and laid in its corner inside the platforms' margins.

use super::crop_expression::format_number;
use opusclip_core::{platform_margins, Corner, Watermark};

/// The label each output's composition ends in before the watermark goes on.
pub(super) fn base_label(index: usize) -> String {
    format!("[base{index}]")
}

/// The graph lines that make `[logo{i}]` for every output from input 1: translucent, split.
pub(super) fn logo_branches(watermark: &Watermark, count: usize) -> String {
    let opacity = format_number(watermark.opacity.clamp(0.0, 1.0));
    let labels: String = (0..count).map(|index| format!("[logo{index}in]")).collect();
    let split = if count > 1 { format!(",split={count}") } else { String::new() };
    format!("[1:v]format=rgba,colorchannelmixer=aa={opacity}{split}{labels};\n")
}

/// `[base{index}]` with the logo scaled and laid in its corner, as `[out{index}]`.
pub(super) fn overlay(watermark: &Watermark, (width, height): (u32, u32), index: usize) -> String {
    let logo_width = (((f64::from(width) * watermark.width).round() as u32) & !1).max(2);
    let (side, vertical) = platform_margins(width, height);
    let x_margin = format_number((f64::from(width) * side).round());
    let y_margin = format_number((f64::from(height) * vertical).round());
    let (x, y) = match watermark.corner {
        Corner::TopLeft => (x_margin.clone(), y_margin.clone()),
        Corner::TopRight => (format!("W-w-{x_margin}"), y_margin.clone()),
        Corner::BottomLeft => (x_margin.clone(), format!("H-h-{y_margin}")),
        Corner::BottomRight => (format!("W-w-{x_margin}"), format!("H-h-{y_margin}")),
    };
    format!(
        "[logo{index}in]scale={logo_width}:-2[logo{index}];\n\
         {}[logo{index}]overlay=x={x}:y={y}:shortest=1,format=yuv420p[out{index}]",
        base_label(index)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watermark(corner: Corner) -> Watermark {
        Watermark { image: "logo.png".into(), corner, width: 0.15, opacity: 0.8 }
    }

    #[test]
    fn the_logo_is_made_translucent_once_and_split() {
        assert_eq!(
            logo_branches(&watermark(Corner::TopRight), 2),
            "[1:v]format=rgba,colorchannelmixer=aa=0.8,split=2[logo0in][logo1in];\n"
        );
        assert_eq!(
            logo_branches(&watermark(Corner::TopRight), 1),
            "[1:v]format=rgba,colorchannelmixer=aa=0.8[logo0in];\n"
        );
    }

    #[test]
    fn the_logo_sits_in_its_corner_inside_the_platform_margins() {
        let top_right = overlay(&watermark(Corner::TopRight), (1080, 1920), 0);
        assert!(
            top_right.starts_with("[logo0in]scale=162:-2[logo0];\n[base0][logo0]overlay=x=W-w-108:y=384:"),
            "{top_right}"
        );
        let bottom_left = overlay(&watermark(Corner::BottomLeft), (1920, 1080), 3);
        assert!(bottom_left.contains("overlay=x=192:y=H-h-86:shortest=1,format=yuv420p[out3]"), "{bottom_left}");
    }
}
