//! One file per page.

mod account;
mod audit_log;
mod backup_set;
mod backups;
mod catalog;
mod groups;
mod home;
mod invitation;
mod login;
pub(super) mod members;
mod not_found;
mod operations;
mod overview;
mod policies;
mod policy;
mod restore_runs;
mod run_detail;
mod workspace;

pub(crate) use account::AccountPage;
pub(crate) use audit_log::AuditLogPage;
pub(crate) use backup_set::BackupSetPage;
pub(crate) use backups::BackupsPage;
pub(crate) use catalog::CatalogPage;
pub(crate) use groups::GroupsPage;
pub(crate) use home::HomePage;
pub(crate) use invitation::InvitationPage;
pub(crate) use login::LoginPage;
pub(crate) use members::MembersPage;
pub(crate) use not_found::{NotFound, NotFoundPage};
pub(crate) use operations::OperationsPage;
pub(crate) use overview::OverviewPage;
pub(crate) use policies::PoliciesPage;
pub(crate) use policy::PolicyPage;
pub(crate) use restore_runs::RestoreRunsPage;
pub(crate) use run_detail::RunDetailPage;
pub(crate) use workspace::WorkspacePage;
