//! `opsux secrets rotate`: every tenant's client secret opened with the current key and
//! sealed with a new one, in one transaction — all or none — bound to its tenant and field
//! (which also binds secrets sealed before values were bound).

use std::path::PathBuf;

use anyhow::Context;

use super::output::say;
use super::{DatabaseArgs, SecretsArgs};
use crate::secrets::{SealedField, SecretsKey};
use crate::store::connections::ResealError;

#[derive(Debug, clap::Subcommand)]
pub enum SecretsCommand {
    /// Move every stored secret to a new key. The current key comes as for `serve`
    /// (`OPSUX_SECRETS_KEY`, `--secrets-key-file` or the default file); the new one from
    /// `--new-key-file`, created owner-only when it does not exist.
    Rotate(RotateArgs),
}

#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub secrets: SecretsArgs,
    /// Where the new key is (or is to be created); it must differ from the current key file.
    #[arg(long)]
    pub new_key_file: PathBuf,
}

pub(super) async fn run(command: SecretsCommand) -> anyhow::Result<()> {
    match command {
        SecretsCommand::Rotate(args) => rotate(args).await,
    }
}

async fn rotate(args: RotateArgs) -> anyhow::Result<()> {
    let store = args.database.open().await?;
    let current = args.secrets.key(&args.database.database_url)?;
    if args.secrets.secrets_key_file.as_ref() == Some(&args.new_key_file) {
        anyhow::bail!("--new-key-file names the current key file: give a new path");
    }
    let new = if args.new_key_file.exists() {
        SecretsKey::load_or_create(&args.new_key_file)?
    } else {
        SecretsKey::create(&args.new_key_file)?
    };
    let moved = store
        .reseal_secrets(|tenant_id, field, sealed| {
            let field = SealedField { tenant_id, field };
            current
                .open_for_rotation(sealed, field)
                .map(|plain| Some(new.seal(&plain, field)))
        })
        .await;
    let moved = match moved {
        Ok(moved) => moved,
        Err(ResealError::Secret { tenant, err }) => {
            return Err(err).with_context(|| {
                format!(
                    "tenant {tenant}: one of its secrets (its client secret or a webhook's \
                     signing secret) does not open with the current key, so no secret was \
                     moved; connect that tenant again or rotate that webhook's secret, then \
                     rotate the key"
                )
            });
        }
        Err(ResealError::Database(err)) => return Err(err.into()),
    };
    say(&format!(
        "Moved {moved} secret{} to the key in {}. Start every process with \
         --secrets-key-file {} (or that key in OPSUX_SECRETS_KEY); the old key opens nothing now.",
        if moved == 1 { "" } else { "s" },
        args.new_key_file.display(),
        args.new_key_file.display()
    ));
    Ok(())
}

/// Binds, with `key`, the client secrets stored before sealed values were bound to their
/// tenant (`serve` and `worker` do this at start, so an upgraded database needs no step by
/// hand). Best effort: a secret this key cannot open leaves every one as it was, with a
/// warning naming its tenant (that tenant fails to sign in until connected again).
pub(super) async fn bind_unbound(store: &crate::store::Store, key: &SecretsKey) {
    let bound = store
        .reseal_secrets(|tenant_id, field, sealed| {
            let field = SealedField { tenant_id, field };
            if key.open(sealed, field).is_ok() {
                return Ok(None);
            }
            key.open_for_rotation(sealed, field)
                .map(|plain| Some(key.seal(&plain, field)))
        })
        .await;
    match bound {
        Ok(0) => {}
        Ok(bound) => tracing::info!(bound, "bound stored client secrets to their tenants"),
        Err(ResealError::Secret { tenant, .. }) => tracing::warn!(
            %tenant,
            "a stored client secret does not open with this secrets key; none was bound"
        ),
        Err(ResealError::Database(err)) => {
            tracing::warn!(%err, "stored client secrets could not be bound");
        }
    }
}
