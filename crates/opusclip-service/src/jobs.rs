//! The durable job queue: jobs are rows; a worker *claims* one by taking a lease (owner and
//! expiry), renews it with heartbeats, and may only report progress or an outcome while it still
//! holds it. A job whose lease ran out (its worker died) is claimed again by another worker; a job
//! is finished exactly once, by the first holder to publish.

use crate::db::{column, database_error, Backend, Db};
use crate::error::{ApiError, ServiceResult};
use crate::request::JobRequest;
use crate::util::{new_id, now_ms};
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::AssertSqlSafe;
use std::time::Duration;

/// A job's life: queued → running → succeeded | failed; canceled by `DELETE` before the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,
}

impl JobState {
    pub const ALL: [JobState; 5] =
        [JobState::Queued, JobState::Running, JobState::Succeeded, JobState::Failed, JobState::Canceled];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Canceled => "canceled",
        }
    }

    fn parse(text: &str) -> JobState {
        JobState::ALL.into_iter().find(|state| state.as_str() == text).unwrap_or(JobState::Failed)
    }

    /// No more change will come.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed | JobState::Canceled)
    }
}

/// One job as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub state: JobState,
    pub stage: Option<String>,
    pub percent: f64,
    pub eta_seconds: Option<f64>,
    pub request: JobRequest,
    pub owner_key: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_owner: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub output_prefix: Option<String>,
    pub result: Option<Value>,
    pub error: Option<Value>,
    pub from_cache: bool,
    pub stage_seconds: Option<Value>,
    pub request_hash: Option<String>,
}

/// A job to add.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: String,
    pub request: JobRequest,
    pub owner_key: String,
    pub idempotency_key: Option<String>,
    /// What makes two requests "the same" for the idempotency key (the request's content, not
    /// where its upload was stored).
    pub request_hash: String,
    pub max_attempts: u32,
}

/// What inserting a job with an idempotency key found.
#[derive(Debug)]
pub enum Inserted {
    /// A new job.
    Created(Box<Job>),
    /// The same request was made before with this key: its job.
    Existing(Box<Job>),
}

const COLUMNS: &str = "id, kind, state, stage, percent, eta_seconds, request, owner_key, attempts, max_attempts, \
    lease_owner, created_at, updated_at, started_at, finished_at, output_prefix, result, error, from_cache, \
    stage_seconds, request_hash";

/// The job queue and records.
#[derive(Debug, Clone)]
pub struct JobStore {
    db: Db,
}

impl JobStore {
    pub fn new(db: Db) -> Self {
        JobStore { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Add a queued job. With an idempotency key already used by the same API key, the earlier
    /// job is returned when the request is the same, and `409 CONFLICT` when it differs.
    pub async fn insert(&self, job: NewJob) -> ServiceResult<Inserted> {
        let now = now_ms();
        let request_text = serde_json::to_string(&job.request).map_err(|e| ApiError::internal(e.to_string()))?;
        let request_hash = job.request_hash.clone();
        let outcome = sqlx::query(
            "INSERT INTO jobs (id, kind, state, percent, request, owner_key, idempotency_key, request_hash, \
             attempts, max_attempts, run_after, created_at, updated_at) \
             VALUES ($1, $2, 'queued', 0, $3, $4, $5, $6, 0, $7, $8, $8, $8)",
        )
        .bind(&job.id)
        .bind(job.request.kind.as_str())
        .bind(&request_text)
        .bind(&job.owner_key)
        .bind(job.idempotency_key.clone())
        .bind(&request_hash)
        .bind(i64::from(job.max_attempts))
        .bind(now)
        .execute(&self.db.pool)
        .await;
        match outcome {
            Ok(_) => Ok(Inserted::Created(Box::new(
                self.get(&job.id)
                    .await?
                    .ok_or_else(|| ApiError::internal(format!("job {} vanished right after it was added", job.id)))?,
            ))),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() && job.idempotency_key.is_some() => {
                let key = job.idempotency_key.unwrap_or_default();
                let existing = self.by_idempotency_key(&job.owner_key, &key).await?.ok_or_else(|| {
                    ApiError::conflict(format!("idempotency key {key:?} is being used by a request in progress"))
                })?;
                if existing.request_hash.as_deref() == Some(request_hash.as_str()) {
                    Ok(Inserted::Existing(Box::new(existing)))
                } else {
                    Err(ApiError::conflict(format!(
                        "idempotency key {key:?} was used for a different request (job {}): use a new key",
                        existing.id
                    ))
                    .with_details(serde_json::json!({ "job_id": existing.id })))
                }
            }
            Err(error) => Err(database_error("add the job", error)),
        }
    }

    async fn by_idempotency_key(&self, owner: &str, key: &str) -> ServiceResult<Option<Job>> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE owner_key = $1 AND idempotency_key = $2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(owner)
            .bind(key)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| database_error("read the job", e))?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// The job with this id.
    pub async fn get(&self, id: &str) -> ServiceResult<Option<Job>> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| database_error("read the job", e))?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// The job with this id when `owner` (an API key id) made it; `404` otherwise.
    pub async fn get_owned(&self, id: &str, owner: &str) -> ServiceResult<Job> {
        match self.get(id).await? {
            Some(job) if job.owner_key == owner => Ok(job),
            _ => Err(ApiError::not_found(format!("no job {id:?} for this API key"))),
        }
    }

