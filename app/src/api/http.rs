//! One request over the browser's own `fetch`, and its answer read as text.
//!
//! Written over `web-sys` rather than through an HTTP client crate: the client the app used
//! before brought streams, sinks and I/O error tables into both bundles for the four things the
//! API needs — a method, a URL, an optional JSON body, and whether cookies go to another origin.

use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, Response};

use super::ApiError;

/// A request about to be sent.
pub(super) struct Call {
    method: &'static str,
    url: String,
    body: Option<String>,
    credentials: bool,
}

impl Call {
    pub(super) fn new(method: &'static str, url: String, credentials: bool) -> Self {
        Self {
            method,
            url,
            body: None,
            credentials,
        }
    }

    /// Sends `body` as JSON.
    pub(super) fn json(mut self, body: &impl Serialize) -> Self {
        // Serialising the app's own wire types cannot fail: they are maps, strings and numbers.
        self.body = serde_json::to_string(body).ok();
        self
    }

    pub(super) async fn send(self) -> Result<Reply, ApiError> {
        let init = RequestInit::new();
        init.set_method(self.method);
        if self.credentials {
            init.set_credentials(RequestCredentials::Include);
        }
        if let Some(body) = &self.body {
            let headers = Headers::new().map_err(|e| network(&e))?;
            headers
                .set("content-type", "application/json")
                .map_err(|e| network(&e))?;
            init.set_headers(&headers);
            init.set_body(&JsValue::from_str(body));
        }
        let window = web_sys::window().ok_or_else(|| ApiError::network("no window"))?;
        let response = wait(window.fetch_with_str_and_init(&self.url, &init)).await?;
        Ok(Reply(response.unchecked_into()))
    }
}

/// An answer whose status has arrived; its body is read on demand.
pub(super) struct Reply(Response);

impl Reply {
    pub(super) fn status(&self) -> u16 {
        self.0.status()
    }

    pub(super) fn ok(&self) -> bool {
        self.0.ok()
    }

    pub(super) fn status_text(&self) -> String {
        self.0.status_text()
    }

    /// The body; an answer cut off on the way is a network failure.
    pub(super) async fn text(&self) -> Result<String, ApiError> {
        let text = wait(self.0.text().map_err(|e| network(&e))?).await?;
        Ok(text.as_string().unwrap_or_default())
    }
}

async fn wait(promise: Promise) -> Result<JsValue, ApiError> {
    JsFuture::from(promise).await.map_err(|e| network(&e))
}

/// A rejected `fetch` is a `TypeError` whose message says little more than "failed to fetch".
fn network(error: &JsValue) -> ApiError {
    let detail = error.dyn_ref::<js_sys::Error>().map_or_else(
        || "request failed".to_owned(),
        |e| String::from(e.message()),
    );
    ApiError::network(&detail)
}
