//! The public web server.
use axum::Router;
pub struct AppState;
impl AppState {
    pub fn new(_p: crate::server::Prepared) -> Self {
        AppState
    }
}
pub fn app(_s: AppState) -> Router {
    Router::new()
}
