//! Tasks, split by what the code does with them: the read model (`read`), list queries and
//! their filter (`list`, `filter`), the slim row writes read (`record`), writes (`commands`), sub-tasks and dependencies
//! (`structure`), collaborators (`collaborators`)
//! and the counts business rules need (`workload`). Everything is re-exported here, so callers say `tasks::get`, `tasks::list`.

mod collaborators;
mod commands;
mod filter;
mod list;
mod read;
mod record;
mod structure;
mod workload;

pub use collaborators::*;
pub use commands::*;
pub use filter::*;
pub use list::*;
pub use read::*;
pub use record::*;
pub use structure::*;
pub use workload::*;
