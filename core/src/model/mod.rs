//! The models a thread can use: the catalog and its sources, what the engine knows of a model, and the
//! provider it is served by. Data only: the manager that keeps the list current is in `session`.

pub mod catalog;
pub mod info;
pub mod provider;
