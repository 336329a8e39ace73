//! Integration tests over real HTTP against the real application and a real database; every
//! test in a `both_backends!` block runs on SQLite and on PostgreSQL.

mod helpers;
mod process;
mod smtp;

mod access;
mod alerts;
mod auth;
mod browser;
mod catalog;
mod cli;
mod cold_chain;
mod concurrency;
mod contract;
mod defects;
mod errors;
mod hardening;
mod hostile;
mod ledger;
mod migrations;
mod ops;
mod outside;
mod patients;
mod reliability;
mod scans;
mod screens;
mod sign_in_attacks;
mod simulate;
mod supply;
mod usage;
mod users;
mod web;
