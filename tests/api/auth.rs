use reqwest::Method;
use serde_json::json;

use crate::helpers::{both_backends, json_of, problem_of, test_settings};

both_backends! {
    async fn bootstrap_token_is_issued_once_and_is_admin(app) {
        let tokens = json_of(app.get("/api/v1/tokens").await, 200).await;
        let data = tokens["data"].as_array().unwrap();
        assert_eq!(data.len(), 1);
        assert_eq!(data[0]["name"], "bootstrap");
        assert_eq!(data[0]["role"], "admin");
        assert!(data[0].get("token").is_none(), "secrets are never listed");

        // A second start on the same database issues nothing.
        let mut again = mipstock::startup::Application::build(test_settings(&app.db)).await.unwrap();
        assert!(again.take_bootstrap_token().is_none());
    }

    async fn roles_are_enforced(app) {
        let (_, viewer) = app.token("ward screen", "viewer").await;
        let (_, pharmacist) = app.token("pharmacist on duty", "pharmacist").await;
        let location = json!({"code": "STORE", "name": "Store"});

        // Viewer: reads, never writes.
        let r = app.send(Method::GET, "/api/v1/items", Some(&viewer), None).await;
        json_of(r, 200).await;
        let r = app.send(Method::POST, "/api/v1/locations", Some(&viewer), Some(&location)).await;
        problem_of(r, 403, "forbidden").await;
        let r = app.send(Method::PATCH, "/api/v1/items/1", Some(&viewer), Some(&json!({"name": "x"}))).await;
        problem_of(r, 403, "forbidden").await;
        let r = app.send(Method::GET, "/api/v1/tokens", Some(&viewer), None).await;
        problem_of(r, 403, "forbidden").await;

        // Pharmacist: everything but tokens.
        let r = app.send(Method::POST, "/api/v1/locations", Some(&pharmacist), Some(&location)).await;
        json_of(r, 201).await;
        let r = app.send(Method::GET, "/api/v1/tokens", Some(&pharmacist), None).await;
        problem_of(r, 403, "forbidden").await;
        let r = app.send(Method::POST, "/api/v1/tokens", Some(&pharmacist), Some(&json!({"name": "x", "role": "admin"}))).await;
        problem_of(r, 403, "forbidden").await;

        // The location was written once, by the pharmacist only.
        let list = json_of(app.get("/api/v1/locations").await, 200).await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
    }

    async fn missing_unknown_and_revoked_tokens_get_401(app) {
        let r = app.send(Method::GET, "/api/v1/items", None, None).await;
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        problem_of(r, 401, "unauthorized").await;
        let r = app.send(Method::GET, "/api/v1/items", Some("mst_not-a-real-token"), None).await;
        let unknown = problem_of(r, 401, "unauthorized").await;
        let r = app.client.get(app.url("/api/v1/items")).header("authorization", "Basic YTpi").send().await.unwrap();
        problem_of(r, 401, "unauthorized").await;

        let (id, viewer) = app.token("temporary", "viewer").await;
        json_of(app.send(Method::GET, "/api/v1/items", Some(&viewer), None).await, 200).await;
        let revoked = json_of(app.send(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(&app.admin_token), None).await, 200).await;
        assert!(revoked["revoked_at"].is_string());
        let r = app.send(Method::GET, "/api/v1/items", Some(&viewer), None).await;
        let after = problem_of(r, 401, "unauthorized").await;
        // A revoked token is indistinguishable from one that never existed.
        assert_eq!(after, unknown);

        let r = app.send(Method::DELETE, "/api/v1/tokens/999999", Some(&app.admin_token), None).await;
        problem_of(r, 404, "not-found").await;
    }

    async fn token_creation_is_validated(app) {
        let r = app.post("/api/v1/tokens", &json!({"name": "x", "role": "superuser"})).await;
        let body = problem_of(r, 422, "validation-failed").await;
        assert_eq!(body["errors"][0]["field"], "role");
        let r = app.post("/api/v1/tokens", &json!({"name": "  ", "role": "viewer"})).await;
        let body = problem_of(r, 422, "validation-failed").await;
        assert_eq!(body["errors"][0]["field"], "name");
        let tokens = json_of(app.get("/api/v1/tokens").await, 200).await;
        assert_eq!(tokens["data"].as_array().unwrap().len(), 1);
    }
}
