//! Pure rules shared by the server and the browser; no I/O.
pub mod input;
pub mod plan;
