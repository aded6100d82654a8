//! Shared by every benchmark (`mod support;`): the release builds they measure and the
//! report sections they write for BENCHMARKS.md.
#![allow(dead_code)]

pub mod build;
pub mod report;
