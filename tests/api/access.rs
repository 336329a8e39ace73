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

fn page_path(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{code}", "fr")
        .replace("{section}", "thresholds")
        .replace("{action}", "count")
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

    async fn every_page_enforces_its_session_role_and_anti_forgery_token(app) {
        use crate::web::{client, hidden_token, post_form, session, PASSWORD};
        use mipstock::web::access::Access;
        use reqwest::header::{COOKIE, LOCATION};
        // One user per role, signed in.
        for (name, role) in [("vera", "viewer"), ("marie", "pharmacist"), ("adele", "admin")] {
            let body = json!({"username": name, "display_name": name, "role": role, "password": PASSWORD});
            json_of(app.post("/api/v1/users", &body).await, 201).await;
        }
        let web = client();
        let mut sessions = Vec::new();
        for (name, role) in [("vera", Role::Viewer), ("marie", Role::Pharmacist), ("adele", Role::Admin)] {
            let cookie = session(&app, &web, name, PASSWORD).await;
            let home = web.get(app.url("/")).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
            sessions.push((role, cookie, hidden_token(&home)));
        }
        let pages = mipstock::web::pages();
        assert!(pages.len() >= 25, "{} pages", pages.len());
        let mut guarded = 0;
        for page in &pages {
            let path = page_path(page.path);
            let write = page.method == actix_web::http::Method::POST;
            let needed = match page.access {
                Access::Anyone => continue,
                Access::Read(role) | Access::Write(role) => role,
            };
            assert_eq!(write, matches!(page.access, Access::Write(_)), "{} {}: a POST page writes", page.method, page.path);
            guarded += 1;
            // Without a session: to the sign-in page.
            let anonymous = if write {
                post_form(&app, &web, "", &path, &[("csrf_token", "x")]).await
            } else {
                web.get(app.url(&path)).send().await.unwrap()
            };
            assert_eq!((anonymous.status().as_u16(), anonymous.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned())),
                (303, Some("/login".to_owned())), "anonymous on {} {}", page.method, page.path);
            for (role, cookie, csrf) in &sessions {
                if write {
                    // Without the session's token: refused whatever the role.
                    let forged = post_form(&app, &web, cookie, &path, &[("csrf_token", "forged")]).await;
                    assert_eq!(forged.status(), 403, "{role:?} forged on {} {}", page.method, page.path);
                }
                if page.path == "/logout" {
                    continue; // it would end the session the next pages use
                }
                let answer = if write {
                    post_form(&app, &web, cookie, &path, &[("csrf_token", csrf)]).await
                } else {
                    web.get(app.url(&path)).header(COOKIE, cookie).send().await.unwrap()
                };
                let status = answer.status().as_u16();
                if role.includes(needed) {
                    assert!(status != 403 && status < 500, "{role:?} on {} {}: {status}", page.method, page.path);
                } else {
                    assert_eq!(status, 403, "{role:?} on {} {}", page.method, page.path);
                }
            }
        }
        assert!(guarded >= 20, "{guarded} guarded pages");
    }
}
