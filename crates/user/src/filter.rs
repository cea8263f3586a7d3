//! Conditions on the `users` table that other modules' lists reuse.
use crate::entity::Column;
use crate::types::{LIKE_ESCAPE, SearchText};
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};

/// Users whose username or nickname contains `text`, without regard to case, with `%` and `_`
/// taken literally.
pub fn name_contains(text: &SearchText) -> Condition {
    let pattern = text.contains_pattern();
    let matches = |column: Column| {
        Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(&pattern).escape(LIKE_ESCAPE))
    };
    Condition::any()
        .add(matches(Column::Username))
        .add(matches(Column::NickName))
}