    /// Up to `limit` jobs of `owner`, newest first, from after the `before` cursor (created_at, id).
    pub async fn list_owned(
        &self,
        owner: &str,
        limit: usize,
        before: Option<(i64, String)>,
    ) -> ServiceResult<Vec<Job>> {
        let (at, id) = before.unwrap_or((i64::MAX, String::new()));
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE owner_key = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
             ORDER BY created_at DESC, id DESC LIMIT $4"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(owner)
            .bind(at)
            .bind(if id.is_empty() { "~".to_string() } else { id })
            .bind(limit.min(1000) as i64)
            .fetch_all(&self.db.pool)
            .await
            .map_err(|e| database_error("list the jobs", e))?;
        rows.iter().map(job_from_row).collect()
    }

    /// Take the oldest runnable job: queued and due, or running with an expired lease (its worker
    /// died), with attempts left. The lease lasts `lease` unless renewed.
    pub async fn claim(&self, worker: &str, lease: Duration) -> ServiceResult<Option<Job>> {
        let now = now_ms();
        let pick = "SELECT id FROM jobs WHERE ((state = 'queued' AND run_after <= $1) \
                    OR (state = 'running' AND lease_until < $1)) AND attempts < max_attempts \
                    ORDER BY created_at LIMIT 1";
        let lock = if self.db.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE jobs SET state = 'running', lease_owner = $2, lease_until = $3, attempts = attempts + 1, \
             started_at = COALESCE(started_at, $1), updated_at = $1, eta_seconds = NULL \
             WHERE id = ({pick}{lock}) RETURNING {COLUMNS}"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(now)
            .bind(worker)
            .bind(now + lease.as_millis() as i64)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| database_error("claim a job", e))?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// Renew the lease; `false` when this worker no longer holds the job (taken over, canceled,
    /// deleted).
    pub async fn heartbeat(&self, id: &str, worker: &str, lease: Duration) -> ServiceResult<bool> {
        let now = now_ms();
        self.update_held(
            "UPDATE jobs SET lease_until = $3, updated_at = $4 WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            id,
            worker,
            |query| query.bind(now + lease.as_millis() as i64).bind(now),
        )
        .await
    }

    /// Record progress while holding the job.
    pub async fn progress(
        &self,
        id: &str,
        worker: &str,
        stage: &str,
        percent: f64,
        eta_seconds: Option<f64>,
    ) -> ServiceResult<bool> {
        let now = now_ms();
        let stage = stage.to_string();
        self.update_held(
            "UPDATE jobs SET stage = $3, percent = $4, eta_seconds = $5, updated_at = $6 \
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            id,
            worker,
            |query| query.bind(stage).bind(percent).bind(eta_seconds).bind(now),
        )
        .await
    }

    /// Finish the job as succeeded with its published outputs; `false` when another holder
    /// finished it first (the caller then removes its own outputs).
    pub async fn succeed(&self, id: &str, worker: &str, outcome: Succeeded) -> ServiceResult<bool> {
        let now = now_ms();
        let result = outcome.result.to_string();
        let stages = outcome.stage_seconds.to_string();
        self.update_held(
            "UPDATE jobs SET state = 'succeeded', percent = 100, stage = 'done', eta_seconds = 0, \
             output_prefix = $3, result = $4, stage_seconds = $5, from_cache = $6, finished_at = $7, updated_at = $7, \
             lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            id,
            worker,
            |query| {
                query
                    .bind(outcome.output_prefix)
                    .bind(result)
                    .bind(stages)
                    .bind(i64::from(outcome.from_cache))
                    .bind(now)
            },
        )
        .await
    }

    /// End the job as failed with `error`.
    pub async fn fail(&self, id: &str, worker: &str, error: &ApiError) -> ServiceResult<bool> {
        let now = now_ms();
        let stored = error.to_stored().to_string();
        self.update_held(
            "UPDATE jobs SET state = 'failed', error = $3, eta_seconds = NULL, finished_at = $4, updated_at = $4, \
             lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            id,
            worker,
            |query| query.bind(stored).bind(now),
        )
        .await
    }

