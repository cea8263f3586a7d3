//! Test-only helpers shared by every crate's tests: a fresh, migrated database per test.
//!
//! SQLite in a temporary directory by default; with `TEST_DATABASE_URL` (a MySQL/MariaDB server
//! URL) a new database with a random name on that server.
#![forbid(unsafe_code)]

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbErr};
use tempfile::TempDir;

/// A migrated database that lives as long as this value: SQLite files are removed on drop, a
/// database on a server is dropped (in the background, as a drop cannot wait).
pub struct TestDb {
    pub conn: DatabaseConnection,
    /// The URL, for starting a gateway against the same database.
    pub url: String,
    _dir: Option<TempDir>,
    /// The server's URL and the database's name, when it is on a server.
    on_server: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.on_server.take() else {
            return;
        };
        // A thread of its own: the test's runtime may be single-threaded and ending. Whatever
        // still holds the database (a gateway the test started) is waited for, up to a minute.
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let Ok(admin) = Database::connect(&server).await else {
                    return;
                };
                let _ = admin
                    .execute_unprepared("SET SESSION lock_wait_timeout = 60")
                    .await;
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS `{name}`"))
                    .await;
                let _ = admin.close().await;
            });
        });
    }
}

/// A new, empty, fully migrated database.
pub async fn fresh_db() -> Result<TestDb, DbErr> {
    let db = empty_db().await?;
    Migrator::up(&db.conn, None).await?;
    Ok(db)
}

/// A new database without any schema, for tests of the migrations themselves.
pub async fn empty_db() -> Result<TestDb, DbErr> {
    let (url, dir, on_server) = match std::env::var("TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let (url, name) = create_server_database(&server).await?;
            (url, None, Some((server, name)))
        }
        _ => {
            let dir = tempfile::tempdir().map_err(|e| DbErr::Custom(e.to_string()))?;
            let path = dir.path().join("test.db");
            (
                format!("sqlite://{}?mode=rwc", path.display()),
                Some(dir),
                None,
            )
        }
    };
    let conn = migration::connect(&url).await?;
    Ok(TestDb {
        conn,
        url,
        _dir: dir,
        on_server,
    })
}

/// Creates `test_<random>` on the server and returns its URL and name.
async fn create_server_database(server: &str) -> Result<(String, String), DbErr> {
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(server).await?;
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let mut first = false;
    SWEPT.call_once(|| first = true);
    if first {
        drop_stale_databases(&admin).await;
    }
    admin
        .execute_unprepared(&format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ))
        .await?;
    admin.close().await?;
    let base = server
        .rsplit_once('/')
        .map(|(base, _)| base)
        .ok_or_else(|| DbErr::Custom(format!("TEST_DATABASE_URL has no database: {server}")))?;
    Ok((format!("{base}/{name}"), name))
}

/// Drops the test databases of runs that ended more than an hour ago: a drop started as a test
/// binary exits can be cut short with it. Best effort: a failure (another process dropping the
/// same one, a user without the right) leaves them for the next run.
async fn drop_stale_databases(admin: &DatabaseConnection) {
    let Ok(stale) = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT table_schema AS name FROM information_schema.tables \
             WHERE table_schema LIKE 'test\\_%' GROUP BY table_schema \
             HAVING MAX(create_time) < NOW() - INTERVAL 1 HOUR",
        ))
        .await
    else {
        return;
    };
    for row in stale {
        if let Ok(name) = row.try_get::<String>("", "name") {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS `{name}`"))
                .await;
        }
    }
}

/// A unique suffix for names in one test, so tests never collide on shared servers.
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}", &id[..10])
}

/// A user row written directly (no captcha round trip), named `<prefix><random>`; for tests of
/// modules that only need users to exist.
pub async fn create_user(
    db: &DatabaseConnection,
    prefix: &str,
) -> Result<user::entity::Model, DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    let username = unique(prefix);
    let now = user::time::now();
    user::entity::ActiveModel {
        username: Set(username.clone()),
        password_hash: Set("not a hash: fixture users cannot log in".to_owned()),
        nick_name: Set(format!("Nick {username}")),
        email: Set(format!("{}@example.com", username.to_lowercase())),
        head_pic: Set(String::new()),
        token_version: Set(0),
        create_time: Set(now),
        update_time: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A handle on `db` that counts the statements run through it: lists must cost a fixed number
/// of statements however long they are.
pub fn counted(
    db: &DatabaseConnection,
) -> (
    DatabaseConnection,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let mut conn = db.clone();
    let seen = count.clone();
    conn.set_metric_callback(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    (conn, count)
}
