//! The five steps of the setup, each a reconcile that returns its report.

pub mod all;
pub mod step1;
pub mod step2;
pub mod step3;
mod step4;
mod step5;

use anyhow::Result;

use crate::context::Context;
use crate::reconcile::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    One,
    Two,
    Three,
    Four,
    Five,
}

impl Step {
    /// The subcommand's name.
    pub fn name(self) -> &'static str {
        match self {
            Step::One => "step1",
            Step::Two => "step2",
            Step::Three => "step3",
            Step::Four => "step4",
            Step::Five => "step5",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::One => "step1: TLS certificates and Keycloak container",
            Step::Two => "step2: Keycloak realm, clients and users",
            Step::Three => "step3: OpenShift OAuth identity provider and OAuthClient",
            Step::Four => "step4: demo app container",
            Step::Five => "step5: OpenShift projects and role bindings",
        }
    }
}

pub async fn run(ctx: &Context, step: Step) -> Result<Report> {
    match step {
        Step::One => step1::run(ctx).await,
        Step::Two => step2::run(ctx).await,
        Step::Three => step3::run(ctx).await,
        Step::Four => step4::run(ctx).await,
        Step::Five => step5::run(ctx).await,
    }
}
