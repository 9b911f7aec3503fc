//! Stopping at Ctrl-C or SIGTERM, and what runs in the background until then.

use tokio::sync::watch;

/// A flag that turns true at Ctrl-C or SIGTERM.
pub(super) fn stop_on_signal() -> watch::Receiver<bool> {
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    stopped
}

pub(super) async fn until_stopped(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

/// Runs the worker and the scheduler (if any) until `stopped` turns true; in-flight runs end
/// first.
pub(super) async fn run_in_background(
    worker: crate::worker::Worker,
    scheduler: Option<crate::scheduler::Scheduler>,
    stopped: watch::Receiver<bool>,
) {
    let scheduled = async {
        if let Some(scheduler) = scheduler {
            scheduler.run(until_stopped(stopped.clone())).await;
        }
    };
    tokio::join!(worker.run(until_stopped(stopped.clone())), scheduled);
}

/// Sends webhook deliveries until `stopped` turns true; attempts in flight end first.
pub(super) fn deliver_in_background(
    deliverer: crate::webhooks::Deliverer,
    stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(deliverer.run(until_stopped(stopped)))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
