//! A licence that needs activation counts only on the server the vendor
//! activated it for: the round trip by text, a second server, an attacker's
//! own activation, deactivation and a stale response, and a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use axum::http::{Method, StatusCode};
use common::{Vendor, add_license, call, checkout, start};
use leasehold_core::license::activation::{Activation, ActivationRequest};
use leasehold_core::license::{LicenseTerms, VendorKeyPair};
use leasehold_core::{LicenseId, Timestamp};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};

fn needs_activation(vendor: &Vendor, seats: u32) -> (String, LicenseId) {
    let terms = LicenseTerms {
        activation_required: true,
        max_activations: 1,
        ..vendor.terms("cad", seats)
    };
    (vendor.issue(&terms), terms.license_id)
}

async fn request_of(server: &ServerHandle, id: LicenseId) -> ActivationRequest {
    let (status, body) = call(
        server,
        Method::GET,
        &format!("/admin/v1/licenses/{id}/activation-request"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ActivationRequest::parse(body["request"].as_str().unwrap()).unwrap()
}

async fn import(server: &ServerHandle, response: &str) -> (StatusCode, Value) {
    call(
        server,
        Method::POST,
        "/admin/v1/activations",
        Some(json!({ "response": response })),
        true,
    )
    .await
}

async fn seats(server: &ServerHandle) -> u64 {
    let (_, list) = call(server, Method::GET, "/admin/v1/licenses", None, true).await;
    list[0]["productSeats"].as_u64().unwrap()
}

#[tokio::test]
async fn a_code_counts_only_on_the_server_it_was_activated_for() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let vendor = Vendor::new();
    let (code, id) = needs_activation(&vendor, 10);
    let a = start(dir_a.path(), &vendor).await;
    let added = add_license(&a, &code).await;
    assert_eq!(added["state"], "needsActivation", "{added}");
    assert_eq!(added["activationRequired"], true);
    assert!(added.get("activatedAt").is_none(), "{added}");
    assert!(
        added["stateReason"]
            .as_str()
            .unwrap()
            .contains("activation request")
    );
    assert_eq!(seats(&a).await, 0);
    let (status, body) = checkout(&a, "cad", "pc-1").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "needs_activation", "{body}");

    // The vendor answers A's request; A counts the code.
    let request = request_of(&a, id).await;
    assert_eq!(request.code.terms().license_id, id);
    let response = Activation::issue(&vendor.key, &request, Timestamp::now()).to_text();
    let (status, view) = import(&a, &response).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["state"], "active");
    assert_eq!(
        view["activatedAt"].as_i64(),
        Some(Activation::parse(&response).unwrap().activated_at.0)
    );
    assert_eq!(seats(&a).await, 10);
    assert_eq!(checkout(&a, "cad", "pc-1").await.0, StatusCode::OK);

    // The same code and the same response on a second server: no seats there.
    let b = start(dir_b.path(), &vendor).await;
    add_license(&b, &code).await;
    let (status, body) = import(&b, &response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "activation_mismatch", "{body}");
    assert!(body["message"].as_str().unwrap().contains("another server"));
    assert_eq!(seats(&b).await, 0);
    assert_eq!(
        checkout(&b, "cad", "pc-2").await.1["code"],
        "needs_activation"
    );

    // An activation B's owner signs with a key of their own is refused.
    let own = VendorKeyPair::generate().unwrap();
    let forged = Activation::issue(&own, &request_of(&b, id).await, Timestamp::now());
    let (status, body) = import(&b, &forged.to_text()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "untrusted_vendor", "{body}");
    assert_eq!(seats(&b).await, 0);
    b.shutdown().await;

    // Activated survives a restart.
    a.shutdown().await;
    let a = start(dir_a.path(), &vendor).await;
    assert_eq!(seats(&a).await, 10);

    // Deactivated: no seats here, and the old response cannot bring it back.
    let (status, done) = call(
        &a,
        Method::POST,
        &format!("/admin/v1/licenses/{id}/deactivate"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["seatsNow"], 0);
    assert_eq!(done["inUse"], 1, "the lease out runs to its end");
    let proof =
        leasehold_core::license::activation::Deactivation::parse(done["proof"].as_str().unwrap())
            .unwrap();
    assert_eq!(proof.license_id, id);
    assert_eq!(seats(&a).await, 0);
    let (status, body) = import(&a, &response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "activation_mismatch");
    assert!(
        body["message"].as_str().unwrap().contains("older than"),
        "{body}"
    );
    a.shutdown().await;
    let a = start(dir_a.path(), &vendor).await;
    assert_eq!(seats(&a).await, 0, "the deactivation is stored");
    // The vendor's newer answer (its own time, not this server's clock,
    // decides) activates it again.
    let newer = Activation::issue(
        &vendor.key,
        &request_of(&a, id).await,
        Timestamp::now().plus_millis(2_000),
    );
    let (status, body) = import(&a, &newer.to_text()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(seats(&a).await, 10);
    a.shutdown().await;
}

#[tokio::test]
async fn only_the_codes_own_vendor_can_activate_it() {
    let dir = tempfile::tempdir().unwrap();
    let (vendor, other) = (Vendor::new(), Vendor::new());
    let mut config = leasehold_server::Config::ephemeral(dir.path());
    config.trust.push(vendor.key.public());
    config.trust.push(other.key.public());
    let server = leasehold_server::Server::start(config).await.unwrap();
    let (code, id) = needs_activation(&vendor, 4);
    add_license(&server, &code).await;
    // Both keys are trusted here, but the other vendor cannot activate
    // this vendor's code.
    let response = Activation::issue(&other.key, &request_of(&server, id).await, Timestamp::now());
    let (status, body) = import(&server, &response.to_text()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "activation_mismatch", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("own vendor"),
        "{body}"
    );
    assert_eq!(seats(&server).await, 0);
    server.shutdown().await;
}

#[tokio::test]
async fn bad_responses_and_requests_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    // A code that needs none has no request.
    let free = vendor.code("cad", 2);
    let view = add_license(&server, &free).await;
    let id = view["licenseId"].as_str().unwrap();
    let (status, body) = call(
        &server,
        Method::GET,
        &format!("/admin/v1/licenses/{id}/activation-request"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "activation_not_needed", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("needs no activation")
    );
    // A licence code pasted for a response, and a typo.
    let (status, body) = import(&server, &free).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "bad_activation", "{body}");
    let (code, lid) = needs_activation(&vendor, 3);
    add_license(&server, &code).await;
    let response = Activation::issue(
        &vendor.key,
        &request_of(&server, lid).await,
        Timestamp::now(),
    )
    .to_text();
    // One character of group 2 changed: its check symbol catches that.
    let mut typo = response.clone();
    let other = if &response[7..8] == "A" { "B" } else { "A" };
    typo.replace_range(7..8, other);
    let (_, body) = import(&server, &typo).await;
    assert_eq!(body["code"], "bad_activation");
    assert!(
        body["message"].as_str().unwrap().contains("group 2"),
        "{body}"
    );
    // For a licence not on this server: add it first.
    server.engine().remove_license(lid).await.unwrap();
    let (status, body) = import(&server, &response).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // Deactivating what is not activated, and its proof.
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/admin/v1/licenses/{id}/deactivate"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "not_activated_here", "{body}");
    let (status, body) = call(
        &server,
        Method::GET,
        &format!("/admin/v1/licenses/{id}/deactivation-proof"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "no_deactivation_proof", "{body}");
    // Activating online with no authority set or named.
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/admin/v1/licenses/{id}/activate-online"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "no_authority_set", "{body}");
    server.shutdown().await;
}

#[tokio::test]
async fn the_authority_address_is_checked_kept_and_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let put = |url: Value| {
        let server = &server;
        async move {
            call(
                server,
                Method::PUT,
                "/admin/v1/authority",
                Some(json!({ "url": url })),
                true,
            )
            .await
        }
    };
    for bad in [
        "activate.example.com",
        "ftp://x.example",
        "http://user:pw@x.example",
    ] {
        let (status, body) = put(json!(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["code"], "invalid_field", "{bad}: {body}");
    }
    let (status, body) = put(json!("https://activate.example.com")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("plain http only"),
        "{body}"
    );

    let (status, body) = put(json!("http://activate.example.com:7879")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["authorityUrl"], "http://activate.example.com:7879/");
    server.shutdown().await;

    let server = start(dir.path(), &vendor).await;
    let (_, status) = call(&server, Method::GET, "/admin/v1/status", None, true).await;
    assert_eq!(status["authorityUrl"], "http://activate.example.com:7879/");
    let (code, body) = call(
        &server,
        Method::PUT,
        "/admin/v1/authority",
        Some(json!({ "url": null })),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert!(body.get("authorityUrl").is_none(), "{body}");
    server.shutdown().await;
    let server = start(dir.path(), &vendor).await;
    let (_, status) = call(&server, Method::GET, "/admin/v1/status", None, true).await;
    assert!(status.get("authorityUrl").is_none(), "{status}");
    server.shutdown().await;
}
