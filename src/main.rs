//! The `auth0-emulator` binary: parse the command line, run, map the outcome to an exit code
//! (0 ok, 1 failure, 2 bad seed or usage).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use auth0_emulator::cli::{Cli, Command, ServeArgs};
use auth0_emulator::config::LogFormat;
use auth0_emulator::{commands, Emulator, StartError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Healthcheck(args)) => runtime().and_then(|rt| rt.block_on(commands::healthcheck(&args))).map_or_else(fail, |()| ExitCode::SUCCESS),
        Some(Command::Ca(args)) => args.resolve().and_then(|dir| commands::ca(dir.as_deref())).map_or_else(fail, print),
        Some(Command::Env(args)) => commands::env(&args).map_or_else(fail, print),
        Some(Command::CheckSeed(args)) => match commands::check_seed(&args) {
            Ok(summary) => print(summary + "\n"),
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
        Some(Command::Token(args)) => {
            let now = auth0_emulator::clock::Clock::system().now_secs();
            commands::token(&args, now).map_or_else(fail, |t| print(t + "\n"))
        }
    }
}

fn print(text: String) -> ExitCode {
    print!("{text}");
    ExitCode::SUCCESS
}

fn fail(error: anyhow::Error) -> ExitCode {
    eprintln!("auth0-emulator: {error:#}");
    ExitCode::FAILURE
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn serve(args: ServeArgs) -> ExitCode {
    init_tracing(args.log_format);
    let config = match args.into_config() {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    rt.block_on(async {
        let emulator = match Emulator::build(config).await {
            Ok(emulator) => emulator,
            Err(StartError::Seed(e)) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
            Err(e) => return fail(e.into()),
        };
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, "{}", emulator.banner());
        let _ = writeln!(stdout, "{}", emulator.ready_line());
        let _ = stdout.flush();
        drop(stdout);
        emulator.run_until(shutdown_signal()).await;
        ExitCode::SUCCESS
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("auth0_emulator=info,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Pretty => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
