//! Relay figures side by side on loopback: `mailscope serve`'s `/relay` against websocat and
//! websockify, all carrying the same data path
//!
//! ```text
//! WebSocket client (this program, tokio-tungstenite) → proxy process → TCP test server (this program)
//! ```
//!
//! The TCP test server reads a 13-byte header from each connection: `S` + length (sink: count
//! that many bytes, then answer `done`), `R` + length + chunk (source: write that many bytes in
//! writes of `chunk`), or `E` (echo). Measured per proxy, best of `--rounds` interleaved rounds:
//! page → server throughput with 64 KiB and 4 KiB binary frames, server → page throughput with
//! 64 KiB and 4 KiB server writes, the round trip of one byte, and the memory (PSS of the proxy's
//! process tree, so websockify's forked children count once per page) per idle session, each
//! with the proxy's CPU time beside the wall clock. Then the sandbox SMTP server's message rate
//! (and CPU per message) under Postfix's `smtp-source` against Postfix's `smtp-sink`.
//! `--compare OLD` measures a second `mailscope` build in the same rounds (before/after).
//! `cargo xtask bench` builds this in release mode, installs the peers and runs it; by hand:
//!
//! ```sh
//! cargo run --release -p mailscope-proxy --example relay_bench -- \
//!   --mailscope target/release/mailscope --websocat PATH --websockify PATH
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use mailscope_core::relay::{
    token_subprotocol, ClientFrame, RelayFrame, Target, TlsMode, SUBPROTOCOL,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

const TOKEN: &str = "bench-token-0123456789abcdef";

#[derive(Debug, Parser)]
struct Args {
    /// The `mailscope` binary (release).
    #[arg(long)]
    mailscope: PathBuf,
    /// A second `mailscope` binary (say, the build before a change), measured as `before` in
    /// the same rounds; its sandbox is measured too.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Only the sandbox SMTP figures (no relay rows, no memory).
    #[arg(long)]
    sandbox_only: bool,
    /// Only the relay rows and memory (no sandbox SMTP figures).
    #[arg(long)]
    relay_only: bool,
    /// The websocat binary; left out when not given.
    #[arg(long)]
    websocat: Option<PathBuf>,
    /// The websockify script; left out when not given.
    #[arg(long)]
    websockify: Option<PathBuf>,
    /// Postfix's smtp-source and smtp-sink (left out when missing).
    #[arg(long, default_value = "/usr/sbin/smtp-source")]
    smtp_source: PathBuf,
    #[arg(long, default_value = "/usr/sbin/smtp-sink")]
    smtp_sink: PathBuf,
    /// MiB per throughput measurement.
    #[arg(long, default_value_t = 64)]
    mib: usize,
    /// Interleaved rounds; the best of each is kept.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Round trips per latency measurement.
    #[arg(long, default_value_t = 2000)]
    round_trips: u32,
    /// Idle sessions opened for the memory figure.
    #[arg(long, default_value_t = 100)]
    sessions: usize,
    /// Messages sent by smtp-source per round.
    #[arg(long, default_value_t = 2000)]
    messages: usize,
}

/// Every failure of the bench, said for a person.
type Res<T> = Result<T, String>;

/// Turns an error into "what: error".
fn fail<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> String {
    move |e| format!("{what}: {e}")
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// One proxy under test, running as its own process.
struct Proxy {
    name: &'static str,
    /// Whether it is a `mailscope serve` (relay handshake before data).
    mailscope: bool,
    /// Its sandbox SMTP server (mailscope only).
    sandbox: Option<SocketAddr>,
    child: Child,
    addr: SocketAddr,
    /// The TCP test server it forwards to.
    target: SocketAddr,
}

impl Proxy {
    /// A WebSocket carried to the test server, ready for data.
    async fn open(&self) -> Res<Ws> {
        let mailscope = self.mailscope;
        let url = if mailscope {
            format!("ws://{}/relay", self.addr)
        } else {
            format!("ws://{}/", self.addr)
        };
        let mut req = url
            .into_client_request()
            .map_err(fail("WebSocket request"))?;
        let h = req.headers_mut();
        if mailscope {
            let protos = format!("{SUBPROTOCOL}, {}", token_subprotocol(TOKEN));
            h.insert(
                "sec-websocket-protocol",
                HeaderValue::from_str(&protos).map_err(fail("subprotocol header"))?,
            );
            h.insert(
                "origin",
                HeaderValue::from_str(&format!("http://{}", self.addr))
                    .map_err(fail("origin header"))?,
            );
        } else if self.name == "websockify" {
            h.insert("sec-websocket-protocol", HeaderValue::from_static("binary"));
        }
        let (mut ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .map_err(|e| format!("{}: WebSocket upgrade failed: {e}", self.name))?;
        if mailscope {
            next_frame(&mut ws).await?;
            let connect = ClientFrame::Connect {
                target: Target::Host {
                    host: self.target.ip().to_string(),
                    port: self.target.port(),
                },
                tls: TlsMode::None,
                sni: None,
            };
            let json = serde_json::to_string(&connect).map_err(fail("connect frame"))?;
            ws.send(Message::Text(json.into()))
                .await
                .map_err(fail("sending connect"))?;
            match next_frame(&mut ws).await? {
                RelayFrame::Connected { .. } => {}
                other => return Err(format!("{}: expected connected, got {other:?}", self.name)),
            }
        }
        Ok(ws)
    }
}

async fn next_frame(ws: &mut Ws) -> Res<RelayFrame> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                return serde_json::from_str(t.as_str()).map_err(fail("relay frame"))
            }
            Some(Ok(_)) => {}
            other => return Err(format!("relay closed: {other:?}")),
        }
    }
}

