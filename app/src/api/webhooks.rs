//! A tenant's webhook endpoints and their deliveries.

use opsux_core::TenantSlug;
use opsux_core::wire::{NewWebhook, WebhookDto, WebhookList, WebhookSecretShown};

use super::{Api, ApiError, checked, expect_ok, unauthenticated_ends_session};

impl Api {
    pub async fn webhooks(&self, tenant: &TenantSlug) -> Result<WebhookList, ApiError> {
        self.get(&format!("/api/t/{tenant}/webhooks")).await
    }

    /// Adds an endpoint; the answer carries its secret, this once.
    pub async fn add_webhook(
        &self,
        tenant: &TenantSlug,
        new: &NewWebhook,
    ) -> Result<WebhookSecretShown, ApiError> {
        self.post_json(&format!("/api/t/{tenant}/webhooks"), new)
            .await
    }

    pub async fn remove_webhook(&self, tenant: &TenantSlug, name: &str) -> Result<(), ApiError> {
        let path = webhook_path(tenant, name, "");
        let response = self.call("DELETE", &path).send().await?;
        expect_ok(unauthenticated_ends_session(response)).await
    }

    /// `test`, `resume`, or `deliveries/{id}/resend`: the endpoint afterwards.
    pub async fn webhook_action(
        &self,
        tenant: &TenantSlug,
        name: &str,
        action: &str,
    ) -> Result<WebhookDto, ApiError> {
        let path = webhook_path(tenant, name, action);
        checked(self.call("POST", &path).send().await?).await
    }
}

fn webhook_path(tenant: &TenantSlug, name: &str, action: &str) -> String {
    let name = js_sys::encode_uri_component(name);
    if action.is_empty() {
        format!("/api/t/{tenant}/webhooks/{name}")
    } else {
        format!("/api/t/{tenant}/webhooks/{name}/{action}")
    }
}
