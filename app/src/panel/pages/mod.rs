//! One file per page.

mod catalog;
mod home;
mod login;
mod not_found;
mod operations;
mod overview;
mod run_detail;

pub(crate) use catalog::CatalogPage;
pub(crate) use home::HomePage;
pub(crate) use login::LoginPage;
pub(crate) use not_found::{NotFound, NotFoundPage};
pub(crate) use operations::OperationsPage;
pub(crate) use overview::OverviewPage;
pub(crate) use run_detail::RunDetailPage;
