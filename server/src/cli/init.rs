//! `opsux init`: an empty database becomes a workspace with its first owner.

use super::DatabaseArgs;
use super::output::{console_change, open, read_password, say};
use crate::org::{self, NewWorkspace};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The workspace's name, shown in the panel's header.
    #[arg(long)]
    pub workspace: String,
    /// The first owner's e-mail address (their sign-in).
    #[arg(long)]
    pub owner_email: String,
    /// The first owner's name as the panel shows it; default: the address before the `@`.
    #[arg(long)]
    pub owner_name: Option<String>,
}

pub(super) async fn init(args: InitArgs) -> anyhow::Result<()> {
    let store = open(&args.database).await?;
    // Refuse before asking for a password that would not be used.
    if let Some(existing) = store.workspace().await? {
        anyhow::bail!(
            "a workspace already exists here ({:?}): `opsux init` sets up an empty database; \
             add tenants and people with `opsux tenant add` and `opsux user add`",
            existing.name
        );
    }
    let password = read_password("OPSUX_OWNER_PASSWORD", &args.owner_email)?;
    let new = NewWorkspace {
        name: &args.workspace,
        owner_email: &args.owner_email,
        owner_name: args.owner_name.as_deref(),
        owner_password: &password,
    };
    org::init(&store, &console_change(), new).await?;
    say(&format!(
        "workspace {:?} created; {} is its owner. Next: `opsux tenant add --slug SLUG --name NAME`",
        args.workspace.trim(),
        args.owner_email.trim()
    ));
    Ok(())
}
