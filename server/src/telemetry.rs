use std::io::IsTerminal;

use opsux_core::sanitize_message;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// For a person: one line per event, coloured only when standard error is a terminal.
    Text,
    /// For a log shipper: one JSON object per line — `timestamp`, `level`, `target`,
    /// `message` and the event's fields — from tracing-subscriber's own formatter.
    Json,
}

/// Logs to stderr; `RUST_LOG` overrides the default level (`info`). Fields are written as their
/// stable ids (`outcome=succeeded`), never as Rust debug text. Panics are logged through the
/// same pipeline with their message sanitized, so a handler that panics with a token in its
/// message does not write the token to the log (R6).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        // A file or journald gets no escape codes.
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info.location().map(ToString::to_string).unwrap_or_default();
        tracing::error!(%location, message = %sanitize_message(&payload), "panic");
    }));
}
