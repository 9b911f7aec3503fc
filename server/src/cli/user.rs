//! `opsux user add|list|set-password|disable|enable`.

use serde::Serialize;

use super::DatabaseArgs;
use super::output::{console_change, list, open, read_password, say, when};
use crate::org;

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a person who signs in with a password (from `OPSUX_USER_PASSWORD` or standard
    /// input); they see no tenant until `opsux member grant`.
    Add {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        email: String,
        /// Their name as the panel shows it.
        #[arg(long)]
        name: String,
    },
    /// List the users.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
        /// One JSON array instead of columns.
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password (from `OPSUX_USER_PASSWORD` or standard input); their sessions end.
    SetPassword {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        email: String,
    },
    /// Stop a user from signing in; their sessions end at once.
    Disable {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        email: String,
    },
    /// Let a disabled user sign in again.
    Enable {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        email: String,
    },
}

#[derive(Serialize)]
struct UserLine {
    email: String,
    name: String,
    disabled: bool,
    last_sign_in_at: Option<String>,
    created_at: String,
}

const PASSWORD_VAR: &str = "OPSUX_USER_PASSWORD";

pub(super) async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            database,
            email,
            name,
        } => {
            let store = open(&database).await?;
            let password = read_password(PASSWORD_VAR, &email)?;
            org::add_user(&store, &console_change(), &email, &name, &password).await?;
            say(&format!(
                "user {} added. Next: `opsux member grant --tenant SLUG --email {} --role reader`",
                email.trim(),
                email.trim()
            ));
        }
        UserCommand::List { database, json } => {
            let store = open(&database).await?;
            let users: Vec<UserLine> = store
                .user_list()
                .await?
                .into_iter()
                .map(|u| UserLine {
                    email: u.email,
                    name: u.display_name,
                    disabled: u.disabled_at.is_some(),
                    last_sign_in_at: u.last_sign_in_at.map(|ms| when(Some(ms))),
                    created_at: when(Some(u.created_at)),
                })
                .collect();
            let headers = ["EMAIL", "NAME", "STATE", "LAST SIGN-IN", "CREATED"];
            list(json, &users, &headers, |u| {
                vec![
                    u.email.clone(),
                    u.name.clone(),
                    if u.disabled { "disabled" } else { "active" }.to_owned(),
                    u.last_sign_in_at
                        .clone()
                        .unwrap_or_else(|| "never".to_owned()),
                    u.created_at.clone(),
                ]
            })?;
        }
        UserCommand::SetPassword { database, email } => {
            let store = open(&database).await?;
            let password = read_password(PASSWORD_VAR, &email)?;
            org::set_password(&store, &console_change(), &email, &password, None).await?;
            say(&format!(
                "password of {} set; their sessions have ended",
                email.trim()
            ));
        }
        UserCommand::Disable { database, email } => {
            let store = open(&database).await?;
            let changed = org::set_disabled(&store, &console_change(), &email, true).await?;
            say(&if changed {
                format!("{} is disabled; their sessions have ended", email.trim())
            } else {
                format!("{} was already disabled", email.trim())
            });
        }
        UserCommand::Enable { database, email } => {
            let store = open(&database).await?;
            let changed = org::set_disabled(&store, &console_change(), &email, false).await?;
            say(&if changed {
                format!("{} may sign in again", email.trim())
            } else {
                format!("{} was not disabled", email.trim())
            });
        }
    }
    Ok(())
}
