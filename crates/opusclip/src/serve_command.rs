//! `opusclip serve`: the HTTP API with in-process workers (SQLite and a local folder by default;
//! PostgreSQL and S3 when configured). Prints where it listens, the docs and the web page.

use clap::Args;
use opusclip_core::{Result, Settings};
use opusclip_service::ServiceConfig;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the service keeps its state; shared by `serve`, `worker` and `keys`.
#[derive(Debug, Clone, Args)]
pub struct ServiceArgs {
    /// Job store: sqlite://PATH or postgres://USER@HOST/DB (default: DATA_DIR/jobs.db).
    #[arg(long, value_name = "URL", env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Storage for uploads and clips: a directory or s3://bucket/prefix (default: DATA_DIR/storage).
    #[arg(long, value_name = "DIR|S3_URL", env = "STORAGE_URL")]
    pub storage: Option<String>,
    /// Working folder: spool for uploads, job work folders, default store and storage.
    #[arg(long, value_name = "DIR", env = "OPUSCLIP_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Arguments of `opusclip serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Address to bind (API_HOST).
    #[arg(long)]
    pub host: Option<String>,
    /// Port to bind (API_PORT; 0 picks a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// Jobs run at once in this process (MAX_WORKERS); 0 serves the API only.
    #[arg(long)]
    pub workers: Option<usize>,
    /// Serve the API without keys, to this machine only (refused on a non-loopback host).
    #[arg(long)]
    pub no_auth: bool,
    /// Answer AWS Lambda invocations (API Gateway, function URL, ALB) with the same API instead
    /// of listening on a port; the data folder defaults to /tmp/opusclip-data.
    #[cfg(feature = "lambda")]
    #[arg(long, conflicts_with_all = ["host", "port", "no_auth"])]
    pub lambda: bool,
}

/// Lambda's only writable folder.
#[cfg(feature = "lambda")]
const LAMBDA_DATA_DIR: &str = "/tmp/opusclip-data";

/// The service configuration: Settings and the environment, then these flags.
pub fn service_config(args: &ServiceArgs) -> Result<ServiceConfig> {
    let settings = Settings::load(Path::new("."))?;
    let mut config = ServiceConfig::from_env(settings)?;
    if let Some(dir) = &args.data_dir {
        let defaults = ServiceConfig::new(config.settings.clone(), dir.clone());
        if std::env::var_os("DATABASE_URL").is_none() {
            config.database_url = defaults.database_url;
        }
        if std::env::var_os("STORAGE_URL").is_none() {
            config.storage_url = defaults.storage_url;
        }
        config.data_dir = dir.clone();
    }
    if let Some(url) = &args.database_url {
        opusclip_service::db::backend_of(url)?;
        config.database_url = url.clone();
    }
    if let Some(storage) = &args.storage {
        config.storage_url = storage.clone();
    }
    Ok(config)
}

/// Run `opusclip serve` until SIGINT/SIGTERM.
pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    #[cfg(feature = "lambda")]
    if args.lambda {
        return run_lambda(args);
    }
    let mut config = service_config(&args.service)?;
    if let Some(host) = &args.host {
        config.settings.api_host = host.clone();
    }
    if let Some(port) = args.port {
        config.settings.api_port = port;
    }
    config.no_auth = args.no_auth;
    let keys =
        if args.no_auth { "not needed (--no-auth: this machine only)" } else { "opusclip keys create --name NAME" };
    let workers = args.workers.unwrap_or(config.settings.max_workers as usize);
    let (database, storage) = (config.database_url.clone(), config.storage_url.clone());
    opusclip_service::block_on(opusclip_service::run_server_process(config, workers, |address| {
        // One write, errors ignored: a closed stdout must not stop the server.
        let banner = format!(
            "opusclip serve: listening on http://{address}\n  web page:  http://{address}/\n  \
             API docs:  http://{address}/docs  (OpenAPI: /openapi.json)\n  job store: {}\n  storage:   {storage}\n  \
             workers:   {workers} in this process\n  API keys:  {keys}\n",
            redact(&database)
        );
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(banner.as_bytes()).and_then(|_| stdout.flush());
    }))?;
    Ok(ExitCode::SUCCESS)
}

/// `opusclip serve --lambda`: the API (and `--workers` in-process workers, 0 by default)
/// answering Lambda invocations until the runtime stops.
#[cfg(feature = "lambda")]
fn run_lambda(args: &ServeArgs) -> Result<ExitCode> {
    let mut service = args.service.clone();
    if service.data_dir.is_none() && std::env::var_os("OPUSCLIP_DATA_DIR").is_none() {
        service.data_dir = Some(PathBuf::from(LAMBDA_DATA_DIR));
    }
    let config = service_config(&service)?;
    let workers = args.workers.unwrap_or(0);
    opusclip_service::block_on(opusclip_service::lambda::run_lambda(config, workers))?;
    Ok(ExitCode::SUCCESS)
}

/// A URL with its password hidden.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(super::redact("postgres://app:s3cret@db/jobs"), "postgres://app:***@db/jobs");
        assert_eq!(super::redact("postgres://root@127.0.0.1/test"), "postgres://root@127.0.0.1/test");
        assert_eq!(super::redact("sqlite://data/jobs.db"), "sqlite://data/jobs.db");
    }
}
