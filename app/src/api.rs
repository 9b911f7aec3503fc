//! Calls to the opsux API. Errors become one readable sentence for the page to show.

use gloo_net::http::{Request, Response};
use opsux_core::wire::{Catalog, ErrorEnvelope};
use serde::de::DeserializeOwned;

pub(crate) async fn fetch_catalog() -> Result<Catalog, String> {
    get_json("/api/catalog").await
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|err| format!("Could not reach the server: {err}"))?;
    if !response.ok() {
        return Err(error_message(&response).await);
    }
    response
        .json::<T>()
        .await
        .map_err(|err| format!("The server sent an unexpected answer: {err}"))
}

/// The envelope's message when there is one, else the status line.
async fn error_message(response: &Response) -> String {
    match response.json::<ErrorEnvelope>().await {
        Ok(envelope) => envelope.error.message,
        Err(_) => format!(
            "The server answered {} {}",
            response.status(),
            response.status_text()
        ),
    }
}