fn free_port() -> Res<SocketAddr> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(fail("a free loopback port"))
}

async fn wait_listening(addr: SocketAddr, name: &str) -> Res<()> {
    for _ in 0..200 {
        if TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{name} did not listen on {addr}"))
}

/// The TCP test server all proxies forward to.
async fn test_server() -> Res<SocketAddr> {
    let l = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(fail("test server"))?;
    let addr = l.local_addr().map_err(fail("test server address"))?;
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = l.accept().await else {
                continue;
            };
            tokio::spawn(serve_test(s));
        }
    });
    Ok(addr)
}

async fn serve_test(mut s: TcpStream) {
    let _ = s.set_nodelay(true);
    let mut head = [0u8; 13];
    if s.read_exact(&mut head).await.is_err() {
        return;
    }
    let [mode, l0, l1, l2, l3, l4, l5, l6, l7, c0, c1, c2, c3] = head;
    let len = u64::from_be_bytes([l0, l1, l2, l3, l4, l5, l6, l7]) as usize;
    let chunk = u32::from_be_bytes([c0, c1, c2, c3]) as usize;
    let mut buf = vec![0u8; 256 * 1024];
    match mode {
        b'S' => {
            let mut n = 0;
            while n < len {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(k) => n += k,
                }
            }
            let _ = s.write_all(b"done").await;
        }
        b'R' => {
            let data = vec![b'x'; chunk.max(1)];
            let mut n = 0;
            while n < len {
                let k = data.len().min(len - n);
                if s.write_all(&data[..k]).await.is_err() {
                    return;
                }
                n += k;
            }
        }
        _ => loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(k) => {
                    if s.write_all(&buf[..k]).await.is_err() {
                        return;
                    }
                }
            }
        },
    }
}

fn header(mode: u8, len: usize, chunk: usize) -> Vec<u8> {
    let mut h = vec![mode];
    h.extend_from_slice(&(len as u64).to_be_bytes());
    h.extend_from_slice(&(chunk as u32).to_be_bytes());
    h
}

