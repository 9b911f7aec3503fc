// Only a claim makes a handle, so nothing can skip the claim and its lease (R1, R8).
use opsux_server::runs::{ClaimedRun, RunRecord, RunService};

fn forge(service: RunService, record: RunRecord) -> ClaimedRun {
    ClaimedRun::new(service, record, String::new(), Default::default())
}

fn main() {}
