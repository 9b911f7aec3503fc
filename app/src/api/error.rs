use opsux_core::wire::{ErrorCode, ErrorEnvelope};

/// A failed call: the envelope's code when the server answered, with a sentence to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// `None` when the server could not be reached or answered without the envelope.
    pub code: Option<ErrorCode>,
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub(crate) fn network(detail: &str) -> Self {
        Self {
            code: None,
            status: 0,
            message: format!(
                "Could not reach the server ({detail}). Check your connection and try again."
            ),
        }
    }

    pub(crate) fn unexpected(detail: &str) -> Self {
        Self {
            code: None,
            status: 0,
            message: format!("The server sent an answer this page does not understand ({detail})."),
        }
    }

    pub(crate) fn from_envelope(status: u16, envelope: ErrorEnvelope) -> Self {
        Self {
            code: Some(envelope.error.code),
            status,
            message: envelope.error.message,
        }
    }

    pub(crate) fn status_only(status: u16, text: &str) -> Self {
        Self {
            code: None,
            status,
            message: format!("The server answered {status} {text}."),
        }
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        self.code == Some(code) || (self.code.is_none() && self.status == code.http_status())
    }

    /// The sentence a page shows for it: the server's own message as a sentence, opened plainly
    /// for the codes a person can act on.
    pub fn describe(&self) -> String {
        let message = sentence(&self.message);
        match self.code {
            Some(ErrorCode::Forbidden) => format!("Not allowed. {message}"),
            Some(ErrorCode::Conflict) => format!("Not possible right now. {message}"),
            _ => message,
        }
    }
}

/// `wrong e-mail or password` → `Wrong e-mail or password.`
fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    // The server speaks English: ASCII case is enough, and spares the bundle Unicode's tables.
    let mut out = String::with_capacity(text.len() + 1);
    out.push(first.to_ascii_uppercase());
    out.extend(chars);
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
