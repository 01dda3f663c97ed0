//! `GET /api/jobs/{id}/events`: server-sent events while a job runs. The job's record is read a
//! few times a second (so progress from workers in other processes shows too); an event goes out
//! whenever state, stage or percent changed — `progress` while it runs, then one final event named
//! after the end state (`succeeded`, `failed`, `canceled`, or `deleted`), and the stream closes.

use super::Caller;
use crate::error::ApiError;
use crate::jobs::Job;
use crate::state::Services;
use crate::views::job_view;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Extension;
use futures_util::stream::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

const POLL: Duration = Duration::from_millis(250);

struct Watch {
    services: Arc<Services>,
    id: String,
    last: Option<(String, Option<String>, i64)>,
    first: bool,
    ended: bool,
}

fn fingerprint(job: &Job) -> (String, Option<String>, i64) {
    (job.state.as_str().to_string(), job.stage.clone(), (job.percent * 10.0) as i64)
}

/// `GET /api/jobs/{id}/events`.
#[utoipa::path(get, path = "/api/jobs/{id}/events", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "Server-sent events: `progress` (job status JSON) while it runs, then `succeeded`, `failed`, `canceled` or `deleted`", content_type = "text/event-stream", body = String),
        (status = 404, body = crate::api::openapi::ErrorBody),
    ))]
pub async fn stream(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    services.jobs.get_owned(&id, &caller.key_id).await?;
    let watch = Watch { services, id, last: None, first: true, ended: false };
    let events = futures_util::stream::unfold(watch, |mut watch| async move {
        loop {
            if watch.ended {
                return None;
            }
            if !watch.first {
                tokio::time::sleep(POLL).await;
            }
            watch.first = false;
            let job = match watch.services.jobs.get(&watch.id).await {
                Ok(job) => job,
                Err(error) => {
                    watch.ended = true;
                    let event = Event::default().event("error").data(error.body().to_string());
                    return Some((Ok(event), watch));
                }
            };
            let Some(job) = job else {
                watch.ended = true;
                let event = Event::default().event("deleted").data(serde_json::json!({ "id": watch.id }).to_string());
                return Some((Ok(event), watch));
            };
            let now = fingerprint(&job);
            if watch.last.as_ref() == Some(&now) {
                continue;
            }
            watch.last = Some(now);
            let name = if job.state.is_terminal() {
                watch.ended = true;
                job.state.as_str()
            } else {
                "progress"
            };
            let event = Event::default().event(name).data(job_view(&job).to_string());
            return Some((Ok(event), watch));
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
