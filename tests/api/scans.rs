//! Scanning (API.md "Scanning"): reading GS1 codes over HTTP.

use serde_json::{json, Value};

use crate::helpers::{both_backends, json_of, problem_of};

/// The Insuman Implantable box of GS1.md's E1: `]d2`, then GS after the lot.
pub const INSUMAN: &str = "]d2010340095857484917270531104F123A\u{1d}218HK2Q9ZX7MR4";

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
}
