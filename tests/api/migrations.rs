use std::collections::BTreeSet;
use std::time::Duration;

use mipstock::db::{migrations, DbPool};

use crate::helpers::{on_both_databases, TestDb};

fn names(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    let root = env!("CARGO_MANIFEST_DIR");
    let sqlite = names(&format!("{root}/migrations/sqlite"));
    let postgres = names(&format!("{root}/migrations/postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path = format!("{root}/migrations/{backend}/{name}/{file}");
                assert!(std::path::Path::new(&path).is_file(), "{path} missing");
            }
        }
    }
}

fn up_down_up(db: TestDb) {
    let pool = DbPool::new(&db.url, 1, Duration::from_secs(5)).unwrap();
    let mut conn = pool.get().unwrap();
    let first = migrations::run_pending(&mut conn).unwrap();
    let expected = names(&format!("{}/migrations/sqlite", env!("CARGO_MANIFEST_DIR"))).len();
    assert_eq!(first.len(), expected);
    let reverted = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), expected);
    assert!(migrations::applied(&mut conn).unwrap().is_empty());
    let again = migrations::run_pending(&mut conn).unwrap();
    assert_eq!(again, first);
    assert!(migrations::run_pending(&mut conn).unwrap().is_empty());
}

on_both_databases!(up_down_up);
