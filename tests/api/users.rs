//! People who sign in to the web app (API.md "People and the web app"): `/api/v1/users`.

use serde_json::json;

use crate::helpers::{both_backends, json_of, problem_of};

both_backends! {
    async fn an_admin_manages_users_and_no_password_ever_comes_back(app) {
        let body = json!({"username": "Marie.Dupont", "display_name": "Marie Dupont", "role": "pharmacist", "password": "pharmacie centrale 2026"});
        let created = json_of(app.post("/api/v1/users", &body).await, 201).await;
        assert_eq!((created["username"].as_str(), created["role"].as_str(), created["active"].as_bool()), (Some("marie.dupont"), Some("pharmacist"), Some(true)));
        assert!(created.get("password").is_none() && created.get("password_hash").is_none());
        problem_of(app.post("/api/v1/users", &body).await, 409, "duplicate").await;
        let short = json!({"username": "paul", "role": "viewer", "password": "short"});
        let problem = problem_of(app.post("/api/v1/users", &short).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0], json!({"field": "password", "code": "must-be-at-least-x-characters", "message": "must be at least 12 characters (spaces at either end do not count)"}));

        let id = created["id"].as_i64().unwrap();
        let changed = json_of(app.patch(&format!("/api/v1/users/{id}"), &json!({"role": "viewer", "active": false})).await, 200).await;
        assert_eq!((changed["role"].as_str(), changed["active"].as_bool()), (Some("viewer"), Some(false)));
        let listed = json_of(app.get("/api/v1/users").await, 200).await;
        assert_eq!(listed["data"].as_array().unwrap().len(), 1);
        assert!(!listed.to_string().contains("argon2"), "{listed}");
        problem_of(app.get("/api/v1/users/999999").await, 404, "not-found").await;
        let audit = json_of(app.get("/api/v1/audit?target_type=user").await, 200).await;
        assert_eq!(audit["data"].as_array().unwrap().len(), 2, "{audit}");

        // Only an admin manages users.
        let (_, pharmacist) = app.token("counter", "pharmacist").await;
        let refused = app.send(reqwest::Method::GET, "/api/v1/users", Some(&pharmacist), None).await;
        problem_of(refused, 403, "forbidden").await;
    }
}
