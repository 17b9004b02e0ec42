//! The `invitestat` binary: parses the command line and hands it to the library.

use clap::Parser;
use invitestat::cli::{Cli, UsageError, run};
use std::process::ExitCode;

/// On SIGINT, SIGTERM or SIGHUP: remove the staging folders and temporary files of
/// outputs not yet in place (an earlier report stays whole), then exit as the signal
/// would (128 + its number).
fn remove_staging_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            invitestat::report::output::abandon_pending();
            std::process::exit(128 + signal);
        }
    });
}

fn main() -> ExitCode {
    remove_staging_on_signals();
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    match run(cli, &mut stdout.lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
