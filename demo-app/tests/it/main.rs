//! The crate's integration tests, as one test binary: the routes end to end
//! (`handlers`) and hostile input to every route (`hostile`), both against the
//! in-process fakes of `support`.

mod handlers;
mod hostile;
mod support;
