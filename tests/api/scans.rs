//! Scanning (API.md "Scanning"): reading GS1 codes over HTTP.

use serde_json::{json, Value};

use crate::helpers::{both_backends, json_of, problem_of};

/// The Insuman Implantable box of GS1.md's E1: `]d2`, then GS after the lot.
pub const INSUMAN: &str = "]d2010340095857484917270531104F123A\u{1d}218HK2Q9ZX7MR4";

/// An Insuman Implantable box expiring at the end of 2030: lot `lot`, serial `serial`.
fn insuman(lot: &str, serial: &str) -> String {
    format!("]d2010340095857484917301231\u{1d}10{lot}\u{1d}21{serial}")
}

async fn movement(app: &crate::helpers::TestApp, body: Value, status: u16) -> Value {
    json_of(app.post("/api/v1/movements", &body).await, status).await
}

both_backends! {
    async fn a_scan_reads_into_fields_and_names_its_catalog_item(app) {
        let read = json_of(app.post("/api/v1/scans/parse", &json!({"data": INSUMAN})).await, 200).await;
        assert_eq!(read["gtin"], "03400958574849");
        assert_eq!(read["cip13"], "3400958574849");
        assert_eq!(read["item_id"], app.seeded.insulin);
        assert_eq!(read["lot_number"], "4F123A");
        assert_eq!(read["expires_on"], "2027-05-31");
        assert_eq!(read["serial"], "8HK2Q9ZX7MR4");
        assert_eq!(read["production_date"], Value::Null);
        assert_eq!(read["elements"][0], json!({"ai": "01", "value": "03400958574849"}));
        assert_eq!(read["elements"].as_array().unwrap().len(), 4);
        assert_eq!(read["warnings"], json!([]));
        // The bracket form printed under the code reads the same.
        let bracket = json!({"data": "(01)03400958574849(17)270531(10)4F123A(21)8HK2Q9ZX7MR4"});
        assert_eq!(json_of(app.post("/api/v1/scans/parse", &bracket).await, 200).await, read);
    }

    async fn a_code_of_a_product_not_in_the_catalog_reads_with_no_item(app) {
        let read = json_of(app.post("/api/v1/scans/parse", &json!({"data": "]d20109506000134352112403151729031410H24C0117"})).await, 200).await;
        assert_eq!((read["gtin"].as_str(), read["cip13"].clone(), read["item_id"].clone()), (Some("09506000134352"), Value::Null, Value::Null));
        assert_eq!(read["production_date"], "2024-03-15");
    }

    async fn a_missing_separator_reads_strictly_with_a_warning(app) {
        let read = json_of(app.post("/api/v1/scans/parse", &json!({"data": "]d2010340095857484910ABC17270531"})).await, 200).await;
        assert_eq!((read["lot_number"].as_str(), read["expires_on"].clone()), (Some("ABC17270531"), Value::Null));
        let warning = read["warnings"][0].as_str().unwrap();
        assert!(warning.contains("a GS may be missing"), "{warning}");
    }

    async fn a_code_that_cannot_be_read_says_why_on_data(app) {
        for (data, says) in [
            ("]d2010340095857484817270531104F123A", "check digit should be 9"),
            ("]d2010340095857484917271331104F123A", "expiry 13/27 is not a date"),
            ("]d2010340095857484910AB\u{1d}10AC", "lot (10) is given twice"),
            ("]d1HELLO", "not a GS1 code"),
            ("hello", "unknown application identifier"),
        ] {
            let problem = problem_of(app.post("/api/v1/scans/parse", &json!({"data": data})).await, 422, "validation-failed").await;
            let error = &problem["errors"][0];
            assert_eq!(error["field"], "data");
            let message = error["message"].as_str().unwrap();
            assert!(message.starts_with("cannot read the code: ") && message.contains(says), "{data:?}: {message}");
        }
    }

    async fn a_box_is_received_dispensed_returned_and_dispensed_again_by_scan(app) {
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-SCAN-1").await;
        let other = app.patient("MIP-SCAN-2").await;
        let code = insuman("L30A", "SN-0001");
        let receipt = movement(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 201).await;
        let line = &receipt["lines"][0];
        assert_eq!((line["item_id"].as_i64(), line["lot_number"].as_str(), line["expires_on"].as_str(), line["delta"].as_i64()),
            (Some(app.seeded.insulin), Some("L30A"), Some("2030-12-31"), Some(1)));
        let lot = line["lot_id"].as_i64().unwrap();
        // The same serial cannot be received twice.
        let again = app.post("/api/v1/movements", &json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]})).await;
        problem_of(again, 409, "duplicate-serial").await;
        // More of the lot, typed by hand without serials.
        app.receive(store, app.seeded.insulin, "L30A", "2030-12-31", 4).await;

        let given = movement(&app, json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"scan": code}]}), 201).await;
        assert_eq!((given["lines"][0]["lot_id"].as_i64(), given["lines"][0]["serial"].as_str(), given["lines"][0]["delta"].as_i64()), (Some(lot), Some("SN-0001"), Some(-1)));
        // It is out: not a second time, to anyone.
        let twice = app.post("/api/v1/movements", &json!({"kind": "dispense", "location_id": store, "patient_id": other, "lines": [{"scan": code}]})).await;
        let problem = problem_of(twice, 409, "serial-unavailable").await;
        assert!(problem["detail"].as_str().unwrap().contains(&format!("dispensed to patient {patient}")), "{problem}");
        let lot_view = json_of(app.get(&format!("/api/v1/lots/{lot}")).await, 200).await;
        assert_eq!(lot_view["serials"], json!(["SN-0001"]));
        assert_eq!(lot_view["serial_places"], json!([{"serial": "SN-0001", "state": "dispensed", "location_id": null, "patient_id": patient}]));

        // Back from the patient, then to the other one.
        movement(&app, json!({"kind": "return", "location_id": store, "patient_id": patient, "lines": [{"scan": code}]}), 201).await;
        movement(&app, json!({"kind": "dispense", "location_id": store, "patient_id": other, "lines": [{"scan": code}]}), 201).await;
        let history = json_of(app.get("/api/v1/serials/SN-0001").await, 200).await;
        let found = &history["data"][0];
        assert_eq!((found["item_id"].as_i64(), found["lot_id"].as_i64(), found["state"].as_str(), found["patient_id"].as_i64()), (Some(app.seeded.insulin), Some(lot), Some("dispensed"), Some(other)));
        let kinds: Vec<&str> = found["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["receipt", "dispense", "return", "dispense"]);
        // The recall list names the serial each patient received.
        let usage = json_of(app.get(&format!("/api/v1/lots/{lot}/recipients")).await, 200).await;
        assert!(usage.to_string().contains("SN-0001"), "{usage}");
        app.assert_verified();
    }

    async fn two_dispenses_of_one_serial_at_once_give_one_201_and_one_409(app) {
        let store = app.location("STORE").await;
        let code = insuman("L30B", "SN-RACE");
        movement(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 201).await;
        app.receive(store, app.seeded.insulin, "L30B", "2030-12-31", 10).await;
        let mut patients = Vec::new();
        for n in 0..6 {
            patients.push(app.patient(&format!("MIP-RACE-{n}")).await);
        }
        let bodies: Vec<Value> = patients.iter()
            .map(|p| json!({"kind": "dispense", "location_id": store, "patient_id": p, "lines": [{"scan": code}]}))
            .collect();
        let responses = futures_util::future::join_all(bodies.iter().map(|body| app.post("/api/v1/movements", body))).await;
        let mut statuses: Vec<u16> = Vec::new();
        for response in responses {
            let status = response.status().as_u16();
            if status == 409 {
                problem_of(response, 409, "serial-unavailable").await;
            }
            statuses.push(status);
        }
        statuses.sort();
        assert_eq!(statuses, [201, 409, 409, 409, 409, 409]);
        // One unit left the shelf, not six.
        assert_eq!(app.available(app.seeded.insulin, store).await, 10);
        app.assert_verified();
    }

    async fn transfer_and_waste_by_scan_move_the_serial(app) {
        let store = app.location("STORE").await;
        let ward = app.location("WARD").await;
        let code = insuman("L30C", "SN-MOVE");
        movement(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 201).await;
        movement(&app, json!({"kind": "transfer", "location_id": store, "to_location_id": ward, "lines": [{"scan": code}]}), 201).await;
        // It is at the ward now: wasting it at the store is refused.
        let wrong = app.post("/api/v1/movements", &json!({"kind": "waste", "location_id": store, "reason": "damaged", "lines": [{"scan": code}]})).await;
        let problem = problem_of(wrong, 409, "serial-unavailable").await;
        assert!(problem["detail"].as_str().unwrap().contains(&format!("in stock at location {ward}")), "{problem}");
        let wasted = movement(&app, json!({"kind": "waste", "location_id": ward, "reason": "damaged", "lines": [{"scan": code}]}), 201).await;
        assert_eq!(wasted["lines"][0]["serial"], "SN-MOVE");
        let gone = json_of(app.get("/api/v1/serials/SN-MOVE").await, 200).await;
        assert_eq!((gone["data"][0]["state"].as_str(), gone["data"][0]["location_id"].clone()), (Some("wasted"), Value::Null));
        // Its reversal puts it back on the ward's shelf.
        json_of(app.post(&format!("/api/v1/movements/{}/reverse", wasted["id"]), &json!({})).await, 201).await;
        let back = json_of(app.get("/api/v1/serials/SN-MOVE").await, 200).await;
        assert_eq!((back["data"][0]["state"].as_str(), back["data"][0]["location_id"].as_i64()), (Some("in_stock"), Some(ward)));
        app.assert_verified();
    }

    async fn a_scan_that_names_no_item_or_contradicts_a_field_is_refused(app) {
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-SCAN-3").await;
        let unknown = "]d20109506000134352112403151729031410H24C0117";
        for (body, field, says) in [
            (json!({"kind": "receipt", "location_id": store, "lines": [{"scan": unknown}]}), "lines[0].scan", "no such item: GTIN 09506000134352 is in no item of the catalog"),
            (json!({"kind": "receipt", "location_id": store, "lines": [{"scan": insuman("L30D", "SN-Q"), "quantity": 2}]}), "lines[0].quantity", "must be 1: the scanned code names one pack (serial SN-Q)"),
            (json!({"kind": "receipt", "location_id": store, "lines": [{"scan": insuman("L30D", "SN-Q"), "item_id": app.seeded.buffer}]}), "lines[0].item_id", "the scanned code says"),
            (json!({"kind": "receipt", "location_id": store, "lines": [{"scan": insuman("L30D", "SN-Q"), "lot_number": "OTHER"}]}), "lines[0].lot_number", "says OTHER, but the scanned code says L30D"),
            (json!({"kind": "receipt", "location_id": store, "lines": [{"scan": "]d201034009585748491730123121SN-NOLOT"}]}), "lines[0].lot_number", "is required: the scanned code has no lot number (10)"),
            (json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"scan": insuman("NEVER", "SN-X")}]}), "lines[0].scan", "no such lot: lot NEVER of this item was never received"),
            (json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"scan": "]d2010340095857484917301331"}]}), "lines[0].scan", "cannot read the code: expiry 13/30 is not a date"),
            (json!({"kind": "count", "location_id": store, "lines": [{"scan": insuman("L30D", "SN-Q"), "counted_quantity": 1}]}), "lines[0].scan", "is not used by count"),
        ] {
            let problem = problem_of(app.post("/api/v1/movements", &body).await, 422, "validation-failed").await;
            let found = problem["errors"].as_array().unwrap().iter()
                .any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(says));
            assert!(found, "{body}: {problem}");
        }
        // Nothing was written.
        let movements = json_of(app.get("/api/v1/movements").await, 200).await;
        assert!(movements["data"].as_array().unwrap().iter().all(|m| m["location_id"] != store), "{movements}");
    }
}
