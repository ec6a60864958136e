//! Latency statistics of one scenario.

use std::time::Duration;

/// What a scenario measured.
pub struct Outcome {
    pub latencies_us: Vec<u64>,
    pub errors: u64,
    pub elapsed: Duration,
    pub peak_rss_kb: Option<u64>,
}

impl Outcome {
    fn percentile(sorted: &[u64], p: f64) -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[idx] as f64 / 1000.0
    }

    /// One Markdown table row.
    pub fn row(mut self, name: &str, concurrency: usize) -> String {
        self.latencies_us.sort_unstable();
        let n = self.latencies_us.len() as u64 + self.errors;
        let rps = n as f64 / self.elapsed.as_secs_f64();
        format!(
            "| {name} | {concurrency} | {n} | {rps:.0} | {:.1} | {:.1} | {:.1} | {} | {} |",
            Self::percentile(&self.latencies_us, 0.50),
            Self::percentile(&self.latencies_us, 0.95),
            Self::percentile(&self.latencies_us, 0.99),
            self.errors,
            self.peak_rss_kb
                .map(|k| format!("{:.0}", k as f64 / 1024.0))
                .unwrap_or_else(|| "-".into()),
        )
    }
}

/// The resident set size of a process in KiB (Linux).
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}
