//! Reading an answer's body within the size cap (R20): a declared length over the cap is
//! refused before reading, and a body streamed without one stops being read at the cap, so a
//! hostile endpoint can make the server hold no more than one cap's worth per call.

use serde::de::DeserializeOwned;

use super::{Cancel, ProviderError};

/// The body of `answer`, at most `cap` bytes.
pub(super) async fn read_capped(
    mut answer: reqwest::Response,
    cap: usize,
    cancel: &Cancel,
) -> Result<Vec<u8>, ProviderError> {
    let too_large = || ProviderError::TooLarge(format!("an answer is larger than {}", size(cap)));
    if answer
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        let chunk = answer.chunk().await.map_err(|err| {
            if cancel.is_past_deadline() || err.is_timeout() {
                ProviderError::TimedOut
            } else {
                ProviderError::Unavailable {
                    status: None,
                    attempts: 1,
                }
            }
        })?;
        let Some(chunk) = chunk else {
            return Ok(body);
        };
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
}

/// The body of `answer` as JSON of type `T`; `what` names it in the error when it is not.
pub(super) async fn read_json<T: DeserializeOwned>(
    answer: reqwest::Response,
    cap: usize,
    cancel: &Cancel,
    what: &str,
) -> Result<T, ProviderError> {
    let body = read_capped(answer, cap, cancel).await?;
    serde_json::from_slice(&body)
        .map_err(|_| ProviderError::Invalid(format!("{what} is not what Graph sends")))
}

/// "16 MiB", "64 KiB", "512 bytes".
fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}
