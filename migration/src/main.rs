//! `migrate [up|down|status|fresh] [DATABASE_URL]`: runs the schema history by hand, the same one
//! the gateway applies on start. The URL comes from the argument, `CHAT_DATABASE_URL` or the
//! embedded default `./data/chat.db`.
use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::DbErr;

const DEFAULT_URL: &str = "sqlite://./data/chat.db?mode=rwc";

#[tokio::main]
async fn main() -> Result<(), DbErr> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_else(|| "up".to_owned());
    let url = args
        .next()
        .or_else(|| std::env::var("CHAT_DATABASE_URL").ok())
        .unwrap_or_else(|| DEFAULT_URL.to_owned());
    if url == DEFAULT_URL {
        std::fs::create_dir_all("./data").map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    let db = migration::connect(&url).await?;
    match command.as_str() {
        "up" => Migrator::up(&db, None).await,
        "down" => Migrator::down(&db, Some(1)).await,
        "status" => Migrator::status(&db).await,
        "fresh" => Migrator::fresh(&db).await,
        other => Err(DbErr::Custom(format!(
            "unknown command {other:?}; use up, down, status or fresh"
        ))),
    }
}
