//! `UserService`: the account use cases, over SeaORM.
use crate::captcha::{CaptchaFlow, CaptchaTimes, Captchas};
use crate::entity::{self, ActiveModel, Column, Entity as Users};
use crate::error::UserError;
use crate::filter::name_contains;
use crate::page::{Page, PageRequest};
use crate::ports::{EphemeralStore, Mailer};
use crate::throttle::{LoginLimits, LoginThrottle};
use crate::time;
use crate::types::{
    Email, LoggedIn, LoginInput, Profile, RegisterInput, ResetPasswordInput, SearchText,
    UpdateInput, UserId, UserSummary,
};
use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::sync::Arc;
use tokio::sync::OnceCell;

#[async_trait]
pub trait UserService: Send + Sync {
    async fn send_register_captcha(&self, to: &Email) -> Result<(), UserError>;
    async fn register(&self, input: RegisterInput) -> Result<Profile, UserError>;
    /// `client` is the caller's address, for failure throttling.
    async fn login(&self, input: LoginInput, client: &str) -> Result<LoggedIn, UserError>;
    async fn profile(&self, id: UserId) -> Result<Profile, UserError>;
    /// The current token version, `None` for a user that no longer exists.
    async fn token_version(&self, id: UserId) -> Result<Option<i32>, UserError>;
    /// Mails a profile code: to `new_email` (which must be free: `EmailTaken`), the only code
    /// that can change the email to it; without one, to the stored address (API.md §7).
    async fn send_update_captcha(
        &self,
        id: UserId,
        new_email: Option<&Email>,
    ) -> Result<(), UserError>;
    /// Nickname and avatar change without a code; a new email needs the code mailed to it.
    async fn update(&self, id: UserId, input: UpdateInput) -> Result<Profile, UserError>;
    /// Mails a code only when the address has an account; the answer is the same either way.
    async fn send_reset_captcha(&self, to: &Email) -> Result<(), UserError>;
    /// Sets a new password and revokes every earlier token; answers whose password it was.
    async fn reset_password(&self, input: ResetPasswordInput) -> Result<UserId, UserError>;
    async fn search(
        &self,
        caller: UserId,
        text: &SearchText,
        page: PageRequest,
    ) -> Result<Page<UserSummary>, UserError>;
}

#[derive(Clone, Debug)]
pub struct UserConfig {
    pub bcrypt_cost: u32,
    pub captcha: CaptchaTimes,
    pub login_limits: LoginLimits,
}

impl Default for UserConfig {
    fn default() -> Self {
        Self {
            bcrypt_cost: bcrypt::DEFAULT_COST,
            captcha: CaptchaTimes::default(),
            login_limits: LoginLimits::default(),
        }
    }
}

pub struct SeaUserService {
    db: DatabaseConnection,
    captchas: Captchas,
    throttle: LoginThrottle,
    bcrypt_cost: u32,
    /// Checked against when the username is unknown, so both failures take as long.
    dummy_hash: OnceCell<String>,
}

impl SeaUserService {
    pub fn new(
        db: DatabaseConnection,
        config: UserConfig,
        store: Arc<dyn EphemeralStore>,
        mailer: Arc<dyn Mailer>,
    ) -> Self {
        Self {
            db,
            captchas: Captchas::new(store.clone(), mailer, config.captcha),
            throttle: LoginThrottle::new(store, config.login_limits),
            bcrypt_cost: config.bcrypt_cost,
            dummy_hash: OnceCell::new(),
        }
    }

