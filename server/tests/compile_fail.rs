//! Each way around the run service fails to compile, with the error pinned in the `.stderr`
//! beside it: a private item, a moved handle, a private field (R1, R2).

#[test]
fn bypassing_the_run_service_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/compile_fail/*.rs");
}
