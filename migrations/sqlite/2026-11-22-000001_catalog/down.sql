DROP TABLE locations;
DROP TABLE item_gtins;
DROP TABLE items;
