//! Tests of the shared harness itself: what its console promises other suites (restart on the same data, replicas
//! on the tests' backend, the admin, log capture) and how it fails when misused.

#![forbid(unsafe_code)]

mod console;