/// Page → server: `total` bytes in binary frames of `frame` bytes; MB/s.
async fn upload(p: &Proxy, total: usize, frame: usize) -> Res<(f64, u64)> {
    let mut ws = p.open().await?;
    ws.send(Message::Binary(header(b'S', total, 0).into()))
        .await
        .map_err(fail("sending the test header"))?;
    let data = tokio_tungstenite::tungstenite::Bytes::from(vec![b'y'; frame]);
    let cpu = cpu_ns(p);
    let t = Instant::now();
    let mut sent = 0;
    while sent < total {
        ws.feed(Message::Binary(data.clone()))
            .await
            .map_err(fail("sending data"))?;
        sent += frame;
    }
    ws.flush().await.map_err(fail("flushing"))?;
    let mut got = Vec::new();
    while got.len() < 4 {
        match ws.next().await {
            Some(Ok(Message::Binary(b))) => got.extend_from_slice(&b),
            Some(Ok(_)) => {}
            other => return Err(format!("{}: closed before done: {other:?}", p.name)),
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_ns(p).saturating_sub(cpu);
    let _ = ws.close(None).await;
    Ok((total as f64 / secs / 1e6, cpu))
}

/// Server → page: `total` bytes written by the server in `chunk`-byte writes; MB/s.
async fn download(p: &Proxy, total: usize, chunk: usize) -> Res<(f64, u64)> {
    let mut ws = p.open().await?;
    let cpu = cpu_ns(p);
    let t = Instant::now();
    ws.send(Message::Binary(header(b'R', total, chunk).into()))
        .await
        .map_err(fail("sending the test header"))?;
    let mut got = 0;
    while got < total {
        match ws.next().await {
            Some(Ok(Message::Binary(b))) => got += b.len(),
            Some(Ok(_)) => {}
            other => return Err(format!("{}: closed after {got} bytes: {other:?}", p.name)),
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_ns(p).saturating_sub(cpu);
    let _ = ws.close(None).await;
    Ok((total as f64 / secs / 1e6, cpu))
}

/// One-byte round trips through the echo server; µs each.
async fn round_trip(p: &Proxy, n: u32) -> Res<(f64, u64)> {
    let mut ws = p.open().await?;
    ws.send(Message::Binary(header(b'E', 0, 0).into()))
        .await
        .map_err(fail("sending the test header"))?;
    let once = async |ws: &mut Ws| {
        ws.send(Message::Binary(vec![b'z'].into()))
            .await
            .map_err(fail("sending a byte"))?;
        loop {
            match ws.next().await {
                Some(Ok(Message::Binary(_))) => return Ok::<(), String>(()),
                Some(Ok(_)) => {}
                other => return Err(format!("{}: echo closed: {other:?}", p.name)),
            }
        }
    };
    for _ in 0..50 {
        once(&mut ws).await?;
    }
    let cpu = cpu_ns(p);
    let t = Instant::now();
    for _ in 0..n {
        once(&mut ws).await?;
    }
    let per = t.elapsed().as_secs_f64() / f64::from(n);
    let cpu = cpu_ns(p).saturating_sub(cpu);
    let _ = ws.close(None).await;
    Ok((per * 1e6, cpu))
}

/// `pid` and all its descendants.
fn process_tree(pid: u32) -> Vec<u32> {
    let mut pids = vec![pid];
    let mut i = 0;
    while i < pids.len() {
        let parent = pids[i];
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for e in dir.flatten() {
                let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                    continue;
                };
                let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
                    continue;
                };
                let ppid = stat
                    .rsplit(')')
                    .next()
                    .and_then(|rest| rest.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u32>().ok());
                if ppid == Some(parent) && !pids.contains(&p) {
                    pids.push(p);
                }
            }
        }
        i += 1;
    }
    pids
}

/// Proportional set size of `pid` and all its descendants, in KiB.
fn pss_tree(pid: u32) -> u64 {
    process_tree(pid)
        .iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).ok())
        .filter_map(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .sum()
}

/// Nanoseconds on a CPU of the proxy's threads so far (`/proc/PID/task/*/schedstat`, the
/// process and its live descendants; websockify's per-connection children count while they
/// run). CPU time is far steadier than wall clock on a shared machine.
fn cpu_ns(p: &Proxy) -> u64 {
    p.child.id().map(cpu_ns_of).unwrap_or(0)
}

