//! `opsux member grant|revoke|list`.

use opsux_core::{Role, TenantSlug};
use serde::Serialize;

use super::DatabaseArgs;
use super::output::{console_change, list, open, say, when};
use crate::org::{self, Granted};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Owner,
    Operator,
    Reader,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Owner => Self::Owner,
            RoleArg::Operator => Self::Operator,
            RoleArg::Reader => Self::Reader,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum MemberCommand {
    /// Give a user a role in a tenant (granting again changes the role).
    Grant {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// `owner` (everything, members included), `operator` (day-to-day operations) or
        /// `reader` (looks only).
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// End a user's membership of a tenant; their open sessions lose it at once.
    Revoke {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// List a tenant's members.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        tenant: String,
        /// One JSON array instead of columns.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct MemberLine {
    email: String,
    name: String,
    role: String,
    disabled: bool,
    last_sign_in_at: Option<String>,
}

pub(super) async fn run(command: MemberCommand) -> anyhow::Result<()> {
    match command {
        MemberCommand::Grant {
            database,
            tenant,
            email,
            role,
        } => {
            let store = open(&database).await?;
            let role = Role::from(role);
            let granted = org::grant(&store, &console_change(), &tenant, &email, role).await?;
            let (email, role) = (email.trim(), role.as_str());
            say(&match granted {
                Granted::Added => format!("{email} is now {role} of {tenant}"),
                Granted::Changed { from } => {
                    format!("{email} is now {role} of {tenant} (was {})", from.as_str())
                }
                Granted::Unchanged => format!("{email} already was {role} of {tenant}"),
            });
        }
        MemberCommand::Revoke {
            database,
            tenant,
            email,
        } => {
            let store = open(&database).await?;
            org::revoke(&store, &console_change(), &tenant, &email).await?;
            say(&format!(
                "{} is no longer a member of {tenant}",
                email.trim()
            ));
        }
        MemberCommand::List {
            database,
            tenant,
            json,
        } => {
            let store = open(&database).await?;
            let slug = TenantSlug::parse(&tenant)
                .map_err(|_| anyhow::anyhow!("there is no tenant {tenant:?}"))?;
            let Some(found) = store.tenant(&slug).await? else {
                anyhow::bail!("there is no tenant {tenant:?} (`opsux tenant list` shows them)");
            };
            let members: Vec<MemberLine> = store
                .members_of(found.id)
                .await?
                .into_iter()
                .map(|m| MemberLine {
                    email: m.email,
                    name: m.display_name,
                    role: m.role,
                    disabled: m.disabled_at.is_some(),
                    last_sign_in_at: m.last_sign_in_at.map(|ms| when(Some(ms))),
                })
                .collect();
            let headers = ["EMAIL", "NAME", "ROLE", "LAST SIGN-IN"];
            list(json, &members, &headers, |m| {
                vec![
                    m.email.clone(),
                    if m.disabled {
                        format!("{} (disabled)", m.name)
                    } else {
                        m.name.clone()
                    },
                    m.role.clone(),
                    m.last_sign_in_at
                        .clone()
                        .unwrap_or_else(|| "never".to_owned()),
                ]
            })?;
        }
    }
    Ok(())
}
