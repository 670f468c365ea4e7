//! Fails when a committed generated file is stale, and says how to fix it.

#[test]
fn codegen_is_fresh() {
    let stale = xtask::stale_files();
    assert!(
        stale.is_empty(),
        "these generated files are stale: {}\nrun `cargo xtask codegen` and commit the result",
        stale.join(", ")
    );
}
