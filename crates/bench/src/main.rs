//! `switchyard-bench`: drives a running Switchyard server with concurrent clients and
//! reports, per scenario, requests per second, latency percentiles, errors and the server's
//! peak resident memory. See `bench/README.md`.

mod client;
mod report;
mod scenarios;

use std::time::Duration;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "switchyard-bench",
    about = "Load scenarios against a running Switchyard server"
)]
pub struct Args {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    pub url: String,
    /// An admin of the organization to load (`seed-bench` creates `<org>_admin`).
    #[arg(long, default_value = "bench_admin")]
    pub username: String,
    #[arg(long, default_value = "bench-password-42")]
    pub password: String,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Comma-separated scenarios: list, search, detail, create, transition, assign,
    /// overview, trends, nlq, login.
    #[arg(
        long,
        default_value = "list,search,detail,create,transition,assign,overview,nlq"
    )]
    pub scenarios: String,
    /// PID of the server, to sample its resident memory.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Seconds to pause between scenarios, so slow requests of one do not overlap the next.
    #[arg(long, default_value_t = 3)]
    pub pause: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let ctx = std::sync::Arc::new(client::Context::prepare(&args).await?);
    println!(
        "| scenario | conc. | requests | req/s | p50 ms | p95 ms | p99 ms | errors | server peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for name in args
        .scenarios
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let scenario = scenarios::by_name(name)?;
        let result = scenarios::run(
            &ctx,
            scenario,
            args.concurrency,
            Duration::from_secs(args.duration),
            args.server_pid,
        )
        .await?;
        println!("{}", result.row(name, args.concurrency));
        tokio::time::sleep(Duration::from_secs(args.pause)).await;
    }
    Ok(())
}
