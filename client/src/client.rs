use std::time::Duration;

use opsux_core::wire::{
    ClaimRequest, ClaimResponse, CompleteRequest, CompleteResponse, ErrorEnvelope,
    HeartbeatRequest, HeartbeatResponse, ProgressRequest, ProgressResponse, RunSummary,
    StartRunResponse, TokenStartRequest, WorkerRun,
};
use opsux_core::{FailureEntry, RunOutcome, SummaryCounts};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;

/// How long any request may take beyond a claim's own wait.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// opsux's API for other services, with one tenant's API token. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    /// `https://opsux.example.com`, without a trailing slash.
    base: String,
    token: String,
}

impl Client {
    /// A client of the opsux server at `base_url` (`https://opsux.example.com`), presenting
    /// `token` (from `opsux token create`).
    pub fn new(base_url: &str, token: &str) -> Result<Self, Error> {
        let base = base_url.trim().trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::Invalid(format!(
                "the server's address must start with http:// or https://, not {base:?}"
            )));
        }
        let http = reqwest::Client::builder()
            // A redirect would carry the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            http,
            base: base.to_owned(),
            token: token.trim().to_owned(),
        })
    }

    /// Starts a run in `tenant` (`POST /api/v1/t/{tenant}/operations`): for `req.initiator`,
    /// who gets its notification, or a system run without one. The answer carries the toast
    /// to show the person and the run's canonical link; `result` says whether an identical
    /// run was already queued.
    pub async fn start(
        &self,
        tenant: &str,
        req: &TokenStartRequest,
    ) -> Result<StartRunResponse, Error> {
        self.post(&format!("/t/{tenant}/operations"), req, REQUEST_TIMEOUT)
            .await
    }

    /// Claims runs (`POST /api/v1/worker/claim`); with none queued, the server waits up to
    /// `req.wait_secs` for one before answering an empty list.
    pub async fn claim(&self, req: &ClaimRequest) -> Result<Vec<WorkerRun>, Error> {
        let wait = Duration::from_secs(u64::from(
            req.wait_secs.unwrap_or(opsux_core::wire::DEFAULT_WAIT_SECS),
        ));
        let answer: ClaimResponse = self
            .post("/worker/claim", req, REQUEST_TIMEOUT + wait)
            .await?;
        Ok(answer.runs)
    }

    /// Extends `run`'s lease; the answer says whether a person asked to cancel it.
    pub async fn heartbeat(
        &self,
        run: &WorkerRun,
        lease_secs: Option<u32>,
    ) -> Result<HeartbeatResponse, Error> {
        let req = HeartbeatRequest {
            fencing_token: run.fencing_token.clone(),
            lease_secs,
        };
        self.post(
            &format!("/worker/runs/{}/heartbeat", run.id),
            &req,
            REQUEST_TIMEOUT,
        )
        .await
    }

    /// Stores `run`'s counts so far; the answer says whether a person asked to cancel it.
    pub async fn progress(
        &self,
        run: &WorkerRun,
        counts: &SummaryCounts,
    ) -> Result<ProgressResponse, Error> {
        let req = ProgressRequest {
            fencing_token: run.fencing_token.clone(),
            counts: counts.clone(),
        };
        self.post(
            &format!("/worker/runs/{}/progress", run.id),
            &req,
            REQUEST_TIMEOUT,
        )
        .await
    }

    /// Ends `run` with `outcome`, its final counts and what went wrong; the run as it ended.
    pub async fn complete(
        &self,
        run: &WorkerRun,
        outcome: RunOutcome,
        counts: &SummaryCounts,
        failures: &[FailureEntry],
    ) -> Result<RunSummary, Error> {
        let req = CompleteRequest {
            fencing_token: run.fencing_token.clone(),
            outcome,
            counts: counts.clone(),
            failures: failures.to_vec(),
        };
        let answer: CompleteResponse = self
            .post(
                &format!("/worker/runs/{}/complete", run.id),
                &req,
                REQUEST_TIMEOUT,
            )
            .await?;
        Ok(answer.run)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
        timeout: Duration,
    ) -> Result<T, Error> {
        let res = self
            .http
            .post(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .timeout(timeout)
            .json(body)
            .send()
            .await?;
        let status = res.status();
        if status.is_success() {
            return Ok(res.json().await?);
        }
        let text = res.text().await.unwrap_or_default();
        let (code, message) = match serde_json::from_str::<ErrorEnvelope>(&text) {
            Ok(envelope) => (Some(envelope.error.code), envelope.error.message),
            Err(_) => (None, text.chars().take(500).collect()),
        };
        if status == reqwest::StatusCode::CONFLICT && path.starts_with("/worker/runs/") {
            return Err(Error::LeaseLost(message));
        }
        Err(Error::Api {
            status: status.as_u16(),
            code,
            message,
        })
    }
}
