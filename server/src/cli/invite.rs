//! `opsux invite create`: the same single-use link the Members page gives, for scripts.

use opsux_core::Role;

use super::DatabaseArgs;
use super::member::RoleArg;
use super::output::{console_change, open, say, when};
use crate::org;

#[derive(Debug, clap::Subcommand)]
pub enum InviteCommand {
    /// Invite an e-mail address to a tenant with a role; prints the link (valid for 7 days,
    /// once) on its last line.
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The origin people open opsux at, for the link.
        #[arg(
            long,
            env = "OPSUX_PUBLIC_ORIGIN",
            default_value = "http://127.0.0.1:8080"
        )]
        public_origin: String,
    },
}

pub(super) async fn run(command: InviteCommand) -> anyhow::Result<()> {
    match command {
        InviteCommand::Create {
            database,
            tenant,
            email,
            role,
            public_origin,
        } => {
            let store = open(&database).await?;
            let invited =
                org::invite(&store, &console_change(), &tenant, &email, Role::from(role)).await?;
            say(&format!(
                "{} is invited to {tenant} as {} until {}; the link works once:",
                invited.email,
                invited.role.as_str(),
                when(Some(invited.expires_at_ms))
            ));
            say(&format!(
                "{}{}",
                public_origin.trim_end_matches('/'),
                invited.path
            ));
        }
    }
    Ok(())
}
