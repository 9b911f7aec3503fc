//! The signed-in person's own account.

use opsux_core::wire::{PasswordChange, SessionList};

use super::{Api, ApiError, expect_ok, unauthenticated_ends_session};

impl Api {
    pub async fn change_password(&self, current: String, new: String) -> Result<(), ApiError> {
        let body = PasswordChange {
            current_password: current,
            new_password: new,
        };
        let response = self
            .call("POST", "/api/me/password")
            .json(&body)
            .send()
            .await?;
        expect_ok(unauthenticated_ends_session(response)).await
    }

    pub async fn sessions(&self) -> Result<SessionList, ApiError> {
        self.get("/api/me/sessions").await
    }

    /// Ends every session of the person, this one included.
    pub async fn sign_out_everywhere(&self) -> Result<(), ApiError> {
        let response = self.call("POST", "/api/me/sessions/end-all").send().await?;
        expect_ok(response).await
    }
}
