use serde_json::{json, Value};

use crate::helpers::{both_backends, json_of, problem_of};

fn codes(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn a_fresh_database_holds_the_mip_catalog(app) {
        let items = json_of(app.get("/api/v1/items").await, 200).await;
        let data = items["data"].as_array().unwrap();
        let insulin = data.iter().find(|i| i["category"] == "insulin").expect("insulin");
        assert_eq!(insulin["gtins"], json!(["03400958574849"]));
        assert_eq!(insulin["storage"], "refrigerated");
        assert_eq!(insulin["unit"], "vial");
        for category in ["fill_kit", "naoh_solution", "buffer_solution"] {
            assert!(data.iter().any(|i| i["category"] == category), "{category} missing");
        }
        assert!(data.iter().filter(|i| i["category"] == "catheter").count() >= 2);

        // Editable like any item.
        let id = insulin["id"].as_i64().unwrap();
        let changed = json_of(app.patch(&format!("/api/v1/items/{id}"), &json!({"name": "Insuman Implantable 400 UI/ml"})).await, 200).await;
        assert_eq!(changed["name"], "Insuman Implantable 400 UI/ml");
    }

    async fn items_are_created_read_listed_and_patched(app) {
        let created = app.post("/api/v1/items", &json!({
            "code": "cath-xl", "name": "MIP catheter, extra long", "category": "catheter", "unit": "catheter",
            "gtins": ["4006381333931"]
        })).await;
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let item = json_of(created, 201).await;
        assert_eq!(item["code"], "CATH-XL");
        assert_eq!(item["gtins"], json!(["04006381333931"]));
        assert_eq!(item["storage"], "room");
        assert_eq!(item["active"], true);
        let id = item["id"].as_i64().unwrap();
        assert_eq!(location, format!("/api/v1/items/{id}"));
        assert_eq!(json_of(app.get(&location).await, 200).await, item);

        // Filters.
        let catheters = json_of(app.get("/api/v1/items?category=catheter").await, 200).await;
        assert_eq!(codes(&catheters), vec!["MIP-CATH-STD", "MIP-CATH-LONG", "CATH-XL"]);
        let found = json_of(app.get("/api/v1/items?q=EXTRA").await, 200).await;
        assert_eq!(codes(&found), vec!["CATH-XL"]);
        let by_gtin = json_of(app.get("/api/v1/items?q=4006381333931").await, 200).await;
        assert_eq!(codes(&by_gtin), vec!["CATH-XL"]);
        let wildcard = json_of(app.get("/api/v1/items?q=%25").await, 200).await;
        assert_eq!(codes(&wildcard), Vec::<String>::new());

        // Patch, deactivate, and the active filter.
        let patched = json_of(app.patch(&location, &json!({"unit": "piece", "gtins": [], "active": false})).await, 200).await;
        assert_eq!(patched["unit"], "piece");
        assert_eq!(patched["gtins"], json!([]));
        assert_eq!(patched["active"], false);
        let inactive = json_of(app.get("/api/v1/items?active=false").await, 200).await;
        assert_eq!(codes(&inactive), vec!["CATH-XL"]);
        let active = json_of(app.get("/api/v1/items?active=true").await, 200).await;
        assert!(!codes(&active).contains(&"CATH-XL".to_owned()));

        problem_of(app.get("/api/v1/items/424242").await, 404, "not-found").await;
        problem_of(app.patch("/api/v1/items/424242", &json!({"name": "x"})).await, 404, "not-found").await;
    }

    async fn item_lists_paginate_with_cursors(app) {
        for n in 0..7 {
            let body = json!({"code": format!("EXTRA-{n}"), "name": format!("Extra {n}"), "category": "other", "unit": "box"});
            json_of(app.post("/api/v1/items", &body).await, 201).await;
        }
        // 6 seeded + 7 created = 13 items, pages of 5.
        let mut seen = Vec::new();
        let mut path = "/api/v1/items?limit=5".to_owned();
        let mut pages = 0;
        loop {
            let page = json_of(app.get(&path).await, 200).await;
            pages += 1;
            seen.extend(codes(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("/api/v1/items?limit=5&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 13);
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(unique, seen, "no item twice");
        // Filters and pages combine.
        let first = json_of(app.get("/api/v1/items?category=other&limit=3").await, 200).await;
        assert_eq!(codes(&first), vec!["EXTRA-0", "EXTRA-1", "EXTRA-2"]);
        let cursor = first["next_cursor"].as_str().unwrap();
        let second = json_of(app.get(&format!("/api/v1/items?category=other&limit=3&cursor={cursor}")).await, 200).await;
        assert_eq!(codes(&second), vec!["EXTRA-3", "EXTRA-4", "EXTRA-5"]);
    }

    async fn duplicate_codes_and_gtins_conflict(app) {
        let body = json!({"code": "mip-fill-kit", "name": "Another kit", "category": "fill_kit", "unit": "kit"});
        let problem = problem_of(app.post("/api/v1/items", &body).await, 409, "duplicate").await;
        assert!(problem["detail"].as_str().unwrap().contains("MIP-FILL-KIT"));
        let body = json!({"code": "INS-COPY", "name": "Copy", "category": "insulin", "unit": "vial", "gtins": ["3400958574849"]});
        problem_of(app.post("/api/v1/items", &body).await, 409, "duplicate").await;
        // A patch to a taken code conflicts too, and changes nothing.
        let created = json_of(app.post("/api/v1/items", &json!({"code": "NEW", "name": "New", "category": "other", "unit": "box"})).await, 201).await;
        let path = format!("/api/v1/items/{}", created["id"]);
        problem_of(app.patch(&path, &json!({"code": "MIP-NAOH", "name": "Renamed"})).await, 409, "duplicate").await;
        assert_eq!(json_of(app.get(&path).await, 200).await, created);
        let all = json_of(app.get("/api/v1/items?limit=500").await, 200).await;
        assert_eq!(all["data"].as_array().unwrap().len(), 7);
    }

    async fn bad_gtins_and_fields_are_422_and_change_nothing(app) {
        let body = json!({"code": "BAD", "name": "Bad", "category": "other", "unit": "box", "gtins": ["3400958574848", "12345", "96385074"]});
        let problem = problem_of(app.post("/api/v1/items", &body).await, 422, "validation-failed").await;
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["gtins[0]", "gtins[1]"]);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("check digit"));

        let body = json!({"code": "has space", "name": "", "category": "other", "unit": "box"});
        let problem = problem_of(app.post("/api/v1/items", &body).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"].as_array().unwrap().len(), 2);

        let body = json!({"code": "X", "name": "X", "category": "syringe", "unit": "box"});
        let problem = problem_of(app.post("/api/v1/items", &body).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "category");

        let body = json!({"code": "X", "name": "X", "category": "other", "unit": "box", "colour": "blue"});
        problem_of(app.post("/api/v1/items", &body).await, 422, "validation-failed").await;
        let body = json!({"name": "X", "category": "other", "unit": "box"});
        let problem = problem_of(app.post("/api/v1/items", &body).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "code");
        let long = "x".repeat(201);
        let body = json!({"code": "X", "name": long, "category": "other", "unit": "box"});
        problem_of(app.post("/api/v1/items", &body).await, 422, "validation-failed").await;

        problem_of(app.patch("/api/v1/items/1", &json!({})).await, 422, "validation-failed").await;
        problem_of(app.patch("/api/v1/items/1", &json!({"gtins": ["1"]})).await, 422, "validation-failed").await;

        let all = json_of(app.get("/api/v1/items").await, 200).await;
        assert_eq!(all["data"].as_array().unwrap().len(), 6, "nothing was written");
        assert_eq!(all["data"][0]["gtins"], json!(["03400958574849"]));
    }

    async fn locations_are_created_listed_paginated_and_patched(app) {
        for (code, name) in [("central", "Central store"), ("WARD-FRIDGE", "Diabetology ward fridge"), ("OR", "Operating room")] {
            let created = app.post("/api/v1/locations", &json!({"code": code, "name": name})).await;
            assert!(created.headers().contains_key("location"));
            json_of(created, 201).await;
        }
        let page = json_of(app.get("/api/v1/locations?limit=2").await, 200).await;
        assert_eq!(codes(&page), vec!["CENTRAL", "WARD-FRIDGE"]);
        let cursor = page["next_cursor"].as_str().unwrap();
        let rest = json_of(app.get(&format!("/api/v1/locations?limit=2&cursor={cursor}")).await, 200).await;
        assert_eq!(codes(&rest), vec!["OR"]);
        assert!(rest["next_cursor"].is_null());

        let id = page["data"][1]["id"].as_i64().unwrap();
        let path = format!("/api/v1/locations/{id}");
        let patched = json_of(app.patch(&path, &json!({"name": "Ward 4 fridge", "active": false})).await, 200).await;
        assert_eq!(patched["name"], "Ward 4 fridge");
        assert_eq!(json_of(app.get(&path).await, 200).await, patched);
        let inactive = json_of(app.get("/api/v1/locations?active=false").await, 200).await;
        assert_eq!(codes(&inactive), vec!["WARD-FRIDGE"]);
        let found = json_of(app.get("/api/v1/locations?q=store").await, 200).await;
        assert_eq!(codes(&found), vec!["CENTRAL"]);

        problem_of(app.post("/api/v1/locations", &json!({"code": "Central", "name": "Dup"})).await, 409, "duplicate").await;
        problem_of(app.patch(&path, &json!({"code": "OR"})).await, 409, "duplicate").await;
        problem_of(app.get("/api/v1/locations/999").await, 404, "not-found").await;
        problem_of(app.post("/api/v1/locations", &json!({"code": "", "name": "x"})).await, 422, "validation-failed").await;
    }
}
