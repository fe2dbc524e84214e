//! HyperLearn: the day's news as a personal, verified reading lesson for each language
//! learner. See ARCHITECTURE.md for the map; `pipeline` is where the stages meet.

pub mod adapt;
pub mod analysis;
pub mod articles;
pub mod calibrate;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod doctor;
pub mod eval;
pub mod exercise;
pub mod feeds;
pub mod generation;
pub mod http;
pub mod index;
pub mod lang;
pub mod lesson;
pub mod metrics;
pub mod pipeline;
pub mod report;
pub mod runlock;
pub mod schedule;
pub mod selection;
pub mod serve;
pub mod store;
pub mod text;
pub mod tokens;
pub mod verification;
pub mod web;
