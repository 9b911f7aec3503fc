// A tenant's provider connection: stored with its client secret sealed, opened only with the
// server's key (SPEC §5: credentials encrypted at rest, never in an answer or a log).
use opsux_server::secrets::{SealedField, SecretsKey};
use opsux_server::store::connections::Connection;

use crate::support::TestApp;

#[tokio::test]
async fn a_connection_is_stored_with_its_secret_sealed() {
    let app = TestApp::new().await;
    let contoso = app.tenant("contoso").await;
    let key = SecretsKey::from_bytes(&[3; 32]);
    let connection = Connection {
        directory_id: "11111111-1111-4111-8111-111111111111".to_owned(),
        client_id: "opsux-app".to_owned(),
        secret_sealed: key.seal("very-secret-value", SealedField::client_secret(contoso.id)),
        login_url: "https://login.example".to_owned(),
        graph_url: "https://graph.example/v1.0".to_owned(),
    };
    assert_eq!(app.store().connection(contoso.id).await.unwrap(), None);
    let fabrikam = app.tenant("fabrikam").await;
    assert_eq!(app.store().connection(fabrikam.id).await.unwrap(), None);
    app.store()
        .set_connection(contoso.id, &connection, 1_000)
        .await
        .unwrap();
    let stored = app.store().connection(contoso.id).await.unwrap().unwrap();
    assert_eq!(stored, connection);
    assert!(!stored.secret_sealed.contains("very-secret"));
    assert_eq!(
        key.open(
            &stored.secret_sealed,
            SealedField::client_secret(contoso.id)
        )
        .as_deref(),
        Ok("very-secret-value")
    );
    // Copied into another tenant's row, the sealed secret does not open there.
    app.store()
        .set_connection(fabrikam.id, &connection, 1_500)
        .await
        .unwrap();
    let copied = app.store().connection(fabrikam.id).await.unwrap().unwrap();
    assert!(
        key.open(
            &copied.secret_sealed,
            SealedField::client_secret(fabrikam.id)
        )
        .is_err()
    );

    let replaced = Connection {
        client_id: "opsux-app-2".to_owned(),
        ..connection
    };
    app.store()
        .set_connection(contoso.id, &replaced, 2_000)
        .await
        .unwrap();
    let stored = app.store().connection(contoso.id).await.unwrap().unwrap();
    assert_eq!(stored.client_id, "opsux-app-2");
    let theirs = app.store().connection(fabrikam.id).await.unwrap().unwrap();
    assert_eq!(
        theirs.client_id, "opsux-app",
        "each tenant's row is its own"
    );
}
