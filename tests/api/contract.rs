//! The OpenAPI document says what the service does: what it states here is checked against
//! the running service (schemathesis then checks it at scale, with no forgiveness).

use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of};

async fn document(app: &crate::helpers::TestApp) -> Value {
    json_of(app.client.get(app.url("/openapi.json")).send().await.unwrap(), 200).await
}

both_backends! {
    async fn the_document_states_each_movement_kind_and_every_patch_changes_something(app) {
        let doc = document(&app).await;
        let schemas = &doc["components"]["schemas"];
        let movement = &schemas["MovementRequestSchema"];
        assert_eq!(movement["discriminator"]["propertyName"], "kind");
        let kinds: Vec<&str> = movement["oneOf"].as_array().unwrap().iter().map(|k| k["properties"]["kind"]["enum"][0].as_str().unwrap()).collect();
        assert_eq!(kinds, ["receipt", "dispense", "transfer", "return", "waste", "count"]);
        for kind in movement["oneOf"].as_array().unwrap() {
            assert_eq!(kind["additionalProperties"], false, "{kind}");
        }
        let count = &movement["oneOf"][5];
        assert_eq!(count["properties"]["lines"]["items"]["required"], json!(["item_id", "lot_id", "counted_quantity"]));
        for name in ["UpdateItemRequest", "UpdateLocationRequest", "UpdatePatientRequest"] {
            assert_eq!(schemas[name]["minProperties"], 1, "{name}");
        }
        assert_eq!(schemas["CreateItemRequest"]["properties"]["gtins"]["uniqueItems"], true);
        // Text limits come from the domain: the same numbers the service checks.
        let receipt = &movement["oneOf"][0]["properties"];
        // A receipt line is typed (item, quantity, lot number, expiry) or scanned.
        let receipt_line = &receipt["lines"]["items"]["allOf"];
        assert_eq!(receipt_line[0]["properties"]["lot_number"]["maxLength"], mipstock::domain::ledger::LOT_NUMBER_MAX);
        assert_eq!(receipt_line[0]["properties"]["scan"]["maxLength"], mipstock::domain::gs1::SCAN_MAX);
        assert_eq!(receipt_line[1]["anyOf"][0]["required"], json!(["item_id", "quantity", "lot_number", "expires_on"]));
        assert_eq!(receipt_line[1]["anyOf"][1]["required"], json!(["scan"]));
        assert_eq!(receipt["note"]["maxLength"], mipstock::domain::ledger::NOTE_MAX);
        assert_eq!(schemas["Name"]["maxLength"], mipstock::domain::catalog::NAME_MAX);
        for (path, item) in doc["paths"].as_object().unwrap() {
            if let Some(post) = item.get("post").filter(|_| path.starts_with("/api/v1/")) {
                let names: Vec<&str> = post["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
                assert!(names.contains(&"Idempotency-Key"), "POST {path}");
            }
        }
    }

    async fn integers_may_be_written_with_a_zero_fraction(app) {
        let store = app.location("STORE").await;
        let receipt = json!({"kind": "receipt", "location_id": store as f64, "lines": [
            {"item_id": 1.0, "lot_number": "F", "expires_on": days_from_today(100), "quantity": 16.0}]});
        let movement = json_of(app.post("/api/v1/movements", &receipt).await, 201).await;
        assert_eq!(movement["lines"][0]["delta"], 16);
        let fraction = json!({"kind": "receipt", "location_id": store, "lines": [
            {"item_id": 1, "lot_number": "F", "expires_on": days_from_today(100), "quantity": 1.5}]});
        let problem = problem_of(app.post("/api/v1/movements", &fraction).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "lines[0].quantity");
    }

    async fn a_patch_names_a_change_and_null_clears_only_what_may_be_cleared(app) {
        let store = app.location("STORE").await;
        let path = format!("/api/v1/locations/{store}");
        problem_of(app.patch(&path, &json!({})).await, 422, "validation-failed").await;
        let problem = problem_of(app.patch(&path, &json!({"name": null})).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "name");
        let patient = app.patient("MIP-1").await;
        let cleared = json_of(app.patch(&format!("/api/v1/patients/{patient}"), &json!({"notes": null})).await, 200).await;
        assert!(cleared["notes"].is_null());
    }

    async fn one_gtin_spelt_two_ways_is_kept_once_and_one_text_twice_is_refused(app) {
        let body = json!({"code": "TWO", "name": "Two spellings", "category": "other", "unit": "box",
            "gtins": ["4006381333931", "04006381333931"]});
        let item = json_of(app.post("/api/v1/items", &body).await, 201).await;
        assert_eq!(item["gtins"], json!(["04006381333931"]));
        let twice = json!({"code": "TWICE", "name": "Twice", "category": "other", "unit": "box",
            "gtins": ["4006381333931", "4006381333931"]});
        let problem = problem_of(app.post("/api/v1/items", &twice).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "gtins[1]");
    }

    async fn every_post_validates_its_idempotency_key(app) {
        let response = app.client.post(app.url("/api/v1/alerts/1/acknowledge")).bearer_auth(&app.admin_token)
            .header("idempotency-key", "   ").json(&json!({})).send().await.unwrap();
        problem_of(response, 400, "malformed-request").await;
    }
}
