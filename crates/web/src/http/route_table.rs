//! Every route is declared through [`RouteTable`], which both builds the axum router and
//! records (method, path): the authorization matrix test reads that record, so a new route
//! without its row in the matrix makes the test fail.

use crate::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Default)]
pub struct RouteTable {
    router: Router<AppState>,
    declared: Vec<(Method, &'static str)>,
}

impl RouteTable {
    pub fn new() -> Self {
        Self::default()
    }

    fn add(mut self, method: Method, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, route);
        self.declared.push((method, path));
        self
    }

    pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::Get, path, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::Post, path, post(handler))
    }

    /// GET and POST on one path (a form and its submission).
    pub fn form<G, TG, P, TP>(mut self, path: &'static str, show: G, submit: P) -> Self
    where
        G: Handler<TG, AppState>,
        TG: 'static,
        P: Handler<TP, AppState>,
        TP: 'static,
    {
        self.router = self.router.route(path, get(show).post(submit));
        self.declared.push((Method::Get, path));
        self.declared.push((Method::Post, path));
        self
    }

    /// GET and POST on one path where the POST receives a file of up to `max_bytes`.
    pub fn upload_form<G, TG, P, TP>(
        mut self,
        path: &'static str,
        show: G,
        submit: P,
        max_bytes: usize,
    ) -> Self
    where
        G: Handler<TG, AppState>,
        TG: 'static,
        P: Handler<TP, AppState>,
        TP: 'static,
    {
        let submit = post(submit).layer(axum::extract::DefaultBodyLimit::max(max_bytes));
        self.router = self.router.route(path, get(show).merge(submit));
        self.declared.push((Method::Get, path));
        self.declared.push((Method::Post, path));
        self
    }

    pub fn merge(mut self, other: RouteTable) -> Self {
        self.router = self.router.merge(other.router);
        self.declared.extend(other.declared);
        self
    }

    pub fn declared(&self) -> &[(Method, &'static str)] {
        &self.declared
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
