//! Starts the real application on 127.0.0.1:0 over a demo database, once per backend.

use passerelle_store::Db;
use passerelle_store::demo;
use passerelle_store::referential::{Referentials, load_referentials};
use passerelle_store::testing::{self, TestDb};

pub struct TestApp {
    pub address: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub db: Db,
    pub backend: &'static str,
    pub plan: demo::DemoPlan,
    test_db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// Loads the referentials and the demo (seed 2020, cheap password hashes) and serves.
    pub async fn spawn(test_db: TestDb) -> Self {
        let referentials = Referentials::embedded().unwrap();
        load_referentials(&test_db.db, &referentials).await.unwrap();
        let plan = demo::plan(&referentials, 2020);
        let hashes: Vec<String> =
            plan.logins.iter().map(|l| passerelle_store::account::hash_password(&l.password).unwrap()).collect();
        demo::insert(&test_db.db, &plan, &hashes, &|_| {}).await.unwrap();
        let db = test_db.db.clone();
        let app = passerelle_web::app(passerelle_web::AppState::new(db.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let backend = db.backend().name();
        Self { address, client, db, backend, plan, test_db, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn finish(self) {
        self.server.abort();
        self.test_db.finish().await;
    }
}

pub async fn spawn_all() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for test_db in testing::all_backends().await {
        apps.push(TestApp::spawn(test_db).await);
    }
    apps
}
