//! Stock figures, served from the balances: the cost depends on the number of lots and
//! locations, never on the length of the ledger.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::db::DbConnection;
use crate::domain::catalog::{Item, ItemCategory, ItemFilter};
use crate::domain::ids::{ItemId, LocationId};
use crate::domain::page::{Page, PageRequest};
use crate::domain::stock::{figures, LotBalance, StockFigures};
use crate::domain::supply::remaining;
use crate::repo;

use super::read_catalog::ReadError;

#[derive(Debug, Clone, Default)]
pub struct StockQuery {
    pub item: Option<ItemId>,
    pub location: Option<LocationId>,
    pub category: Option<ItemCategory>,
    /// One row per item and location instead of one per item.
    pub by_location: bool,
}

#[derive(Debug, Clone)]
pub struct StockRow {
    pub item_id: ItemId,
    pub location_id: Option<LocationId>,
    pub figures: StockFigures,
    pub reorder_point: Option<i64>,
    pub lots: Vec<LotBalance>,
    /// Units of the item still to come from open orders (orders are not per location).
    pub on_order: i64,
}

/// Pages over items; with `by_location`, an item contributes one row per location holding it.
pub fn count_stock(
    conn: &mut DbConnection,
    query: &StockQuery,
    today: NaiveDate,
    page: PageRequest,
) -> Result<Page<StockRow>, ReadError> {
    let items: Page<Item> = match query.item {
        Some(id) => Page {
            items: repo::items::find(conn, id)?.into_iter().collect(),
            next_cursor: None,
        },
        None => repo::items::list(
            conn,
            &ItemFilter {
                category: query.category,
                ..ItemFilter::default()
            },
            page,
        )?,
    };
    let ids: Vec<ItemId> = items.items.iter().map(|i| i.id).collect();
    let balances = repo::balances::of_items(conn, &ids, query.location)?;
    let thresholds = repo::thresholds::of_items(conn, &ids)?;
    let mut on_order: HashMap<ItemId, i64> = HashMap::new();
    for line in repo::orders::pending_lines(conn, Some(&ids))? {
        *on_order.entry(line.item_id).or_default() += remaining(line.quantity, line.received_quantity);
    }
    let on_order = |item: ItemId| on_order.get(&item).copied().unwrap_or(0);
    let point = |item: ItemId, location: Option<LocationId>| {
        thresholds
            .iter()
            .find(|t| t.item_id == item && t.location_id == location)
            .map(|t| t.reorder_point)
    };
    let mut rows = Vec::new();
    for item in &items.items {
        let own: Vec<&LotBalance> = balances.iter().filter(|b| b.item_id == item.id).collect();
        if query.by_location && query.location.is_none() {
            let mut by_location: BTreeMap<LocationId, Vec<&LotBalance>> = BTreeMap::new();
            for b in own {
                by_location.entry(b.location_id).or_default().push(b);
            }
            for (location, lots) in by_location {
                rows.push(row(
                    item.id,
                    Some(location),
                    &lots,
                    today,
                    point(item.id, Some(location)),
                    on_order(item.id),
                ));
            }
        } else {
            rows.push(row(
                item.id,
                query.location,
                &own,
                today,
                point(item.id, query.location),
                on_order(item.id),
            ));
        }
    }
    Ok(Page {
        items: rows,
        next_cursor: items.next_cursor,
    })
}

fn row(
    item: ItemId,
    location: Option<LocationId>,
    lots: &[&LotBalance],
    today: NaiveDate,
    reorder_point: Option<i64>,
    on_order: i64,
) -> StockRow {
    StockRow {
        item_id: item,
        location_id: location,
        figures: figures(lots, today, reorder_point),
        reorder_point,
        lots: lots.iter().map(|b| (*b).clone()).collect(),
        on_order,
    }
}
