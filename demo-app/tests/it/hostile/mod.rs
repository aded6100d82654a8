//! Hostile input to every route of the app: forged `state`, codes and callbacks carried
//! into another session or replayed, redirect-style parameters and absolute URLs, header
//! injection (CR/LF in query values and cookies), huge headers, many cookies, forged and
//! tampered session cookies and cookies signed with another key, bytes that are not
//! UTF-8 in the path and the query, oversized query strings and bodies, wrong methods.
//!
//! Requests are written byte for byte on a TcpStream (an HTTP client refuses most of
//! them) and every answer is held to the same rules:
//! - never a 500, and no handler panic (`demo_app_handler_panics_total` stays 0);
//! - the app stays up: `/health` answers 200 after every single request;
//! - no `Location` leaves the app's own origin or the configured Keycloak and OpenShift,
//!   and the redirect URIs those carry lead back to the app;
//! - no header or body holds a token or secret the fakes issued or the app was given
//!   (access, ID, refresh and exchanged tokens, the OpenShift token beyond the 40
//!   characters the page shows by design, PKCE verifiers, client secrets, the session
//!   key), no injected header, no markup from the request.
//!
//! The positive controls (`controls.rs`) show that each detector detects.

mod controls;
mod cross_session;
mod detectors;
mod probe;
mod requests;
mod wire;
