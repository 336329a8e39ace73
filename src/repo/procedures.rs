use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use chrono::NaiveDateTime;

use super::on_backend;
use crate::db::schema::{procedure_lines, procedures};
use crate::db::DbConnection;
use crate::domain::ids::ItemId;
use crate::domain::procedure::{BundleLine, Procedure};
use crate::domain::quantity::Quantity;

fn lines_of(conn: &mut DbConnection, codes: &[String]) -> QueryResult<Vec<(String, BundleLine)>> {
    let rows: Vec<(String, i64, i32)> = procedure_lines::table
        .filter(procedure_lines::procedure_code.eq_any(codes))
        .order((procedure_lines::procedure_code, procedure_lines::position))
        .select((
            procedure_lines::procedure_code,
            procedure_lines::item_id,
            procedure_lines::quantity,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, item, quantity)| {
            Quantity::new(i64::from(quantity)).map(|quantity| {
                (
                    code,
                    BundleLine {
                        item: ItemId(item),
                        quantity,
                    },
                )
            })
        })
        .collect())
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Procedure>> {
    let heads: Vec<(String, String)> = procedures::table
        .order(procedures::code)
        .select((procedures::code, procedures::name))
        .load(conn)?;
    let codes: Vec<String> = heads.iter().map(|(code, _)| code.clone()).collect();
    let lines = lines_of(conn, &codes)?;
    Ok(heads
        .into_iter()
        .map(|(code, name)| {
            let own = lines.iter().filter(|(c, _)| *c == code).map(|(_, l)| *l).collect();
            Procedure { code, name, lines: own }
        })
        .collect())
}

pub fn find(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Procedure>> {
    let name: Option<String> = procedures::table
        .find(code)
        .select(procedures::name)
        .first(conn)
        .optional()?;
    let Some(name) = name else { return Ok(None) };
    let lines = lines_of(conn, &[code.to_owned()])?
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    Ok(Some(Procedure {
        code: code.to_owned(),
        name,
        lines,
    }))
}

/// Creates or replaces a procedure; `true` when it was new.
pub fn upsert(conn: &mut DbConnection, procedure: &Procedure, at: NaiveDateTime) -> QueryResult<bool> {
    let existed = procedures::table
        .find(&procedure.code)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    on_backend!(
        conn,
        "INSERT INTO procedures (code, name, created_at, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
        |q, c| q
            .bind::<Text, _>(&procedure.code)
            .bind::<Text, _>(&procedure.name)
            .bind::<Timestamp, _>(at)
            .bind::<Timestamp, _>(at)
            .execute(c)
    )?;
    diesel::delete(procedure_lines::table.filter(procedure_lines::procedure_code.eq(&procedure.code))).execute(conn)?;
    for (position, line) in procedure.lines.iter().enumerate() {
        diesel::insert_into(procedure_lines::table)
            .values((
                procedure_lines::procedure_code.eq(&procedure.code),
                procedure_lines::item_id.eq(line.item.0),
                procedure_lines::quantity.eq(line.quantity.get() as i32),
                procedure_lines::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(!existed)
}
