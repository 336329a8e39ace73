DROP TABLE notifications;
DROP TABLE alerts;
DROP TABLE thresholds;
