//! One integration binary: every test starts the real server on port 0 through `spawn_app()`.

mod cli;
mod control;
mod discovery;
mod errors;
mod helpers;
mod seed;
mod token;
mod transport;
