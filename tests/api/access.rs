//! The access-control matrix, generated from the app's own route table: a new route cannot
//! escape it.

use reqwest::Method;
use serde_json::json;

use mipstock::api::Who;
use mipstock::domain::catalog::Named;
use mipstock::domain::role::Role;

use crate::helpers::{both_backends, json_of};

fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{code}", "refill")
}

both_backends! {
    async fn every_route_enforces_tokens_and_roles(app) {
        let (viewer_id, viewer) = app.token("viewer", "viewer").await;
        let (_, pharmacist) = app.token("pharmacist", "pharmacist").await;
        let (revoked_id, revoked) = app.token("revoked", "admin").await;
        json_of(app.send(Method::DELETE, &format!("/api/v1/tokens/{revoked_id}"), Some(&app.admin_token), None).await, 200).await;
        // Every route under /api/v1 declares the least role it needs, in the route table.
        let routes: Vec<(Method, String, Role)> = mipstock::api::routes()
            .iter()
            .filter(|r| r.path.starts_with("/api/v1/"))
            .map(|r| {
                let Who::AtLeast(needed) = r.who else { panic!("{} {} needs no token", r.method, r.path) };
                (Method::from_bytes(r.method.as_str().as_bytes()).unwrap(), r.path.to_owned(), needed)
            })
            .collect();
        assert!(routes.len() >= 35, "{} routes", routes.len());
        let body = json!({});
        let mut checked = 0;
        for (method, template, needed) in &routes {
            let path = concrete(template);
            let with_body = (*method != Method::GET && *method != Method::DELETE).then_some(&body);
            let expect = |response: reqwest::Response, status: u16, who: &str| {
                assert_eq!(response.status().as_u16(), status, "{who} on {method} {template}");
                assert_eq!(response.headers()["content-type"], "application/problem+json", "{who} on {method} {template}");
            };
            expect(app.send(method.clone(), &path, None, with_body).await, 401, "no token");
            expect(app.send(method.clone(), &path, Some(&revoked), with_body).await, 401, "a revoked token");
            expect(app.send(method.clone(), &path, Some("mst_unknown"), with_body).await, 401, "an unknown token");
            for (role, token) in [(Role::Viewer, &viewer), (Role::Pharmacist, &pharmacist)] {
                if !role.includes(*needed) {
                    expect(app.send(method.clone(), &path, Some(token), with_body).await, 403, role.as_str());
                }
            }
            checked += 1;
        }
        assert_eq!(checked, routes.len());
        // Refusals wrote nothing: the viewer is still the only token it was.
        let tokens = json_of(app.get("/api/v1/tokens").await, 200).await;
        assert_eq!(tokens["data"].as_array().unwrap().len(), 4);
        assert!(tokens["data"].as_array().unwrap().iter().any(|t| t["id"] == viewer_id && t["revoked_at"].is_null()));
    }
}
