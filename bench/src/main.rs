//! Load generator: starts the release gateway, runs the scenarios against it on 127.0.0.1 with
//! bounded loops, and writes a markdown section of figures.
//!
//! `bench --mode embedded|real --gateway target/release/gateway --out <file>`; the real mode
//! reads `BENCH_DATABASE_URL` (an empty database) and `BENCH_REDIS_URL`. With
//! `--attach <port> --maildir <dir>` it runs against a running deployment instead (the
//! two-gateway stack of deploy/stack behind nginx), without the memory scenario.
mod client;
mod scenarios;
mod server;

use client::Api;
use scenarios::percentile;
use server::{Error, Gateway};
use std::fmt::Write as _;
use std::path::PathBuf;

const USERS: usize = 200;
const IDLE_SOCKETS: usize = 5000;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let mode = arg("--mode").unwrap_or_else(|| "embedded".to_owned());
    let binary =
        PathBuf::from(arg("--gateway").unwrap_or_else(|| "target/release/gateway".to_owned()));
    let out = PathBuf::from(arg("--out").unwrap_or_else(|| format!("target/bench/{mode}.md")));
    let mut env = Vec::new();
    if mode == "real" {
        env.push(("CHAT_DATABASE_URL", std::env::var("BENCH_DATABASE_URL")?));
        env.push(("CHAT_REDIS_URL", std::env::var("BENCH_REDIS_URL")?));
        env.push(("CHAT_REDIS_PREFIX", format!("bench{}:", std::process::id())));
    }
    let gateway = match arg("--attach") {
        // `--attach <port> --maildir <dir>`: a running stack (deploy/stack) behind nginx.
        Some(port) => Gateway::attach(
            port.parse()?,
            PathBuf::from(arg("--maildir").ok_or("--attach needs --maildir")?),
        ),
        None => Gateway::start(&binary, &env).await?,
    };
    let api = Api::new(gateway.port);
    let mut users = Vec::with_capacity(USERS);
    for n in 0..USERS {
        users.push(
            api.register(&gateway, &format!("b{}u{n}", std::process::id()))
                .await?,
        );
    }
    for friend in &users[1..] {
        api.befriend(&users[0], friend).await?;
    }
    scenarios::ring_friends(&api, &users, true).await?;

    // Memory is read from our own gateway process; an attached stack has two of its own.
    let idle = if gateway.attached() {
        None
    } else {
        Some(scenarios::idle(&gateway, &users, IDLE_SOCKETS).await?)
    };
    let fan_rate = 500;
    let fan = scenarios::fan_out(&gateway, &api, &users, fan_rate, 5).await?;
    // Below saturation first (what a user feels), then the aim's rate.
    let calm = scenarios::rooms_of_four(&gateway, &api, &users, 500, 500, 5).await?;
    let four_rate = 2000;
    let four = scenarios::rooms_of_four(&gateway, &api, &users, 500, four_rate, 5).await?;

    let mut text = String::new();
    writeln!(text, "### {mode}\n")?;
    writeln!(text, "| scenario | measured | aim |")?;
    writeln!(text, "|---|---|---|")?;
    if let Some(idle) = idle {
        let per_socket =
            (idle.rss_after_kib.saturating_sub(idle.rss_before_kib)) as f64 / idle.sockets as f64;
        writeln!(
            text,
            "| {} idle sockets | RSS {:.1} → {:.1} MiB: **{per_socket:.1} KiB per socket** | ≤ 30 KiB |",
            idle.sockets,
            idle.rss_before_kib as f64 / 1024.0,
            idle.rss_after_kib as f64 / 1024.0
        )?;
    }
    for (name, flow, aim) in [
        (
            format!("one room of {USERS}, 5 senders at {fan_rate} msg/s for 5 s"),
            &fan,
            "≥ 50,000 deliveries/s",
        ),
        (
            "500 rooms of 4, 500 msg/s for 5 s".to_owned(),
            &calm,
            "(below saturation)",
        ),
        (
            format!("500 rooms of 4, {four_rate} msg/s for 5 s"),
            &four,
            "p99 < 50 ms",
        ),
    ] {
        let mut sorted = flow.latencies_us.clone();
        sorted.sort_unstable();
        writeln!(
            text,
            "| {name} | {} of {} deliveries ({} sent) in {:.2} s: **{:.0} deliveries/s**, latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms | {aim} |",
            flow.delivered,
            flow.expected,
            flow.sent,
            flow.seconds,
            flow.delivered as f64 / flow.seconds,
            percentile(&sorted, 0.5) as f64 / 1000.0,
            percentile(&sorted, 0.99) as f64 / 1000.0,
            sorted.last().copied().unwrap_or(0) as f64 / 1000.0,
        )?;
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, text)?;
    Ok(())
}
