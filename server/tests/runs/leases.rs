// One scheduler at a time (SPEC §5): a named lease has one holder until it expires.
use std::time::Duration;

use crate::support::TestApp;

const TTL: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_lease_has_one_holder_until_it_expires() {
    let app = TestApp::new().await;
    let store = app.store();
    let now = 1_000_000;
    assert!(store.try_lease("scheduler", "a", now, TTL).await.unwrap());
    assert!(
        !store
            .try_lease("scheduler", "b", now + 1, TTL)
            .await
            .unwrap()
    );
    // The holder renews it; the other still cannot take it.
    assert!(
        store
            .try_lease("scheduler", "a", now + 9_000, TTL)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_lease("scheduler", "b", now + 15_000, TTL)
            .await
            .unwrap()
    );
    // Unrenewed, it expires and passes to the other.
    assert!(
        store
            .try_lease("scheduler", "b", now + 19_000, TTL)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_lease("scheduler", "a", now + 19_001, TTL)
            .await
            .unwrap()
    );
    // Names are independent.
    assert!(store.try_lease("other", "a", now, TTL).await.unwrap());
}

#[tokio::test]
async fn a_released_lease_is_free_at_once_and_only_its_holder_can_release_it() {
    let app = TestApp::new().await;
    let store = app.store();
    assert!(store.try_lease("scheduler", "a", 0, TTL).await.unwrap());
    assert!(!store.release_lease("scheduler", "b").await.unwrap());
    assert!(store.release_lease("scheduler", "a").await.unwrap());
    assert!(store.try_lease("scheduler", "b", 1, TTL).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_concurrent_takers_exactly_one_wins() {
    let app = TestApp::new().await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..20 {
        let store = app.store().clone();
        tasks.spawn(async move {
            store
                .try_lease("scheduler", &format!("holder-{n}"), 5_000, TTL)
                .await
                .unwrap()
        });
    }
    let won = tasks.join_all().await.into_iter().filter(|w| *w).count();
    assert_eq!(won, 1);
}

#[tokio::test]
async fn a_scheduler_slot_is_taken_once_and_can_be_given_back() {
    let app = TestApp::new().await;
    let store = app.store();
    assert!(store.take_slot("schedule:s1", 3_600_000).await.unwrap());
    assert!(
        !store.take_slot("schedule:s1", 3_600_000).await.unwrap(),
        "taken"
    );
    assert!(
        !store.take_slot("schedule:s1", 0).await.unwrap(),
        "an older slot"
    );
    store
        .give_back_slot("schedule:s1", 3_600_000)
        .await
        .unwrap();
    assert!(
        store.take_slot("schedule:s1", 3_600_000).await.unwrap(),
        "given back"
    );
    assert!(
        store.take_slot("schedule:s1", 7_200_000).await.unwrap(),
        "the next slot"
    );
}
