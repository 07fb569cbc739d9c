//! The `gapless` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use gapless::config::ValidatorKind;
use gapless::sim::{self, hgrm, lossy::FaultPlan, Progress, SimOptions};
use gapless::validator::{SeqValidator, SoftwareValidator};

/// Gapless: a FIX session engine for colocated trading servers.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Also write the log (events and everything else `tracing` carries)
    /// to `<DIR>/gapless.log.<YYYY-MM-DD>`, a new file every day (UTC),
    /// from a background writer.
    #[arg(long, global = true, value_name = "DIR")]
    trace_dir: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Stream ExecutionReports from an embedded exchange to a Gapless
    /// client over loopback, with injected gaps, and report the recovery.
    Sim(SimArgs),
    /// Run the sessions of a QuickFIX-style settings file.
    Run(RunArgs),
    /// Talk to a running engine's ControlSocket: `status`,
    /// `set-seqs <session> <next_in> <next_out>`, `resend <session> <begin>
    /// [<end>]`, `logout <session>` (sessions by their `status` number).
    Admin(AdminArgs),
}

#[derive(clap::Args)]
struct AdminArgs {
    /// The engine's ControlSocket.
    #[arg(long)]
    socket: std::path::PathBuf,
    /// The command and its arguments.
    #[arg(required = true)]
    command: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum AppArg {
    /// Echo every application message back.
    Echo,
    /// QuickFIX's acceptance-test application.
    Conformance,
    /// Accept everything, send nothing.
    Null,
}

#[derive(clap::Args)]
struct RunArgs {
    /// The settings file ([DEFAULT] and [SESSION] sections).
    #[arg(long)]
    config: PathBuf,
    /// The application on every session.
    #[arg(long, value_enum, default_value = "echo")]
    app: AppArg,
    /// Stop after this many seconds (default: run until SIGINT or
    /// SIGTERM). Either way every session logs out first.
    #[arg(long)]
    seconds: Option<f64>,
    /// Overrides the settings' `Validator=`.
    #[arg(long, value_enum)]
    validator: Option<ValidatorArg>,
    /// The I/O path, overriding `IO=` of the settings file (`dpdk` needs
    /// a build with `--features dpdk`).
    #[arg(long, value_enum)]
    io: Option<IoArg>,
}

#[derive(Clone, Copy, ValueEnum)]
enum IoArg {
    /// Kernel TCP sockets.
    Kernel,
    /// User-space TCP (smoltcp) over DPDK.
    Dpdk,
}

#[derive(Clone, Copy, ValueEnum)]
enum ValidatorArg {
    /// The software validator (always available).
    Software,
    /// The Verilated RTL (builds with `--features verilator`).
    Verilator,
}

#[derive(clap::Args)]
struct SimArgs {
    /// ExecutionReports per second.
    #[arg(long, default_value_t = 20_000)]
    rate: u32,
    /// Length of the stream in seconds.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Probability that a loss burst starts at a message.
    #[arg(long, default_value_t = 0.002)]
    loss: f64,
    /// Largest loss burst, in messages.
    #[arg(long, default_value_t = 5)]
    burst: u32,
    /// Probability a message is duplicated.
    #[arg(long, default_value_t = 0.001)]
    duplicate: f64,
    /// Probability a message is swapped with the next.
    #[arg(long, default_value_t = 0.001)]
    reorder: f64,
    /// Seed of the fault injector.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Loopback TCP port.
    #[arg(long, default_value_t = 47_001)]
    port: u16,
    /// Sequence validator of the client.
    #[arg(long, value_enum, default_value = "software")]
    validator: ValidatorArg,
    /// Where to write the `.hgrm` files.
    #[arg(long, default_value = "out/sim")]
    out: PathBuf,
}

fn main() -> ExitCode {
    // Session events (target `gapless::event`) and anything else logged
    // through `tracing`, to standard output; RUST_LOG filters (default:
    // info).
    let cli = Cli::parse();
    let _flush_at_exit = init_tracing(cli.trace_dir.as_deref());
    match cli.cmd {
        Cmd::Sim(args) => sim_main(&args),
        Cmd::Run(args) => run_main(&args),
        Cmd::Admin(args) => admin_main(&args),
    }
}

fn admin_main(a: &AdminArgs) -> ExitCode {
    use std::io::{Read, Write};
    let talk = || -> std::io::Result<String> {
        let mut s = std::os::unix::net::UnixStream::connect(&a.socket)?;
        s.write_all(format!("{}\n", a.command.join(" ")).as_bytes())?;
        let mut reply = String::new();
        s.read_to_string(&mut reply)?;
        Ok(reply)
    };
    match talk() {
        Ok(reply) => {
            print!("{reply}");
            match reply.starts_with("error") {
                true => ExitCode::FAILURE,
                false => ExitCode::SUCCESS,
            }
        }
        Err(e) => {
            eprintln!(
                "gapless admin: {}: {e} (is the engine running with ControlSocket set to this path?)",
                a.socket.display()
            );
            ExitCode::FAILURE
        }
    }
}

fn run_main(a: &RunArgs) -> ExitCode {
    let mut settings = match gapless::config::Settings::load(&a.config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gapless run: {}: {e}", a.config.display());
            return ExitCode::FAILURE;
        }
    };
    if let Some(io) = a.io {
        let io = match io {
            IoArg::Kernel => gapless::config::IoKind::Kernel,
            IoArg::Dpdk => gapless::config::IoKind::Dpdk,
        };
        for s in &mut settings.sessions {
            s.io = io;
        }
    }
    for w in &settings.warnings {
        eprintln!("gapless run: {}: warning: {w}", a.config.display());
    }
    if let Some(kind) = a.validator {
        for s in &mut settings.sessions {
            s.validator = match kind {
                ValidatorArg::Software => ValidatorKind::Software,
                ValidatorArg::Verilator => ValidatorKind::Verilator,
            };
        }
    }
    let app = match a.app {
        AppArg::Echo => gapless::app::AppKind::Echo,
        AppArg::Conformance => gapless::app::AppKind::Conformance,
        AppArg::Null => gapless::app::AppKind::Null,
    };
    // Before the engine spawns its threads, so they inherit the mask.
    let signals = match gapless::signals::StopSignals::block() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gapless run: cannot block SIGINT/SIGTERM: {e}");
            return ExitCode::FAILURE;
        }
    };
    let engine = match gapless::launch::start(&settings, app) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gapless run: {e}");
            return ExitCode::FAILURE;
        }
    };
    for s in &settings.sessions {
        println!("gapless run: session {} started", s.id());
    }
    let limit = a.seconds.map(std::time::Duration::from_secs_f64);
    if let Some(sig) = signals.wait(limit) {
        println!(
            "gapless run: {} received: logging out every session",
            gapless::signals::name(sig)
        );
    }
    signals.unblock();
    let report = engine.stop();
    for r in &report.sessions {
        println!(
            "gapless run: {} stopped at in {} / out {}: {:?}",
            r.id, r.next_in, r.next_out, r.stats
        );
    }
    if report.store_waits > 0 {
        println!(
            "gapless run: {} turns left a session unread while its journal waited for a spare segment",
            report.store_waits
        );
    }
    if report.cmds_dropped + report.log_dropped > 0 {
        println!(
            "gapless run: rings full: {} recovery commands and {} log chunks dropped",
            report.cmds_dropped, report.log_dropped
        );
    }
    ExitCode::SUCCESS
}

