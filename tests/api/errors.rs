use reqwest::Method;
use serde_json::json;

use crate::helpers::{both_backends, json_of, problem_of};

both_backends! {
    async fn client_mistakes_get_problem_documents(app) {
        let token = app.admin_token.clone();
        let post_raw = |body: &'static str, content_type: &'static str| {
            app.client.post(app.url("/api/v1/items")).bearer_auth(&token).header("content-type", content_type).body(body).send()
        };
        // Malformed JSON → 400.
        problem_of(post_raw("{\"code\": ", "application/json").await.unwrap(), 400, "malformed-request").await;
        problem_of(post_raw(r#"{"code":"X","name":"X","category":"other","unit":"box"} {}"#, "application/json").await.unwrap(), 400, "malformed-request").await;
        // Wrong content type → 415.
        problem_of(post_raw("code=X", "application/x-www-form-urlencoded").await.unwrap(), 415, "unsupported-media-type").await;
        let r = app.client.post(app.url("/api/v1/items")).bearer_auth(&token).body("{}").send().await.unwrap();
        problem_of(r, 415, "unsupported-media-type").await;
        // Oversized body → 413 (the test app accepts 64 KiB).
        let huge = json!({"code": "BIG", "name": "x".repeat(70_000), "category": "other", "unit": "box"});
        problem_of(app.post("/api/v1/items", &huge).await, 413, "payload-too-large").await;
        // Unknown route → 404, inside and outside the API.
        problem_of(app.get("/api/v1/nothing-here").await, 404, "not-found").await;
        problem_of(app.get("/nothing-here").await, 404, "not-found").await;
        // Wrong method → 405 with Allow.
        let r = app.send(Method::DELETE, "/api/v1/items", Some(&token), None).await;
        assert_eq!(r.headers()["allow"], "GET, POST");
        problem_of(r, 405, "method-not-allowed").await;
        let r = app.send(Method::POST, "/healthz", None, None).await;
        problem_of(r, 405, "method-not-allowed").await;
        // Bad query parameters → 400; bad path ids → 404.
        problem_of(app.get("/api/v1/items?limit=0").await, 400, "malformed-request").await;
        problem_of(app.get("/api/v1/items?limit=501").await, 400, "malformed-request").await;
        problem_of(app.get("/api/v1/items?limit=ten").await, 400, "malformed-request").await;
        problem_of(app.get("/api/v1/items?active=maybe").await, 400, "malformed-request").await;
        problem_of(app.get("/api/v1/items?category=syringe").await, 400, "malformed-request").await;
        problem_of(app.get("/api/v1/items?cursor=garbage").await, 400, "malformed-request").await;
        problem_of(app.get("/api/v1/items/abc").await, 404, "not-found").await;
        problem_of(app.get("/api/v1/items/99999999999999999999999").await, 404, "not-found").await;
        // Wrong JSON types name the field.
        let body = json!({"code": 12, "name": "x", "category": "other", "unit": "box"});
        let problem = problem_of(app.post("/api/v1/items", &body).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "code");
        let problem = problem_of(app.post("/api/v1/items", &json!([1, 2])).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "body");

        // Nothing above wrote anything, and the service still answers.
        let items = json_of(app.get("/api/v1/items").await, 200).await;
        assert_eq!(items["data"].as_array().unwrap().len(), 6);
    }
}
