//! The Stripe fake (`server::stripe_fake`) as a process of its own, for the browser tests and
//! demos: `stripe-fake [PORT] [PARENT_PID]` (port 3101 by default). Point Lifeline at it with
//! `LIFELINE_STRIPE_API_BASE=http://127.0.0.1:PORT/`. Given a parent, it ends when that process
//! is gone (the browser tests' server script starts it beside the server it then becomes).
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_target(false).init();
    let port: u16 = std::env::args()
        .nth(1)
        .map(|p| p.parse())
        .transpose()?
        .unwrap_or(3101);
    let parent: Option<u32> = std::env::args().nth(2).map(|p| p.parse()).transpose()?;
    if let Some(pid) = parent {
        tokio::spawn(async move {
            while std::path::Path::new(&format!("/proc/{pid}")).exists() {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            std::process::exit(0);
        });
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(port, "fake Stripe listening");
    axum::serve(
        listener,
        server::stripe_fake::router(server::stripe_fake::Fake::default()),
    )
    .await?;
    Ok(())
}
