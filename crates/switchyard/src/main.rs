//! `switchyard`: the server and its command-line tools.

mod audit_cli;
mod backup;
mod cli;
mod commands;
mod jobs_cli;
mod secret;
mod seed_bench;
mod settings;
mod sla_cli;

use clap::Parser;

/// mimalloc instead of glibc's allocator: request handling allocates and frees many small
/// buffers across threads; measured on the list benchmark it cut the server's CPU per request
/// (see bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    init_logging();
    match commands::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Structured logs on stderr; `RUST_LOG` sets levels, `SWITCHYARD_LOG_FORMAT=json` switches
/// to JSON lines for log shippers.
fn init_logging() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let json = std::env::var("SWITCHYARD_LOG_FORMAT").is_ok_and(|v| v == "json");
    // Colour only for a person at a terminal: no escape codes in files and log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
