//! What leaves Matchcut for people and other tools: the contact sheet of
//! ranked pairs ([`sheet`]).

pub mod sheet;
