//! `opusclip-fuzz seeds DIR`: write every target's seeds (DIR/NAME/seed-N) and libFuzzer
//! dictionary (DIR/NAME.dict) for scripts/fuzz.sh. `opusclip-fuzz random SECONDS [TARGET]`: run
//! the random mutator on each target (or one) for SECONDS and print the executions.

use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["seeds", dir] => write_seeds(std::path::Path::new(dir)),
        ["random", seconds, rest @ ..] => {
            let seconds: f64 = seconds.parse().expect("SECONDS is a number");
            let mut total = 0;
            for target in opusclip_fuzz::TARGETS.iter().filter(|t| rest.is_empty() || rest.contains(&t.name)) {
                let stats = opusclip_fuzz::fuzz_for(target, Duration::from_secs_f64(seconds), seconds.to_bits());
                println!("{:16} {:>11} executions, slowest {:?}", target.name, stats.executions, stats.slowest);
                total += stats.executions;
            }
            println!("total {total} executions, 0 findings");
        }
        _ => {
            eprintln!("usage: opusclip-fuzz seeds DIR | opusclip-fuzz random SECONDS [TARGET...]");
            std::process::exit(2);
        }
    }
}

fn write_seeds(dir: &std::path::Path) {
    for target in opusclip_fuzz::TARGETS {
        let folder = dir.join(target.name);
        std::fs::create_dir_all(&folder).expect("create the seed folder");
        for (index, seed) in target.seeds.iter().enumerate() {
            std::fs::write(folder.join(format!("seed-{index}")), seed).expect("write a seed");
        }
        let dictionary: String =
            target.dictionary.iter().map(|token| format!("\"{}\"\n", dictionary_escaped(token))).collect();
        std::fs::write(dir.join(format!("{}.dict", target.name)), dictionary).expect("write the dictionary");
        println!("{}", target.name);
    }
}

/// A token as libFuzzer's dictionary format quotes it: printable ASCII as is, `"` and `\` and
/// every other byte as `\xNN`.
fn dictionary_escaped(token: &str) -> String {
    token
        .bytes()
        .map(|byte| match byte {
            b' '..=b'~' if byte != b'"' && byte != b'\\' => char::from(byte).to_string(),
            _ => format!("\\x{byte:02X}"),
        })
        .collect()
}
