//! `opusclip probe`: the facts Video-OpusClip reads from a file.

use crate::cli::ProbeArgs;
use opusclip_core::Result;
use std::process::ExitCode;

pub fn run(args: &ProbeArgs, json_output: bool) -> Result<ExitCode> {
    let facts = opusclip_media::probe(&args.input)?;
    if json_output {
        println!("{}", serde_json::to_string(&facts).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    let video = &facts.video;
    let (dw, dh) = video.display_size();
    println!("{}", args.input.display());
    println!("  container  {} , {:.3} s", facts.format, facts.duration);
    println!(
        "  video      #{} {} {}x{} (shown {}x{}), SAR {}:{}, rotation {}°, {:.3} fps{}",
        video.index,
        video.codec,
        video.width,
        video.height,
        dw,
        dh,
        video.sar_num,
        video.sar_den,
        video.rotation,
        video.fps,
        if video.variable_frame_rate { " (variable)" } else { "" }
    );
    match &facts.audio {
        Some(audio) => {
            println!("  audio      #{} {} {} Hz, {} ch", audio.index, audio.codec, audio.sample_rate, audio.channels)
        }
        None => println!("  audio      none"),
    }
    for subtitle in &facts.subtitles {
        println!("  subtitles  #{} {} {}", subtitle.index, subtitle.codec, subtitle.language.as_deref().unwrap_or(""));
    }
    Ok(ExitCode::SUCCESS)
}