    /// Put the job back in the queue after a transient failure, runnable after `delay`.
    pub async fn retry_later(&self, id: &str, worker: &str, error: &ApiError, delay: Duration) -> ServiceResult<bool> {
        let now = now_ms();
        let stored = error.to_stored().to_string();
        self.update_held(
            "UPDATE jobs SET state = 'queued', error = $3, run_after = $4, updated_at = $5, stage = NULL, \
             percent = 0, eta_seconds = NULL, lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            id,
            worker,
            |query| query.bind(stored).bind(now + delay.as_millis() as i64).bind(now),
        )
        .await
    }

    async fn update_held(
        &self,
        sql: &'static str,
        id: &str,
        worker: &str,
        bind_rest: impl FnOnce(HeldQuery) -> HeldQuery,
    ) -> ServiceResult<bool> {
        let query = bind_rest(sqlx::query(sql).bind(id.to_string()).bind(worker.to_string()));
        let done = query.execute(&self.db.pool).await.map_err(|e| database_error("update the job", e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Fail running jobs whose lease expired after their last allowed attempt (their workers
    /// died every time). Returns how many.
    pub async fn fail_abandoned(&self) -> ServiceResult<u64> {
        let now = now_ms();
        let error = ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "WORKER_LOST",
            "the job's worker stopped on every attempt (crash or kill): check the worker logs",
        );
        let done = sqlx::query(
            "UPDATE jobs SET state = 'failed', error = $2, finished_at = $1, updated_at = $1, lease_owner = NULL, \
             lease_until = NULL WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts",
        )
        .bind(now)
        .bind(error.to_stored().to_string())
        .execute(&self.db.pool)
        .await
        .map_err(|e| database_error("fail abandoned jobs", e))?;
        Ok(done.rows_affected())
    }

    /// Cancel a job that has not ended (its worker notices at the next heartbeat).
    pub async fn cancel(&self, id: &str) -> ServiceResult<bool> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE jobs SET state = 'canceled', finished_at = $2, updated_at = $2, lease_owner = NULL, \
             lease_until = NULL WHERE id = $1 AND state IN ('queued', 'running')",
        )
        .bind(id)
        .bind(now)
        .execute(&self.db.pool)
        .await
        .map_err(|e| database_error("cancel the job", e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Remove the job's record.
    pub async fn delete(&self, id: &str) -> ServiceResult<bool> {
        let done = sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(id)
            .execute(&self.db.pool)
            .await
            .map_err(|e| database_error("delete the job", e))?;
        Ok(done.rows_affected() == 1)
    }

    /// How many jobs are in each state.
    pub async fn counts_by_state(&self) -> ServiceResult<Vec<(JobState, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(&self.db.pool)
            .await
            .map_err(|e| database_error("count jobs", e))?;
        let mut counts: Vec<(JobState, i64)> = JobState::ALL.iter().map(|s| (*s, 0)).collect();
        for row in &rows {
            let state = JobState::parse(&column::<String>(row, "state")?);
            let n: i64 = column(row, "n")?;
            if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == state) {
                entry.1 += n;
            }
        }
        Ok(counts)
    }
}

type HeldQuery = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// What a worker publishes when a job succeeds.
#[derive(Debug, Clone)]
pub struct Succeeded {
    pub output_prefix: String,
    pub result: Value,
    pub stage_seconds: Value,
    pub from_cache: bool,
}

/// A new id for a job.
pub fn new_job_id() -> String {
    new_id()
}

fn job_from_row(row: &AnyRow) -> ServiceResult<Job> {
    let request_text: String = column(row, "request")?;
    let request: JobRequest = serde_json::from_str(&request_text)
        .map_err(|e| ApiError::internal(format!("stored job request is not readable: {e}")))?;
    let json = |name: &str| -> ServiceResult<Option<Value>> {
        Ok(column::<Option<String>>(row, name)?.and_then(|text| serde_json::from_str(&text).ok()))
    };
    Ok(Job {
        id: column(row, "id")?,
        state: JobState::parse(&column::<String>(row, "state")?),
        stage: column(row, "stage")?,
        percent: column(row, "percent")?,
        eta_seconds: column(row, "eta_seconds")?,
        request,
        owner_key: column(row, "owner_key")?,
        attempts: column(row, "attempts")?,
        max_attempts: column(row, "max_attempts")?,
        lease_owner: column(row, "lease_owner")?,
        created_at: column(row, "created_at")?,
        updated_at: column(row, "updated_at")?,
        started_at: column(row, "started_at")?,
        finished_at: column(row, "finished_at")?,
        output_prefix: column(row, "output_prefix")?,
        result: json("result")?,
        error: json("error")?,
        from_cache: column::<i64>(row, "from_cache")? != 0,
        stage_seconds: json("stage_seconds")?,
        request_hash: column(row, "request_hash")?,
    })
}
