//! One integration binary: every test starts the real server on port 0 through `spawn_app()`.

mod authorize;
mod change_password;
mod cli;
mod control;
mod custom_db;
mod discovery;
mod embedded;
mod errors;
mod faults;
mod faults_connection;
mod helpers;
mod journal;
mod logout;
mod mgmt_config;
mod mgmt_jobs;
mod mgmt_logs;
mod mgmt_roles;
mod mgmt_users;
mod passwordless;
mod seed;
mod signup;
mod token;
mod transport;
