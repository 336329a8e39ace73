CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    storage TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX items_category ON items (category, id);

-- A GTIN identifies one trade item, so it belongs to at most one catalog item.
CREATE TABLE item_gtins (
    gtin TEXT PRIMARY KEY NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items (id),
    position INTEGER NOT NULL
);
CREATE INDEX item_gtins_item ON item_gtins (item_id, position);

CREATE TABLE locations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