/// [`cpu_ns`] of the process `pid`.
fn cpu_ns_of(pid: u32) -> u64 {
    process_tree(pid)
        .iter()
        .filter_map(|p| std::fs::read_dir(format!("/proc/{p}/task")).ok())
        .flat_map(|tasks| tasks.flatten())
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// KiB of proxy memory per idle session: `n` sessions carried to the echo server and left idle.
async fn idle_memory(p: &Proxy, n: usize) -> Res<f64> {
    let pid = p
        .child
        .id()
        .ok_or_else(|| format!("{} has already exited", p.name))?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = pss_tree(pid);
    let mut open = Vec::new();
    for _ in 0..n {
        let mut ws = p.open().await?;
        ws.send(Message::Binary(header(b'E', 0, 0).into()))
            .await
            .map_err(fail("sending the test header"))?;
        open.push(ws);
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let after = pss_tree(pid);
    for mut ws in open {
        let _ = ws.close(None).await;
    }
    Ok((after.saturating_sub(before)) as f64 / n as f64)
}

async fn start_mailscope(bin: &PathBuf, name: &'static str, target: SocketAddr) -> Res<Proxy> {
    let addr = free_port()?;
    let sandbox = free_port()?;
    let ui = std::env::temp_dir().join("mailscope-bench-ui");
    std::fs::create_dir_all(&ui).map_err(fail("bench UI directory"))?;
    std::fs::write(ui.join("index.html"), "x").map_err(fail("bench UI page"))?;
    let child = Command::new(bin)
        .args(["serve", "--listen", &addr.to_string(), "--token", TOKEN])
        .args(["--ui", &ui.display().to_string()])
        .args(["--sandbox", &sandbox.to_string()])
        .args(["--allow-target", &target.to_string()])
        .args([
            "--max-sessions",
            "100000",
            "--max-sessions-per-token",
            "100000",
        ])
        .args(["--connects-per-minute", "1000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(fail("start mailscope serve"))?;
    wait_listening(addr, "mailscope serve").await?;
    wait_listening(sandbox, "the sandbox").await?;
    Ok(Proxy {
        name,
        mailscope: true,
        sandbox: Some(sandbox),
        child,
        addr,
        target,
    })
}

async fn start_websocat(bin: &PathBuf, target: SocketAddr) -> Res<Proxy> {
    let addr = free_port()?;
    let child = Command::new(bin)
        .arg("--binary")
        .arg(format!("ws-l:{addr}"))
        .arg(format!("tcp:{target}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(fail("start websocat"))?;
    wait_listening(addr, "websocat").await?;
    Ok(Proxy {
        name: "websocat",
        mailscope: false,
        sandbox: None,
        child,
        addr,
        target,
    })
}

async fn start_websockify(bin: &PathBuf, target: SocketAddr) -> Res<Proxy> {
    let addr = free_port()?;
    let child = Command::new(bin)
        .arg(addr.to_string())
        .arg(target.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(fail("start websockify"))?;
    wait_listening(addr, "websockify").await?;
    Ok(Proxy {
        name: "websockify",
        mailscope: false,
        sandbox: None,
        child,
        addr,
        target,
    })
}

/// Seconds smtp-source takes to send `messages` messages of 4096 bytes over 10 sessions.
async fn smtp_source(bin: &PathBuf, target: SocketAddr, messages: usize) -> Option<f64> {
    let t = Instant::now();
    let status = Command::new(bin)
        .args(["-s", "10", "-m", &messages.to_string(), "-l", "4096"])
        .arg(target.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .ok()?;
    status.success().then(|| t.elapsed().as_secs_f64())
}

fn best(v: &[f64], higher_is_better: bool) -> f64 {
    let it = v.iter().copied();
    if higher_is_better {
        it.fold(f64::MIN, f64::max)
    } else {
        it.fold(f64::MAX, f64::min)
    }
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Args::parse()).await {
        eprintln!("relay_bench: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Res<()> {
    let total = args.mib << 20;
    let target = test_server().await?;
    let mut proxies = vec![start_mailscope(&args.mailscope, "mailscope", target).await?];
    if let Some(bin) = &args.compare {
        proxies.push(start_mailscope(bin, "before", target).await?);
    }
    if !args.sandbox_only {
        if let Some(bin) = &args.websocat {
            proxies.push(start_websocat(bin, target).await?);
        }
        if let Some(bin) = &args.websockify {
            proxies.push(start_websockify(bin, target).await?);
        }
    }
    if !args.sandbox_only {
        relay_rows(&args, &proxies, total).await?;
    }
    if !args.relay_only {
        sandbox_rows(&args, &proxies).await?;
    }
    for mut p in proxies {
        let _ = p.child.kill().await;
    }
    Ok(())
}

/// The relay rows and the idle memory, every proxy in turn within each round.
async fn relay_rows(args: &Args, proxies: &[Proxy], total: usize) -> Res<()> {
    let names: Vec<&str> = proxies.iter().map(|p| p.name).collect();
    let rows: [(&str, bool); 5] = [
        ("page -> server, 64 KiB frames (MB/s)", true),
        ("page -> server,  4 KiB frames (MB/s)", true),
        ("server -> page, 64 KiB writes (MB/s)", true),
        ("server -> page,  4 KiB writes (MB/s)", true),
        ("round trip, 1 byte (µs)", false),
    ];
    // results[row][proxy] = samples; cpu[row][proxy] = the proxy's CPU time per sample
    let mut results = vec![vec![Vec::new(); proxies.len()]; rows.len()];
    let mut cpu = vec![vec![Vec::new(); proxies.len()]; rows.len()];
    for round in 0..args.rounds {
        eprintln!("round {} of {}", round + 1, args.rounds);
        for (i, p) in proxies.iter().enumerate() {
            let samples = [
                upload(p, total, 64 * 1024).await?,
                upload(p, total, 4 * 1024).await?,
                download(p, total, 64 * 1024).await?,
                download(p, total, 4 * 1024).await?,
                round_trip(p, args.round_trips).await?,
            ];
            for (r, (value, ns)) in samples.into_iter().enumerate() {
                results[r][i].push(value);
                // ms per transfer for the throughput rows, µs per trip for the round trip.
                cpu[r][i].push(if r == 4 {
                    ns as f64 / 1e3 / f64::from(args.round_trips)
                } else {
                    ns as f64 / 1e6
                });
            }
        }
    }
    let mut memory = Vec::new();
    for p in proxies {
        memory.push(idle_memory(p, args.sessions).await?);
    }

    println!(
        "relay on loopback: WebSocket client -> proxy -> TCP server, {} MiB per transfer, best of {} rounds",
        args.mib, args.rounds
    );
    let mut head = format!("  {:<40}", "");
    for n in &names {
        head.push_str(&format!(" {n:>11}"));
    }
    for n in names.iter().skip(1) {
        head.push_str(&format!(" {:>13}", format!("ms/{n}")));
    }
    println!("{head}");
    // A value of 0 was not measured (shown as n/a, with no ratio).
    let measured = |v: f64| v.is_finite() && v > 0.0;
    let print_row = |label: &str, vals: &[f64], higher: bool| {
        let mut line = format!("  {label:<40}");
        for &v in vals {
            if measured(v) {
                line.push_str(&format!(" {v:>11.1}"));
            } else {
                line.push_str(&format!(" {:>11}", "n/a"));
            }
        }
        for &v in vals.iter().skip(1) {
            // Ratios where > 1 means mailscope is better.
            if measured(v) && measured(vals[0]) {
                let r = if higher { vals[0] / v } else { v / vals[0] };
                line.push_str(&format!(" {:>12.2}×", r));
            } else {
                line.push_str(&format!(" {:>13}", "n/a"));
            }
        }
        println!("{line}");
    };
    for (r, (label, higher)) in rows.iter().enumerate() {
        let vals: Vec<f64> = results[r].iter().map(|s| best(s, *higher)).collect();
        print_row(label, &vals, *higher);
    }
    print_row(
        &format!("memory per idle session (KiB, n={})", args.sessions),
        &memory,
        false,
    );
    println!("  (ratios > 1× mean mailscope is faster or smaller)");
    println!(
        "proxy CPU time (all its threads), lowest of {} rounds: ms per {} MiB transfer, µs per round trip",
        args.rounds, args.mib
    );
    println!("{head}");
    for (r, (label, _)) in rows.iter().enumerate() {
        let label = label.split(" (").next().unwrap_or(label);
        let vals: Vec<f64> = cpu[r].iter().map(|s| best(s, false)).collect();
        print_row(label, &vals, false);
    }
    println!(
        "  (ratios > 1× mean mailscope used less CPU; n/a: not measurable, e.g. websockify serves each connection in a forked child that has exited when its time would be read)"
    );
    Ok(())
}

/// The sandbox SMTP message rate of each mailscope against `smtp-sink`, alternating per round.
async fn sandbox_rows(args: &Args, proxies: &[Proxy]) -> Res<()> {
    if !(args.smtp_source.exists() && args.smtp_sink.exists()) {
        println!("sandbox SMTP: smtp-source/smtp-sink not found (apt-get install postfix)");
        return Ok(());
    }
    let sink_addr = free_port()?;
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    let mut sink = Command::new(&args.smtp_sink)
        // As root, smtp-sink insists on dropping privileges to a named user.
        .args(if root {
            vec!["-u", "nobody"]
        } else {
            Vec::new()
        })
        .arg(sink_addr.to_string())
        .arg("256")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(fail("start smtp-sink"))?;
    wait_listening(sink_addr, "smtp-sink").await?;
    let sandboxes: Vec<(&str, SocketAddr, u32)> = proxies
        .iter()
        .filter_map(|p| Some((p.name, p.sandbox?, p.child.id()?)))
        .collect();
    let sink_pid = sink.id().unwrap_or(0);
    let n = args.messages as f64;
    // Messages per second, and the server's CPU µs per message.
    let mut ours = vec![Vec::new(); sandboxes.len()];
    let mut ours_cpu = vec![Vec::new(); sandboxes.len()];
    let (mut theirs, mut theirs_cpu) = (Vec::new(), Vec::new());
    for _ in 0..args.rounds {
        for (i, (_, addr, pid)) in sandboxes.iter().enumerate() {
            let cpu = cpu_ns_of(*pid);
            if let Some(s) = smtp_source(&args.smtp_source, *addr, args.messages).await {
                ours[i].push(n / s);
                ours_cpu[i].push(cpu_ns_of(*pid).saturating_sub(cpu) as f64 / 1e3 / n);
            }
        }
        let cpu = cpu_ns_of(sink_pid);
        if let Some(s) = smtp_source(&args.smtp_source, sink_addr, args.messages).await {
            theirs.push(n / s);
            theirs_cpu.push(cpu_ns_of(sink_pid).saturating_sub(cpu) as f64 / 1e3 / n);
        }
    }
    let _ = sink.kill().await;
    let each = |v: &[f64]| {
        v.iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (((name, _, _), rates), cpu) in sandboxes.iter().zip(&ours).zip(&ours_cpu) {
        if rates.is_empty() || theirs.is_empty() {
            println!(
                "sandbox SMTP ({name}): smtp-source failed (sandbox ok: {}, smtp-sink ok: {})",
                !rates.is_empty(),
                !theirs.is_empty()
            );
            continue;
        }
        let (a, b) = (best(rates, true), best(&theirs, true));
        println!(
            "sandbox SMTP ({name}) under smtp-source -s 10 -m {} -l 4096 (messages/s, best of {}): sandbox {a:.0}, smtp-sink {b:.0}, sandbox/smtp-sink {:.2}× (each round: sandbox {}; smtp-sink {})",
            args.messages,
            args.rounds,
            a / b,
            each(rates),
            each(&theirs)
        );
        println!(
            "  server CPU µs per message, lowest of {}: sandbox {:.0}, smtp-sink {:.0} (each round: sandbox {}; smtp-sink {})",
            args.rounds,
            best(cpu, false),
            best(&theirs_cpu, false),
            each(cpu),
            each(&theirs_cpu)
        );
    }
    Ok(())
}
