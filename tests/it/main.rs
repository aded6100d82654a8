//! bridgectl's integration tests, in one test binary: a module per area, and `support`,
//! the test bed they share (a private state directory and configuration per test, the real
//! bridgectl binary, Podman, the OpenShift simulator, a headless browser).
//!
//! One binary is one process: its tests run side by side on threads. So no test changes
//! the process's environment or working directory (a child process gets its own
//! environment instead), and whatever a test creates has a name or port of its own.

mod support;

mod browser_smoke;
mod cli_output;
mod conformance;
mod demo_app;
mod faults;
mod interruptions;
mod keycloak_data;
mod keycloak_modes;
mod keycloak_versions;
mod kubeconfigs;
mod kubectl;
mod openshift_flow;
mod openshift_steps;
mod operator_loop;
mod proxies;
mod real_kube;
mod rollout;
mod secret_leaks;
mod step1_errors;
mod step1_keycloak;
mod step2_keycloak;
mod step2_standard_exchange;
mod terminating;
