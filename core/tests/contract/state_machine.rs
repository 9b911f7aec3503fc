// R1, R8, R9: the state machine is exhaustive and agrees with the guarded SQL's source lists.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::{RunEvent, RunOutcome, RunState, RunStatus, transition};

fn all_states() -> Vec<RunState> {
    let mut states = vec![RunState::Queued, RunState::Running];
    states.extend(RunOutcome::ALL.map(RunState::Completed));
    states
}

fn all_events() -> Vec<RunEvent> {
    let mut events = vec![
        RunEvent::Claim,
        RunEvent::Cancel,
        RunEvent::Refuse,
        RunEvent::Requeue,
        RunEvent::GiveUp,
    ];
    events.extend(RunOutcome::ALL.map(RunEvent::Finish));
    events
}

#[test]
fn every_allowed_transition_and_its_target() {
    use RunEvent as E;
    use RunOutcome as O;
    use RunState as S;
    let allowed = [
        (S::Queued, E::Claim, S::Running),
        (S::Queued, E::Cancel, S::Completed(O::Cancelled)),
        (S::Queued, E::Refuse, S::Completed(O::Failed)),
        (
            S::Running,
            E::Finish(O::Succeeded),
            S::Completed(O::Succeeded),
        ),
        (
            S::Running,
            E::Finish(O::PartiallySucceeded),
            S::Completed(O::PartiallySucceeded),
        ),
        (S::Running, E::Finish(O::Failed), S::Completed(O::Failed)),
        (
            S::Running,
            E::Finish(O::Cancelled),
            S::Completed(O::Cancelled),
        ),
        (S::Running, E::Cancel, S::Running),
        (S::Running, E::Requeue, S::Queued),
        (S::Running, E::GiveUp, S::Completed(O::Failed)),
    ];
    for from in all_states() {
        for event in all_events() {
            let expected = allowed
                .iter()
                .find(|(f, e, _)| *f == from && *e == event)
                .map(|(_, _, to)| *to);
            match (transition(from, event), expected) {
                (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} --{event:?}-->"),
                (Err(err), None) => {
                    assert_eq!((err.from, err.event), (from, event));
                }
                (got, want) => panic!("{from:?} --{event:?}--> got {got:?}, want {want:?}"),
            }
        }
    }
}

#[test]
fn nothing_leaves_completed() {
    for outcome in RunOutcome::ALL {
        for event in all_events() {
            assert!(transition(RunState::Completed(outcome), event).is_err());
        }
    }
}

#[test]
fn source_statuses_match_the_transition_table() {
    for event in all_events() {
        for from in all_states() {
            let listed = event.source_statuses().contains(&from.status());
            assert_eq!(
                listed,
                transition(from, event).is_ok(),
                "{event:?} from {from:?}: source_statuses and transition disagree"
            );
        }
    }
}

#[test]
fn outcome_is_set_exactly_when_completed() {
    for state in all_states() {
        assert_eq!(
            state.outcome().is_some(),
            state.status() == RunStatus::Completed
        );
        assert_eq!(
            RunState::from_parts(state.status(), state.outcome()),
            Ok(state)
        );
    }
    assert!(RunState::from_parts(RunStatus::Completed, None).is_err());
    assert!(RunState::from_parts(RunStatus::Queued, Some(RunOutcome::Failed)).is_err());
    assert!(RunState::from_parts(RunStatus::Running, Some(RunOutcome::Succeeded)).is_err());
}

#[test]
fn illegal_transition_message_says_what_and_from_where() {
    let err = transition(RunState::Completed(RunOutcome::Succeeded), RunEvent::Claim).unwrap_err();
    assert_eq!(err.to_string(), "cannot claim a run that is completed");
    let err = transition(RunState::Queued, RunEvent::Finish(RunOutcome::Failed)).unwrap_err();
    assert_eq!(err.to_string(), "cannot finish a run that is queued");
}
