//! Whether this gateway's connections answer, for `/ready`: the database and, when configured,
//! Redis. The handles live here, not in `AppState`, so no handler can reach around the services.
use deadpool_redis::redis;
use sea_orm::DatabaseConnection;

/// What did not answer, and why.
pub struct NotReady {
    pub what: &'static str,
    pub cause: String,
}

pub struct Readiness {
    db: DatabaseConnection,
    redis: Option<deadpool_redis::Pool>,
}

impl Readiness {
    pub fn new(db: DatabaseConnection, redis: Option<deadpool_redis::Pool>) -> Self {
        Self { db, redis }
    }

    /// Pings the database, then Redis.
    pub async fn check(&self) -> Result<(), NotReady> {
        let not_ready = |what: &'static str| move |cause: String| NotReady { what, cause };
        self.db
            .ping()
            .await
            .map_err(|e| e.to_string())
            .map_err(not_ready("database"))?;
        if let Some(pool) = &self.redis {
            let mut conn = pool
                .get()
                .await
                .map_err(|e| e.to_string())
                .map_err(not_ready("redis"))?;
            redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .map_err(|e| e.to_string())
                .map_err(not_ready("redis"))?;
        }
        Ok(())
    }
}
