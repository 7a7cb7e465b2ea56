//! `lifeline`: the server binary. It only parses the command line and hands over to the library.
use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    server::without_huge_pages();
    let cli = server::config::Cli::parse();
    server::telemetry::init();
    server::run(cli).await
}
