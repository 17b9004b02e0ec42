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

/// A clap message with every quoted value cut to a readable length (clap quotes the
/// whole argument, which may be megabytes long).
fn bounded(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(start) = rest.find('\'') {
        out.push_str(&rest[..=start]);
        rest = &rest[start + 1..];
        let Some(end) = rest.find('\'') else { break };
        let quoted = &rest[..end];
        if quoted.chars().count() > 2 * invitestat::format::MAX_ECHO_CHARS {
            out.push_str(&invitestat::format::echo(quoted));
        } else {
            out.push_str(quoted);
        }
        out.push('\'');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn main() -> ExitCode {
    remove_staging_on_signals();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version text is ours, not the user's: printed as it is.
            let text = match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    e.render().to_string()
                }
                _ => bounded(&e.render().to_string()),
            };
            if e.use_stderr() {
                eprint!("{text}");
            } else {
                print!("{text}");
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
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
