//! The libFuzzer entry point: `OPUSCLIP_FUZZ_TARGET=srt opusclip-fuzz-libfuzzer CORPUS -max_total_time=60`
//! (built by scripts/fuzz.sh with sanitizer-coverage instrumentation on the stable toolchain).

#![no_main]

use std::sync::OnceLock;

static TARGET: OnceLock<opusclip_fuzz::Target> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let target = TARGET.get_or_init(|| {
        let name = std::env::var("OPUSCLIP_FUZZ_TARGET").unwrap_or_default();
        opusclip_fuzz::target(&name).unwrap_or_else(|| {
            let names: Vec<&str> = opusclip_fuzz::TARGETS.iter().map(|t| t.name).collect();
            panic!("set OPUSCLIP_FUZZ_TARGET to one of {names:?}")
        })
    });
    (target.run)(data);
});
