//! Every fuzz target, briefly, with the seeded random mutator (CI's share of the fuzzing; the
//! long coverage-guided runs are `scripts/fuzz.sh`). `OPUSCLIP_FUZZ_SECONDS` sets the time per
//! target (default 3).

use std::time::Duration;

#[test]
fn every_target_survives_a_short_random_run() {
    let seconds: f64 = std::env::var("OPUSCLIP_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let mut total = 0;
    for target in opusclip_fuzz::TARGETS {
        let stats =
            opusclip_fuzz::fuzz_for(target, Duration::from_secs_f64(seconds), 0x5eed ^ target.name.len() as u64);
        eprintln!("{:16} {:>9} executions, slowest {:?}", target.name, stats.executions, stats.slowest);
        assert!(stats.executions > 100, "{} ran only {} inputs", target.name, stats.executions);
        total += stats.executions;
    }
    eprintln!("total: {total} executions");
}

#[test]
fn seeds_parse_so_mutations_start_from_valid_input() {
    // A seed that fails to parse would leave the fuzzer exploring only error paths.
    assert!(opusclip_speech::parse_srt(opusclip_fuzz::target("srt").unwrap().seeds[0]).is_ok());
    assert!(opusclip_speech::parse_vtt(opusclip_fuzz::target("vtt").unwrap().seeds[0]).is_ok());
    assert!(opusclip_speech::parse_ass(opusclip_fuzz::target("ass").unwrap().seeds[0]).is_ok());
    for seed in opusclip_fuzz::target("transcript_json").unwrap().seeds {
        assert!(opusclip_speech::parse_transcript_json(seed).is_ok(), "{seed}");
    }
    assert!(opusclip_speech::evaluation::parse_textgrid(opusclip_fuzz::target("textgrid").unwrap().seeds[0]).is_ok());
    let spec = opusclip_fuzz::target("clip_spec").unwrap().seeds[0];
    serde_json::from_str::<opusclip_core::ClipSpec>(spec).expect("the spec seed parses");
    let settings = opusclip_fuzz::target("settings").unwrap().seeds[0];
    let (toml_text, dotenv_text) = settings.split_once("\n---\n").unwrap();
    opusclip_core::Settings::from_file_texts(toml_text, dotenv_text).expect("the settings seed parses");
}
