//! A tenant's members and invitations, and an invitation link's own two calls.

use opsux_core::TenantSlug;
use opsux_core::wire::{
    AcceptInvitation, CreatedInvitation, InvitationList, InvitationView, MeResponse, MemberList,
    NewInvitation, RoleChange,
};
use opsux_core::{Role, UserId};

use super::{Api, ApiError, checked, expect_ok, read, unauthenticated_ends_session};

impl Api {
    pub async fn members(&self, tenant: &TenantSlug) -> Result<MemberList, ApiError> {
        self.get(&format!("/api/t/{tenant}/members")).await
    }

    /// Gives a member another role; the members after the change.
    pub async fn change_role(
        &self,
        tenant: &TenantSlug,
        user: UserId,
        role: Role,
    ) -> Result<MemberList, ApiError> {
        let path = format!("/api/t/{tenant}/members/{user}");
        let request = self.call("PUT", &path).json(&RoleChange { role });
        checked(request.send().await?).await
    }

    pub async fn remove_member(&self, tenant: &TenantSlug, user: UserId) -> Result<(), ApiError> {
        let path = format!("/api/t/{tenant}/members/{user}");
        let response = self.call("DELETE", &path).send().await?;
        expect_ok(unauthenticated_ends_session(response)).await
    }

    pub async fn invitations(&self, tenant: &TenantSlug) -> Result<InvitationList, ApiError> {
        self.get(&format!("/api/t/{tenant}/invitations")).await
    }

    pub async fn invite(
        &self,
        tenant: &TenantSlug,
        email: String,
        role: Role,
    ) -> Result<CreatedInvitation, ApiError> {
        let body = NewInvitation { email, role };
        self.post_json(&format!("/api/t/{tenant}/invitations"), &body)
            .await
    }

    pub async fn revoke_invitation(&self, tenant: &TenantSlug, id: &str) -> Result<(), ApiError> {
        let id = js_sys::encode_uri_component(id);
        let path = format!("/api/t/{tenant}/invitations/{id}");
        let response = self.call("DELETE", &path).send().await?;
        expect_ok(unauthenticated_ends_session(response)).await
    }

    /// What an invitation link is for; answered without a session.
    pub async fn invitation(&self, token: &str) -> Result<InvitationView, ApiError> {
        let token = js_sys::encode_uri_component(token);
        let path = format!("/api/invitations/{token}");
        read(self.call("GET", &path).send().await?).await
    }

    /// Accepts it: makes the account (with `body`'s name and password) or joins as the person
    /// signed in; signed in either way.
    pub async fn accept_invitation(
        &self,
        token: &str,
        body: &AcceptInvitation,
    ) -> Result<MeResponse, ApiError> {
        let token = js_sys::encode_uri_component(token);
        let path = format!("/api/invitations/{token}/accept");
        read(self.call("POST", &path).json(body).send().await?).await
    }
}
