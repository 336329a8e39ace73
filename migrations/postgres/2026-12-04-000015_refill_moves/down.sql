DROP TABLE refill_moves;