    async fn find(&self, id: UserId) -> Result<entity::Model, UserError> {
        Users::find_by_id(id.get())
            .one(&self.db)
            .await?
            .ok_or(UserError::NotFound)
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<entity::Model>, UserError> {
        // The column compares without regard to case on both backends.
        Ok(Users::find()
            .filter(Column::Username.eq(username))
            .one(&self.db)
            .await?)
    }

    /// `EmailTaken` when another account has this address (the unique key still decides races).
    async fn require_free_email(&self, me: UserId, email: &Email) -> Result<(), UserError> {
        let taken = Users::find()
            .filter(Column::Email.eq(email.as_str()))
            .filter(Column::Id.ne(me.get()))
            .count(&self.db)
            .await?
            > 0;
        match taken {
            true => Err(UserError::EmailTaken),
            false => Ok(()),
        }
    }

    async fn hash(&self, password: &str) -> Result<String, UserError> {
        let (password, cost) = (password.to_owned(), self.bcrypt_cost);
        tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
            .await
            .map_err(|e| UserError::Hashing(e.to_string()))?
            .map_err(|e| UserError::Hashing(e.to_string()))
    }

    async fn password_matches(&self, password: &str, hash: &str) -> Result<bool, UserError> {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
            .await
            .map_err(|e| UserError::Hashing(e.to_string()))
    }

    async fn dummy_hash(&self) -> Result<&str, UserError> {
        let hash = self
            .dummy_hash
            .get_or_try_init(|| self.hash("not a real password"))
            .await?;
        Ok(hash)
    }
}

#[async_trait]
impl UserService for SeaUserService {
    #[tracing::instrument(skip_all, err)]
    async fn send_register_captcha(&self, to: &Email) -> Result<(), UserError> {
        self.captchas.send(CaptchaFlow::Register, to).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn register(&self, input: RegisterInput) -> Result<Profile, UserError> {
        if self
            .find_by_username(input.username.as_str())
            .await?
            .is_some()
        {
            return Err(UserError::UsernameTaken);
        }
        // The address is checked only after its code: nobody learns who is registered.
        self.captchas
            .verify(CaptchaFlow::Register, &input.email, &input.captcha)
            .await?;
        let password_hash = self.hash(input.password.as_str()).await?;
        let now = time::now();
        let user = ActiveModel {
            username: Set(input.username.as_str().to_owned()),
            password_hash: Set(password_hash),
            nick_name: Set(input.nick_name.as_str().to_owned()),
            email: Set(input.email.as_str().to_owned()),
            head_pic: Set(String::new()),
            token_version: Set(0),
            create_time: Set(now),
            update_time: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(user.into())
    }

    #[tracing::instrument(skip_all, err)]
    async fn login(&self, input: LoginInput, client: &str) -> Result<LoggedIn, UserError> {
        self.throttle.admit_address(client).await?;
        let user = self.find_by_username(input.username.as_str()).await?;
        match &user {
            Some(user) => self.throttle.admit_account(user.id, client).await?,
            None => {
                let name = input.username.as_str();
                self.throttle.admit_unknown(name, client).await?
            }
        }
        let hash = match &user {
            Some(user) => user.password_hash.clone(),
            None => self.dummy_hash().await?.to_owned(),
        };
        let matches = self.password_matches(&input.password, &hash).await?;
        match user {
            Some(user) if matches => {
                self.throttle.record_success(user.id, client).await?;
                Ok(LoggedIn {
                    token_version: user.token_version,
                    profile: user.into(),
                })
            }
            found => {
                let account = found.map(|user| user.id);
                self.throttle.record_failure(account, client).await?;
                Err(UserError::InvalidCredentials)
            }
        }
    }

    async fn profile(&self, id: UserId) -> Result<Profile, UserError> {
        Ok(self.find(id).await?.into())
    }

    async fn token_version(&self, id: UserId) -> Result<Option<i32>, UserError> {
        Ok(Users::find_by_id(id.get())
            .select_only()
            .column(Column::TokenVersion)
            .into_tuple::<i32>()
            .one(&self.db)
            .await?)
    }

    #[tracing::instrument(skip_all, fields(user_id = id.get()), err)]
    async fn send_update_captcha(
        &self,
        id: UserId,
        new_email: Option<&Email>,
    ) -> Result<(), UserError> {
        let user = self.find(id).await?;
        let to = match new_email {
            Some(to) => {
                self.require_free_email(id, to).await?;
                to.clone()
            }
            None => Email::parse(&user.email).map_err(|_| UserError::NotFound)?,
        };
        self.captchas.send(CaptchaFlow::Update, &to).await
    }

    #[tracing::instrument(skip_all, fields(user_id = id.get()), err)]
    async fn update(&self, id: UserId, input: UpdateInput) -> Result<Profile, UserError> {
        let user = self.find(id).await?;
        // Only a different address needs proof, and only a code mailed to that address is one.
        let new_email = input.email.filter(|email| email.as_str() != user.email);
        if let Some(email) = &new_email {
            self.require_free_email(id, email).await?;
            let code = input.captcha.as_ref().ok_or(UserError::CaptchaInvalid)?;
            self.captchas
                .verify(CaptchaFlow::Update, email, code)
                .await?;
        }
        let mut active: ActiveModel = user.into();
        if let Some(nick_name) = input.nick_name {
            active.nick_name = Set(nick_name.as_str().to_owned());
        }
        if let Some(head_pic) = input.head_pic {
            active.head_pic = Set(head_pic.as_str().to_owned());
        }
        if let Some(email) = new_email {
            active.email = Set(email.as_str().to_owned());
        }
        active.update_time = Set(time::now());
        Ok(active.update(&self.db).await?.into())
    }

    #[tracing::instrument(skip_all, err)]
    async fn send_reset_captcha(&self, to: &Email) -> Result<(), UserError> {
        // The interval holds for unknown addresses too, so a 429 reveals nothing.
        self.captchas
            .claim_send_slot(CaptchaFlow::ResetPassword, to)
            .await?;
        let known = Users::find()
            .filter(Column::Email.eq(to.as_str()))
            .count(&self.db)
            .await?
            > 0;
        // Mailed after answering: a known address answers as soon as an unknown one, and a
        // mail server that is down shows in the log and the mail metrics, not in the answer.
        // A failed send frees the interval, so the owner can ask again at once.
        if known {
            let (captchas, to) = (self.captchas.clone(), to.clone());
            tokio::spawn(async move {
                if let Err(err) = captchas.issue(CaptchaFlow::ResetPassword, &to).await {
                    tracing::warn!(%err, "a password-reset code could not be mailed");
                }
            });
        }
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn reset_password(&self, input: ResetPasswordInput) -> Result<UserId, UserError> {
        // The code first: without it nobody can probe which username goes with which address.
        self.captchas
            .verify(CaptchaFlow::ResetPassword, &input.email, &input.captcha)
            .await?;
        let user = self
            .find_by_username(input.username.as_str())
            .await?
            .filter(|user| user.email == input.email.as_str())
            .ok_or(UserError::AccountMismatch)?;
        let password_hash = self.hash(input.password.as_str()).await?;
        // Bumping the version in the same statement revokes every token issued before.
        Users::update_many()
            .col_expr(Column::PasswordHash, Expr::value(password_hash))
            .col_expr(Column::TokenVersion, Expr::col(Column::TokenVersion).add(1))
            .col_expr(Column::UpdateTime, Expr::value(time::now()))
            .filter(Column::Id.eq(user.id))
            .exec(&self.db)
            .await?;
        Ok(UserId::new(user.id))
    }

    async fn search(
        &self,
        caller: UserId,
        text: &SearchText,
        page: PageRequest,
    ) -> Result<Page<UserSummary>, UserError> {
        let query = Users::find()
            .filter(name_contains(text))
            .filter(Column::Id.ne(caller.get()));
        let total = query.clone().count(&self.db).await?;
        let users = query
            // An exact username first, then the oldest accounts: a stable order.
            .order_by(
                ExprTrait::eq(Expr::col(Column::Username), text.as_str()),
                Order::Desc,
            )
            .order_by_asc(Column::Id)
            .offset(page.offset())
            .limit(page.page_size())
            .all(&self.db)
            .await?;
        Ok(Page::new(
            users.into_iter().map(UserSummary::from).collect(),
            total,
            page,
        ))
    }
}
