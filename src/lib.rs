//! orgtoken: finds where one Zoho CRM OAuth token meets more than one
//! environment or data center. See ARCHITECTURE.md for the code map.

pub mod catalog;
pub mod facts;
pub mod frontend;
pub mod finding;
pub mod link;
pub mod model;
pub mod rules;
pub mod report;
pub mod scan;
pub mod walk;
