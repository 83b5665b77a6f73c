//! `LEAKWATCH_PROFILE=1`: where the analyser's time and memory go, phase by phase, on stderr.

/// `LEAKWATCH_PROFILE=1`: phase timings on stderr.
pub fn profile(label: &str, since: std::time::Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("LEAKWATCH_PROFILE").is_some_and(|v| v == "1")) {
        eprintln!(
            "leakwatch profile: {label}: {:.3} s{}",
            since.elapsed().as_secs_f64(),
            resident_memory()
        );
    }
}

/// `, RSS <now> MB (peak <peak> MB)` from /proc on Linux, empty elsewhere: where the memory peak falls.
fn resident_memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kib| kib * 1024 / 1_000_000)
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => format!(", RSS {now} MB (peak {peak} MB)"),
        _ => String::new(),
    }
}
