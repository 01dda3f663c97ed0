//! Peak memory of this process (the kernel's high-water mark of resident memory).

/// Peak resident set size in bytes, or 0 where the kernel does not report it.
pub fn peak_rss_bytes() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return 0 };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn peak_is_at_least_a_megabyte_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(super::peak_rss_bytes() > 1 << 20);
        }
    }
}
