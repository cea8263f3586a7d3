//! Column and table shapes shared by every migration, so all tables agree on ids, times and charset.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_query::{ColumnDef, Table, TableCreateStatement};

/// A new table with the options every table gets: on MySQL/MariaDB utf8mb4 (nicknames carry emoji)
/// with a case-insensitive collation, which SQLite matches with `COLLATE NOCASE` where it matters.
pub fn table(manager: &SchemaManager, name: impl IntoIden) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(name);
    if manager.get_database_backend() == DatabaseBackend::MySql {
        table
            .engine("InnoDB")
            .character_set("utf8mb4")
            .collate("utf8mb4_unicode_ci");
    }
    table
}

/// `id BIGINT` auto-increment primary key (plain `integer` on SQLite, where that is the rowid).
pub fn id(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// A required reference to another table's id.
pub fn reference(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().to_owned()
}

/// A UTC time with millisecond precision: `DATETIME(3)` on MySQL/MariaDB (a plain `DATETIME` would
/// drop the milliseconds the API promises, `TIMESTAMP` stops in 2038), text on SQLite.
pub fn time(manager: &SchemaManager, name: impl IntoIden) -> ColumnDef {
    time_with_digits(manager, name, 3)
}

/// A UTC time with microseconds, for times that order events (who joined first).
pub fn precise_time(manager: &SchemaManager, name: impl IntoIden) -> ColumnDef {
    time_with_digits(manager, name, 6)
}

fn time_with_digits(manager: &SchemaManager, name: impl IntoIden, digits: u8) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    if manager.get_database_backend() == DatabaseBackend::MySql {
        column.custom(format!("DATETIME({digits})"));
    } else {
        column.date_time();
    }
    column.not_null().to_owned()
}

/// A string compared without regard to ASCII case on both backends (usernames).
pub fn nocase_string(manager: &SchemaManager, name: impl IntoIden, len: u32) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    column.string_len(len).not_null();
    if manager.get_database_backend() == DatabaseBackend::Sqlite {
        column.extra("COLLATE NOCASE");
    }
    column
}

/// An ASCII string compared byte for byte on both backends (ids chosen by clients, which the
/// tables' case-insensitive MySQL collation would otherwise fold).
pub fn exact_ascii(manager: &SchemaManager, name: impl IntoIden, len: u32) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    if manager.get_database_backend() == DatabaseBackend::MySql {
        column.custom(format!(
            "VARCHAR({len}) CHARACTER SET ascii COLLATE ascii_bin"
        ));
    } else {
        column.string_len(len);
    }
    column.not_null().to_owned()
}

/// Adds `create_time` and `update_time` to a table.
pub fn with_times(manager: &SchemaManager, table: &mut TableCreateStatement) {
    #[derive(DeriveIden)]
    enum Times {
        CreateTime,
        UpdateTime,
    }
    table
        .col(time(manager, Times::CreateTime))
        .col(time(manager, Times::UpdateTime));
}
