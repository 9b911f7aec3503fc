use std::path::PathBuf;
use std::sync::Arc;

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Trunk output folder served at `/`.
    pub assets_dir: PathBuf,
}

/// What every handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self {
            config: Arc::new(config),
        }
    }
}
