//! The `opsux` command line: one module per command or command group.

mod args;
mod connect;
mod flows;
mod init;
mod invite;
mod member;
mod operation_type;
mod output;
mod prune;
mod secrets;
mod serve;
mod signals;
mod simulator;
mod tenant;
mod token;
mod user;
mod webhook;
mod worker;

use clap::{Parser, Subcommand};

use crate::clock::to_ms;
use crate::demo;
pub use crate::telemetry::LogFormat;

pub use args::{CapArgs, DatabaseArgs, DrainArgs, LeaseArgs, ProviderArgs};
pub use connect::ConnectArgs;
pub use flows::{FlowArgs, SecretsArgs};
pub use init::InitArgs;
pub use invite::InviteCommand;
pub use member::MemberCommand;
pub use operation_type::OperationTypeCommand;
pub use prune::PruneArgs;
pub use secrets::SecretsCommand;
pub use serve::ServeArgs;
pub use simulator::SimulatorArgs;
pub use tenant::TenantCommand;
pub use token::TokenCommand;
pub use user::UserCommand;
pub use webhook::{WebhookArgs, WebhookCommand};
pub use worker::WorkerArgs;

#[derive(Debug, Parser)]
#[command(
    name = "opsux",
    version,
    about = "Runs long operations and tells people how they went."
)]
pub struct Cli {
    /// How log lines are written to standard error: `text` for a person (coloured only on a
    /// terminal), `json` for a log shipper (one object per line).
    #[arg(long, global = true, env = "OPSUX_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the dashboard, and run a worker (unless `--no-worker`).
    Serve(Box<ServeArgs>),
    /// Run a worker alone: claim and execute queued runs, rescue stale ones. Start several,
    /// on several machines, against one PostgreSQL database.
    Worker(WorkerArgs),
    /// Make an empty database a workspace with its first owner. The owner's password comes
    /// from `OPSUX_OWNER_PASSWORD` or, unset, from standard input (asked without echo on a
    /// terminal); never from the command line.
    Init(InitArgs),
    /// The workspace's tenants: add, list, rename.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// People who may sign in: add, list, set-password, disable, enable.
    #[command(subcommand)]
    User(UserCommand),
    /// Who belongs to a tenant, with which role: grant, revoke, list.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Invitations to a tenant: create (prints a single-use link).
    #[command(subcommand)]
    Invite(InviteCommand),
    /// A tenant's API tokens, for other services: create (prints the token once), list,
    /// revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Operation types another service registers, done by its own workers over HTTP: add,
    /// list, remove.
    #[command(subcommand)]
    OperationType(OperationTypeCommand),
    /// Where a tenant's ended runs are sent (signed `run.ended` events): add (prints the
    /// signing secret once), list, remove, rotate-secret, resume, test, resend, deliveries.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Apply the database migrations this build carries, then exit. (`serve` and `worker`
    /// apply them at start too; concurrent starts take turns.)
    Migrate(DatabaseArgs),
    /// Connect a tenant to its Microsoft Graph tenant (an app registration's client
    /// credentials), checking that they sign in; the client secret is read from
    /// `OPSUX_CLIENT_SECRET` or, unset, from the first line of standard input, and stored sealed.
    Connect(ConnectArgs),
    /// Delete the runs that ended more than N days ago, as one system run per tenant executed
    /// here; prints how each ended. (The scheduler does this daily, with a 90-day window.)
    Prune(PruneArgs),
    /// Tenant secrets at rest: rotate (move every one to a new key, all or none).
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Create the demo workspace, tenants and users (idempotent).
    SeedDemo(DatabaseArgs),
    /// Run the Graph simulator alone: demo tenants with fault injection, for trying the
    /// provider (and the flows) without a real tenant.
    Simulator(SimulatorArgs),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::serve(*args).await,
        Command::Worker(args) => worker::worker(args).await,
        Command::Init(args) => init::init(args).await,
        Command::Tenant(command) => tenant::run(command).await,
        Command::User(command) => user::run(command).await,
        Command::Member(command) => member::run(command).await,
        Command::Invite(command) => invite::run(command).await,
        Command::Token(command) => token::run(command).await,
        Command::OperationType(command) => operation_type::run(command).await,
        Command::Webhook(command) => webhook::run(command).await,
        Command::Migrate(args) => {
            let store = args.open().await?;
            tracing::info!(backend = store.backend().as_str(), "migrations applied");
            Ok(())
        }
        Command::Simulator(args) => simulator::simulator(&args).await,
        Command::Prune(args) => prune::prune(args).await,
        Command::Connect(args) => connect::connect(args).await,
        Command::Secrets(command) => secrets::run(command).await,
        Command::SeedDemo(args) => {
            let store = args.open().await?;
            demo::seed(&store, to_ms(time::OffsetDateTime::now_utc())).await?;
            tracing::info!(
                "demo data set seeded; its tenants are connected to a provider by `serve --demo`"
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks its own definition only when a command is parsed: check every command
    /// here, so a clash between flags fails a test instead of `opsux` at start.
    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
