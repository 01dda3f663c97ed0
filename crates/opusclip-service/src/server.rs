//! Starting and stopping a service process: `serve` (HTTP API plus in-process workers) and
//! `worker` (workers only, for scale-out against a shared PostgreSQL queue and S3 storage).
//! A first SIGINT/SIGTERM stops taking new work and lets running jobs finish; a second exits at
//! once (the leases of unfinished jobs then expire and other workers take them over).

use crate::config::ServiceConfig;
use crate::error::{ApiError, ServiceResult};
use crate::state::Services;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running HTTP service.
#[derive(Debug)]
pub struct RunningServer {
    /// Where it listens (the real port when 0 was asked).
    pub address: SocketAddr,
    pub services: Arc<Services>,
    shutdown: watch::Sender<bool>,
    http: JoinHandle<std::io::Result<()>>,
    workers: Option<JoinHandle<()>>,
    _spool: crate::sweep::SpoolClaim,
}

impl RunningServer {
    /// Bind `API_HOST:API_PORT` of the settings and start serving, with `workers` in-process
    /// workers (0: API only).
    pub async fn start(config: ServiceConfig, workers: usize) -> ServiceResult<RunningServer> {
        let bind = format!("{}:{}", config.settings.api_host, config.settings.api_port);
        let services = Services::open(config).await?;
        let (lock_path, spool) = (services.config.spool_lock_path(), services.config.spool_dir());
        let claim_path = spool.clone();
        let spool_claim = tokio::task::spawn_blocking(move || crate::sweep::claim_spool(&lock_path, &claim_path))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))??;
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .map_err(|e| ApiError::configuration(format!("cannot listen on {bind}: {e} (set API_HOST / API_PORT)")))?;
        let address = listener.local_addr().map_err(|e| ApiError::internal(e.to_string()))?;
        if services.config.no_auth && !address.ip().is_loopback() {
            return Err(ApiError::configuration(format!(
                "--no-auth serves without keys, so only on a loopback address (127.0.0.1 or ::1), not {address}"
            )));
        }
        let (shutdown, stopping) = watch::channel(false);
        let app = crate::api::router(services.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let mut http_stop = stopping.clone();
        let http = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = http_stop.wait_for(|stop| *stop).await;
                })
                .await
        });
        tokio::spawn(crate::sweep::spool_loop(spool, stopping.clone()));
        let workers = (workers > 0)
            .then(|| tokio::spawn(crate::worker::run_workers(services.clone(), workers, stopping.clone())));
        Ok(RunningServer { address, services, shutdown, http, workers, _spool: spool_claim })
    }

    /// Stop: no new requests or jobs; wait for running jobs.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.http.await;
        if let Some(workers) = self.workers {
            let _ = workers.await;
        }
    }
}

/// Run workers only, until a signal.
pub async fn run_worker_process(config: ServiceConfig, workers: usize) -> ServiceResult<()> {
    let services = Services::open(config).await?;
    let (shutdown, stopping) = watch::channel(false);
    let running = tokio::spawn(crate::worker::run_workers(services, workers, stopping));
    wait_for_signal().await;
    let _ = shutdown.send(true);
    tokio::select! {
        _ = running => {}
        _ = wait_for_signal() => std::process::exit(130),
    }
    Ok(())
}

/// Serve until a signal; `on_listening` is told the address once bound.
pub async fn run_server_process(
    config: ServiceConfig,
    workers: usize,
    on_listening: impl FnOnce(SocketAddr),
) -> ServiceResult<()> {
    let server = RunningServer::start(config, workers).await?;
    on_listening(server.address);
    wait_for_signal().await;
    tokio::select! {
        _ = server.stop() => {}
        _ = wait_for_signal() => std::process::exit(130),
    }
    Ok(())
}

/// SIGINT or SIGTERM.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Run `future` on a new multi-threaded runtime (for the command line).
pub fn block_on<T>(future: impl Future<Output = ServiceResult<T>>) -> ServiceResult<T> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(future)
}
