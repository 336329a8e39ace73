use serde_json::json;

use crate::helpers::{both_backends, json_of, problem_of};

both_backends! {
    async fn patients_are_pseudonymous_and_validated(app) {
        let created = json_of(app.post("/api/v1/patients", &json!({"reference": "mip-0042", "next_refill_on": "2026-12-01"})).await, 201).await;
        assert_eq!(created["reference"], "MIP-0042");
        assert_eq!(created["status"], "active");
        assert_eq!(created["refill_interval_days"], 42);
        let id = created["id"].as_i64().unwrap();

        // No name, birth date or address can be stored.
        for field in ["name", "birth_date", "address"] {
            let body = json!({"reference": "MIP-9", field: "x"});
            let problem = problem_of(app.post("/api/v1/patients", &body).await, 422, "validation-failed").await;
            assert!(problem["errors"][0]["message"].as_str().unwrap().contains(field));
        }
        // Interval bounds: 1 to 45.
        for days in [0, 46, -1] {
            let body = json!({"reference": "MIP-9", "refill_interval_days": days});
            let problem = problem_of(app.post("/api/v1/patients", &body).await, 422, "validation-failed").await;
            assert_eq!(problem["errors"][0]["field"], "refill_interval_days");
        }
        json_of(app.post("/api/v1/patients", &json!({"reference": "MIP-45", "refill_interval_days": 45})).await, 201).await;
        problem_of(app.post("/api/v1/patients", &json!({"reference": "Mip-0042"})).await, 409, "duplicate").await;
        problem_of(app.post("/api/v1/patients", &json!({"reference": "MIP-1", "status": "deceased"})).await, 422, "validation-failed").await;

        // Patch, with null clearing a field.
        let path = format!("/api/v1/patients/{id}");
        let patched = json_of(app.patch(&path, &json!({"refill_interval_days": 28, "notes": "prefers mornings"})).await, 200).await;
        assert_eq!(patched["refill_interval_days"], 28);
        let cleared = json_of(app.patch(&path, &json!({"next_refill_on": null, "notes": null})).await, 200).await;
        assert!(cleared["next_refill_on"].is_null() && cleared["notes"].is_null());
        problem_of(app.patch(&path, &json!({"refill_interval_days": 60})).await, 422, "validation-failed").await;
        problem_of(app.patch(&path, &json!({"surname": "X"})).await, 422, "validation-failed").await;
        problem_of(app.get("/api/v1/patients/999").await, 404, "not-found").await;

        // Filters.
        json_of(app.patch(&path, &json!({"status": "transitioned"})).await, 200).await;
        let transitioned = json_of(app.get("/api/v1/patients?status=transitioned").await, 200).await;
        assert_eq!(transitioned["data"].as_array().unwrap().len(), 1);
        let due = json_of(app.post("/api/v1/patients", &json!({"reference": "MIP-DUE", "next_refill_on": "2026-12-01"})).await, 201).await;
        let listed = json_of(app.get("/api/v1/patients?refill_due_before=2026-12-02").await, 200).await;
        let ids: Vec<i64> = listed["data"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![due["id"].as_i64().unwrap()]);
        let none = json_of(app.get("/api/v1/patients?refill_due_before=2026-12-01").await, 200).await;
        assert!(none["data"].as_array().unwrap().is_empty(), "strictly before");
    }

    async fn only_active_patients_receive_dispensations(app) {
        let location = app.location("STORE").await;
        app.receive(location, 2, "K1", &crate::helpers::days_from_today(200), 5).await;
        let patient = app.patient("MIP-7").await;
        json_of(app.patch(&format!("/api/v1/patients/{patient}"), &json!({"status": "inactive"})).await, 200).await;
        let body = json!({"kind": "dispense", "location_id": location, "patient_id": patient, "lines": [{"item_id": 2, "quantity": 1}]});
        problem_of(app.post("/api/v1/movements", &body).await, 422, "patient-not-active").await;
        assert_eq!(app.available(2, location).await, 5);
    }
}
