//! `opusclip keys create --name NAME | list | revoke ID`: the API keys of the service. A key is
//! shown once, at creation, alone on the last line of the output; only its SHA-256 is stored.

use crate::serve_command::{service_config, ServiceArgs};
use clap::{Args, Subcommand};
use opusclip_core::Result;
use opusclip_service::db::Db;
use opusclip_service::keys::{KeyInfo, KeyStore};
use serde_json::json;
use std::process::ExitCode;

/// Arguments of `opusclip keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// The `opusclip keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a key; it is printed once, alone on the last line.
    Create {
        /// Who or what the key is for.
        #[arg(long)]
        name: String,
    },
    /// List keys (id, name, prefix, created, revoked); never the keys themselves.
    List,
    /// Revoke a key by id or shown prefix; requests with it are refused within seconds.
    Revoke {
        /// The key's id (or prefix) from `opusclip keys list`.
        id: String,
    },
}

fn when(ms: i64) -> String {
    format!("{}", ms / 1000)
}

fn line(key: &KeyInfo) -> String {
    let revoked = key.revoked_at.map(|at| format!("revoked {}", when(at))).unwrap_or_else(|| "active".into());
    format!("{}  {}  {}…  created {}  {revoked}", key.id, key.name, key.prefix, when(key.created_at))
}

/// Run `opusclip keys …`.
pub fn run(args: &KeysArgs, json_output: bool) -> Result<ExitCode> {
    let config = service_config(&args.service)?;
    opusclip_service::block_on(async {
        let keys = KeyStore::new(Db::connect(&config.database_url, 2).await?);
        match &args.command {
            KeysCommand::Create { name } => {
                let created = keys.create(name).await?;
                if json_output {
                    println!("{}", json!({ "id": created.info.id, "name": created.info.name, "key": created.secret }));
                } else {
                    println!(
                        "created key {} ({}); keep it now, it is not shown again:",
                        created.info.id, created.info.name
                    );
                    println!("{}", created.secret);
                }
            }
            KeysCommand::List => {
                let list = keys.list().await?;
                if json_output {
                    println!("{}", serde_json::to_string(&list).unwrap_or_default());
                } else if list.is_empty() {
                    println!("no keys yet: opusclip keys create --name NAME");
                } else {
                    list.iter().for_each(|key| println!("{}", line(key)));
                }
            }
            KeysCommand::Revoke { id } => {
                let revoked = keys.revoke(id).await?;
                if json_output {
                    println!("{}", serde_json::to_string(&revoked).unwrap_or_default());
                } else {
                    println!("revoked {}", line(&revoked));
                }
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
