//! orgtoken: finds where one Zoho CRM OAuth token meets more than one
//! environment or data center. See ARCHITECTURE.md for the code map.

pub mod baseline;
pub mod budget;
pub mod catalog;
pub mod changes;
pub mod config;
pub mod facts;
pub mod filter;
pub mod finding;
pub mod frontend;
pub mod inventory;
pub mod link;
pub mod loads;
pub mod memory;
pub mod model;
pub mod multirepo;
pub mod noqa;
pub mod project;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod select;
pub mod source;
pub mod suppress;
pub mod template;
pub mod walk;