fn validator(kind: ValidatorArg) -> Result<Box<dyn SeqValidator + Send>, String> {
    let kind = match kind {
        ValidatorArg::Software => ValidatorKind::Software,
        ValidatorArg::Verilator => ValidatorKind::Verilator,
    };
    gapless::launch::validator(kind, 1, 65536).map_err(|e| e.to_string())
}

fn sim_main(a: &SimArgs) -> ExitCode {
    let faults = FaultPlan {
        loss: a.loss,
        burst: a.burst,
        duplicate: a.duplicate,
        reorder: a.reorder,
        seed: a.seed,
    };
    let opts = SimOptions {
        rate: a.rate,
        seconds: a.seconds,
        faults,
        port: a.port,
    };
    let name = match a.validator {
        ValidatorArg::Software => "software",
        ValidatorArg::Verilator => "verilator (RTL in Verilator)",
    };
    let v = match validator(a.validator) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("gapless sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    let total = (f64::from(a.rate) * a.seconds) as u64;
    println!(
        "gapless sim: {total} ExecutionReports at {}/s over 127.0.0.1:{}, validator: {name}",
        a.rate, a.port
    );
    let machine = sim::machine::Machine::now();
    println!("machine: {machine}; hot paths not pinned (the OS schedules them)");
    if let Some(w) = machine.warning(sim::machine::SIM_BUSY_THREADS) {
        eprintln!("{w}");
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} received {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = Arc::new(Progress::default());
    let exchange_v = Box::new(SoftwareValidator::new(1, 65536));
    let tick = |p: &Progress| {
        bar.set_position(p.received.load(Ordering::Relaxed));
        bar.set_message(format!("(sent {})", p.sent.load(Ordering::Relaxed)));
    };
    let r = match sim::run(&opts, v, exchange_v, progress, tick) {
        Ok(r) => r,
        Err(e) => {
            bar.abandon();
            eprintln!("gapless sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    bar.finish_and_clear();
    let f = &r.faults;
    let ld = |x: &std::sync::atomic::AtomicU64| x.load(Ordering::Relaxed);
    println!(
        "faults injected:  dropped {} in {} bursts, duplicated {}, reordered {}",
        ld(&f.dropped),
        ld(&f.bursts),
        ld(&f.duplicated),
        ld(&f.reordered)
    );
    let c = r.client;
    println!(
        "recovery:         {} gaps, {} messages held and released, {} duplicates discarded, {} garbled, {} hold-queue drops",
        c.gaps, c.held, c.duplicates, c.garbled, c.hold_dropped
    );
    if let Some(x) = &r.exchange {
        println!(
            "exchange:         sent up to seq {}, served resends as PossDup/GapFill",
            x.next_out - 1
        );
    }
    println!(
        "application:      received {} of {}: lost {}, duplicated {}, out of order {}, misread {}  ({:.1} s)",
        r.received,
        r.sent,
        r.lost,
        r.duplicated,
        r.out_of_order,
        r.misread,
        r.elapsed.as_secs_f64()
    );
    println!("latency (µs) {:>31}{}", "", hgrm::ROW_HEADER);
    for (name, _, h) in series(&r) {
        println!("  {name:<40} {}", hgrm::row(h));
    }
    match write_outputs(&a.out, &r) {
        Ok(()) => println!(
            "wrote {0}/*.hgrm, {0}/e2e.hlog (per interval) and {0}/latency.svg",
            a.out.display()
        ),
        Err(e) => eprintln!("gapless sim: cannot write {}: {e}", a.out.display()),
    }
    if r.lost == 0 && r.duplicated == 0 && r.out_of_order == 0 && r.misread == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// An HdrHistogram interval log (`.hlog`, compressed V2 histograms, as
/// HistogramLogAnalyzer and `hdrhistogram`'s iterator read it), times
/// relative to the first interval.
fn write_hlog(
    path: &std::path::Path,
    comment: &str,
    intervals: &[sim::intervals::Interval],
) -> Result<(), Box<dyn std::error::Error>> {
    use hdrhistogram::serialization::{
        interval_log::IntervalLogWriterBuilder, V2DeflateSerializer,
    };
    use std::time::{Duration, UNIX_EPOCH};
    let base = intervals.first().map_or(0, |i| i.start);
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut serializer = V2DeflateSerializer::new();
    let mut log = IntervalLogWriterBuilder::new()
        .add_comment(comment)
        .with_start_time(UNIX_EPOCH + Duration::from_nanos(base))
        .with_base_time(UNIX_EPOCH + Duration::from_nanos(base))
        .begin_log_with(&mut file, &mut serializer)?;
    for i in intervals {
        log.write_histogram(
            &i.histogram,
            Duration::from_nanos(i.start - base),
            Duration::from_nanos(i.len),
            None,
        )
        .map_err(|e| format!("{}: {e:?}", path.display()))?;
    }
    drop(log);
    std::io::Write::flush(&mut file)?;
    Ok(())
}

/// Installs the subscriber: standard output, and with `trace_dir` a
/// daily-rotated file written by `tracing-appender`'s background thread
/// (the returned guard flushes it at exit). `RUST_LOG` filters both
/// (default `info`).
fn init_tracing(
    trace_dir: Option<&std::path::Path>,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let stdout = tracing_subscriber::fmt::layer().with_ansi(false);
    let (file, guard) = match trace_dir {
        Some(dir) => {
            let (writer, guard) = tracing_appender::non_blocking(tracing_appender::rolling::daily(
                dir,
                "gapless.log",
            ));
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer);
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(stdout)
        .with(file)
        .init();
    guard
}

type Series<'a> = (&'static str, &'static str, &'a hdrhistogram::Histogram<u64>);

/// `(label, file stem, histogram)` of every latency the sim measures.
fn series(r: &sim::SimReport) -> [Series<'_>; 5] {
    [
        ("exchange schedule → client app (e2e)", "e2e", &r.latency),
        ("(a) client wire → app", "wire_to_app", &r.wire_to_app),
        (
            "(b) gap detected → ResendRequest on wire",
            "gap_to_request",
            &r.gap_to_request,
        ),
        (
            "(c) gap detected → held released",
            "gap_to_release",
            &r.gap_to_fill,
        ),
        ("(d) exchange app → wire", "app_to_wire", &r.app_to_wire),
    ]
}

fn write_outputs(
    dir: &std::path::Path,
    r: &sim::SimReport,
) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let all = series(r);
    for (_, stem, h) in &all {
        hgrm::write(
            h,
            &mut std::fs::File::create(dir.join(format!("{stem}.hgrm")))?,
        )?;
    }
    write_hlog(
        &dir.join("e2e.hlog"),
        "gapless sim: exchange schedule -> client app (e2e), ns",
        &r.latency_intervals,
    )?;
    let named: Vec<(&str, &hdrhistogram::Histogram<u64>)> =
        all.iter().map(|(n, _, h)| (*n, *h)).collect();
    sim::plot::percentiles(
        &dir.join("latency.svg"),
        "gapless sim: latency by percentile",
        &named,
    )
}
