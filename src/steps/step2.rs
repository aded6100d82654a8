//! step2: the realm, its two clients and the users, through Keycloak's admin REST API;
//! and bridgectl's read-only client in the master realm, for `status`.

use anyhow::Result;
use serde_json::Value;

use crate::context::Context;
use crate::keycloak::admin::AdminClient;
use crate::keycloak::desired::Desired;
use crate::keycloak::realm::{self, Realm};
use crate::keycloak::realm_keys::PendingKeys;
use crate::keycloak::{clients, desired, reader, users, version};
use crate::reconcile::{Kind, Outcome, Report};
use crate::state::names;

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    // A realm this state directory never filled is most likely created now: its keys are
    // generated while the sign-in waits on a just-started Keycloak.
    let keys = match !ctx.gate.plans() && !users::ever_set_in(&ctx.state, &config.keycloak.realm) {
        true => PendingKeys::ahead(),
        false => PendingKeys::on_demand(),
    };
    // The OAuth server's URL (the ocp client's redirect URI) and the sign-in, side by side.
    let (oauth_url, admin) = tokio::join!(ctx.oauth_url(), ctx.keycloak_admin());
    let desired = desired::build(config, &ctx.state, &oauth_url?)?;
    let admin = admin?;
    let check_version = async {
        let info = admin.server_info().await?;
        let reported = info["systemInfo"]["version"].as_str().unwrap_or_default();
        version::check(reported, &config.keycloak.features)
    };
    let (warning, report) = if ctx.gate.plans() {
        // A plan writes nothing: the version is read beside everything else.
        let plan = async {
            // The users are read beside the realm (and kept for the rest of the run).
            let (live, users) =
                tokio::join!(realm::read(admin, &desired.realm), ctx.keycloak_users());
            users?;
            reconcile(ctx, admin, &desired, &keys, live?).await
        };
        let (warning, report) = tokio::join!(check_version, plan);
        (warning?, report?)
    } else {
        // An unsupported Keycloak is refused before anything is written to it; the realm
        // is read meanwhile.
        let (warning, live) = tokio::join!(check_version, realm::read(admin, &desired.realm));
        let warning = warning?;
        (
            warning,
            reconcile(ctx, admin, &desired, &keys, live?).await?,
        )
    };
    if let Some(warning) = warning {
        ctx.ui.warn(warning);
    }
    ctx.ui.detail(format!(
        "Keycloak admin API: {} write requests",
        admin.writes()
    ));
    Ok(report)
}

/// The realm (with, beside it, the read-only client in master), then what is inside the
/// realm and the read-only client's roles on it.
async fn reconcile(
    ctx: &Context,
    admin: &AdminClient,
    desired: &Desired,
    keys: &PendingKeys,
    live_realm: Option<Value>,
) -> Result<Report> {
    let config = &ctx.config;
    let mut report = ctx.report();
    let realm_name = &config.keycloak.realm;
    let reader_secret = ctx.state.secret(&names::client_secret(reader::CLIENT_ID))?;
    // Signed in as the read-only client (status, a dry run): that it works shows the client
    // there with our secret, and its roles are seen once everything read.
    let as_reader = admin.signs_in_as(reader::CLIENT_ID);
    let reader_client = async {
        match as_reader {
            true => Ok(None),
            false => reader::reconcile_client(admin, &reader_secret, ctx.gate)
                .await
                .map(Some),
        }
    };
    let realm = realm::reconcile(
        admin,
        &desired.realm,
        live_realm,
        realm::Contents {
            clients: &desired.clients,
            keys,
        },
        &mut report,
    );
    let (realm, reader_client) = tokio::join!(realm, reader_client);
    let (realm, reader_client) = (realm?, reader_client?);
    let mut reader_report = ctx.report();
    if realm == Realm::WouldBeCreated {
        plan_realm_contents(desired, &mut report)?;
        match reader_client {
            Some(client) => {
                reader::reconcile_roles(admin, realm_name, client, &mut reader_report).await?
            }
            None => {
                reader::reconcile(admin, realm_name, &reader_secret, &mut reader_report).await?
            }
        }
        report.append(reader_report);
        return Ok(report);
    }
    // Clients, users and the read-only client's roles are independent: read (and write)
    // them side by side. A realm created now came with its clients.
    let mut user_report = ctx.report();
    let existing_clients = match realm {
        Realm::Existed => &desired.clients[..],
        _ => &[],
    };
    let clients = futures_util::future::join_all(existing_clients.iter().map(|client| async {
        let mut mine = ctx.report();
        clients::reconcile(admin, realm_name, client, &mut mine)
            .await
            .map(|()| mine)
    }));
    let users = async {
        // A realm created by this run has no users to read yet.
        let live = match realm {
            Realm::CreatedWithClients => Default::default(),
            _ => ctx.keycloak_users().await?.unwrap_or_default(),
        };
        users::reconcile(
            admin,
            realm_name,
            &desired.users,
            &live,
            &ctx.state,
            config.keycloak.admin_concurrency,
            &mut user_report,
        )
        .await
    };
    let reader_roles = async {
        if let Some(client) = reader_client {
            reader::reconcile_roles(admin, realm_name, client, &mut reader_report).await?;
        }
        anyhow::Ok(())
    };
    let (clients, users, reader_roles) = tokio::join!(clients, users, reader_roles);
    for client in clients {
        report.append(client?);
    }
    users?;
    reader_roles?;
    if admin.signs_in_as(reader::CLIENT_ID) {
        reader_report.found(Kind::Client, reader::CLIENT_ID, Outcome::Unchanged, vec![]);
    } else if reader_report.changes.is_empty() {
        // It read as the reader at first, then needed the admin for something.
        reader::reconcile(admin, realm_name, &reader_secret, &mut reader_report).await?;
    }
    report.append(user_report);
    report.append(reader_report);
    Ok(report)
}

/// The plan when Keycloak is not running yet (a dry run before step1 ever ran): the realm
/// and everything in it would be created.
pub async fn plan_on_new_keycloak(ctx: &Context) -> Result<Report> {
    let mut report = ctx.report();
    let desired = desired::build(&ctx.config, &ctx.state, &ctx.oauth_url().await?)?;
    report.planned_inside_new_parent(Kind::Realm, &ctx.config.keycloak.realm)?;
    plan_realm_contents(&desired, &mut report)?;
    report.planned_inside_new_parent(Kind::Client, reader::CLIENT_ID)?;
    Ok(report)
}

/// Nothing inside a realm that does not exist yet can be read: all of it is new.
fn plan_realm_contents(desired: &desired::Desired, report: &mut Report) -> Result<()> {
    for client in &desired.clients {
        let id = client["clientId"].as_str().unwrap_or_default();
        report.planned_inside_new_parent(Kind::Client, id)?;
    }
    for user in &desired.users {
        report.planned_inside_new_parent(Kind::User, &user.username)?;
    }
    Ok(())
}
