use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{both_backends, json_of, problem_of, spawn_app, Backend};

/// `{file:.*}` in the router is `{file}` in OpenAPI.
fn openapi_path(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push(c);
            }
            ':' if in_param => skipping = true,
            '}' => {
                in_param = false;
                skipping = false;
                out.push(c);
            }
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

both_backends! {
    async fn health_and_readiness(app) {
        assert_eq!(json_of(app.client.get(app.url("/healthz")).send().await.unwrap(), 200).await["status"], "ok");
        assert_eq!(json_of(app.client.get(app.url("/readyz")).send().await.unwrap(), 200).await["status"], "ready");
    }

    async fn openapi_lists_exactly_the_routes_the_app_serves(app) {
        let doc = json_of(app.client.get(app.url("/openapi.json")).send().await.unwrap(), 200).await;
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert!(doc.get("servers").is_none(), "no base path in servers");
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in ["get", "put", "post", "delete", "patch"] {
                if let Some(operation) = item.get(method) {
                    documented.insert((method.to_uppercase(), path.clone()));
                    let responses = operation["responses"].as_object().unwrap();
                    if path.starts_with("/api/v1/") {
                        for status in ["400", "401", "403", "500", "503"] {
                            assert!(responses.contains_key(status), "{method} {path} lacks {status}");
                        }
                        assert!(operation["security"].is_array());
                    }
                    if operation.get("requestBody").is_some() {
                        for status in ["413", "415", "422"] {
                            assert!(responses.contains_key(status), "{method} {path} lacks {status}");
                        }
                    }
                }
            }
        }
        let served: BTreeSet<(String, String)> =
            mipstock::api::routes().iter().map(|r| (r.method.to_string(), openapi_path(r.path))).collect();
        assert_eq!(served, documented);
        // Every served route answers something other than "no such route".
        for (method, path) in &served {
            let concrete = path.replace("{id}", "1").replace("{file}", "index.html");
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let response = app.client.request(method.clone(), app.url(&concrete)).bearer_auth(&app.admin_token).send().await.unwrap();
            let status = response.status().as_u16();
            if status == 404 {
                let body: Value = response.json().await.unwrap();
                assert!(!body["detail"].as_str().unwrap().starts_with("no route"), "{method} {concrete} is not routed");
            }
            assert_ne!(status, 405, "{method} {concrete}");
        }
        // Schemas referenced by the document exist.
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in ["Problem", "ItemDto", "CreateItemRequest", "LocationDto", "TokenDto"] {
            assert!(schemas.contains_key(name), "schema {name} missing");
        }
    }

    async fn docs_page_is_served_offline(app) {
        let r = app.client.get(app.url("/docs")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 308);
        assert_eq!(r.headers()["location"], "/docs/");
        let r = app.client.get(app.url("/docs/")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let page = r.text().await.unwrap();
        assert!(page.contains("swagger-ui"));
        assert!(!page.contains("https://"), "no asset from the internet");
        let init = app.client.get(app.url("/docs/swagger-initializer.js")).send().await.unwrap().text().await.unwrap();
        assert!(init.contains("/openapi.json"));
        problem_of(app.client.get(app.url("/docs/nothing.js")).send().await.unwrap(), 404, "not-found").await;
    }

    async fn metrics_count_requests_by_route_and_status(app) {
        app.client.get(app.url("/healthz")).send().await.unwrap();
        app.get("/api/v1/items/1").await;
        app.get("/api/v1/items/424242").await;
        let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(text.contains(r#"mipstock_http_requests_total{method="GET",route="/healthz",status="200"} 1"#), "{text}");
        assert!(text.contains(r#"route="/api/v1/items/{id}",status="200"} 1"#), "{text}");
        assert!(text.contains(r#"route="/api/v1/items/{id}",status="404"} 1"#), "{text}");
        assert!(text.contains("mipstock_http_request_duration_seconds_bucket"));
    }

    async fn request_ids_are_echoed(app) {
        let r = app.client.get(app.url("/healthz")).header("x-request-id", "his-42.a").send().await.unwrap();
        assert_eq!(r.headers()["x-request-id"], "his-42.a");
        let r = app.client.get(app.url("/healthz")).header("x-request-id", "bad id with spaces").send().await.unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 16);
        let r = app.client.get(app.url("/nowhere")).send().await.unwrap();
        assert!(r.headers().contains_key("x-request-id"));
    }
}

#[actix_web::test]
async fn readiness_fails_when_postgres_is_gone_and_the_api_answers_503() {
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    json_of(app.client.get(app.url("/readyz")).send().await.unwrap(), 200).await;
    app.db.drop_postgres_database();
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    problem_of(r, 503, "service-unavailable").await;
    let r = app.get("/api/v1/items").await;
    assert!(r.headers().contains_key("retry-after"));
    problem_of(r, 503, "service-unavailable").await;
}

/// Every text a client can send has a documented limit.
fn unbounded_strings(
    schema: &Value,
    schemas: &serde_json::Map<String, Value>,
    at: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        if let Some(target) = schemas.get(name) {
            unbounded_strings(target, schemas, at, out, depth + 1);
        }
        return;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for (i, part) in schema[key].as_array().into_iter().flatten().enumerate() {
            unbounded_strings(part, schemas, &format!("{at}/{key}[{i}]"), out, depth + 1);
        }
    }
    let is_string = schema["type"] == "string"
        || schema["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|v| v == "string"));
    let bounded = schema.get("maxLength").is_some() || schema.get("enum").is_some() || schema.get("format").is_some();
    if is_string && !bounded {
        out.push(at.to_owned());
    }
    if let Some(items) = schema.get("items") {
        unbounded_strings(items, schemas, &format!("{at}[]"), out, depth + 1);
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        unbounded_strings(property, schemas, &format!("{at}.{name}"), out, depth + 1);
    }
}

#[actix_web::test]
async fn every_text_input_has_a_documented_limit() {
    let doc: Value =
        serde_json::from_str(&serde_json::to_string(&mipstock::api::openapi::document()).unwrap()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap().clone();
    let mut unbounded = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let at = format!("{method} {path} parameter {}", parameter["name"]);
                unbounded_strings(&parameter["schema"], &schemas, &at, &mut unbounded, 0);
            }
            if let Some(body) = operation["requestBody"]["content"]["application/json"]["schema"].as_object() {
                unbounded_strings(
                    &Value::Object(body.clone()),
                    &schemas,
                    &format!("{method} {path} body"),
                    &mut unbounded,
                    0,
                );
            }
        }
    }
    assert!(unbounded.is_empty(), "text inputs without maxLength: {unbounded:#?}");
}
