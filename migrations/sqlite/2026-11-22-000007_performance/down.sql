DROP INDEX balances_with_stock;
