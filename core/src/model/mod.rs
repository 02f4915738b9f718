//! The models a thread can use: the catalog and its sources, what the engine knows of a model, the
//! provider it is served by, and the manager that keeps the list current.

pub mod catalog;
pub mod info;
pub mod manager;
pub mod provider;
