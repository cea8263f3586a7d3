//! `/user`: captchas, registration, login, profile, password reset and user search.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{JsonBody, client_address};
use crate::limits::Limit;
use crate::routes::{Sent, Updated};
use crate::state::AppState;
use crate::use_cases;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use user::{
    Captcha, Email, FieldErrors, HeadPic, LoginInput, NickName, Page, Password, Profile,
    RegisterInput, ResetPasswordInput, SearchText, UpdateInput, UserSummary, Username,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/user")
            .service(register_captcha)
            .service(register)
            .service(login)
            .service(info)
            .service(update_captcha)
            .service(update)
            .service(password_captcha)
            .service(update_password)
            .service(search_users),
    );
}

#[derive(Deserialize, IntoParams)]
pub struct AddressQuery {
    /// The e-mail address to send the code to.
    #[param(required = true, nullable = false, format = Email, max_length = 254)]
    address: Option<String>,
}

impl AddressQuery {
    fn email(&self) -> Result<Email, ApiError> {
        let mut errors = FieldErrors::new();
        let email = errors.required("address", self.address.as_deref(), Email::parse);
        Ok(errors.done(email)?)
    }
}

#[utoipa::path(tag = "user", params(AddressQuery),
    responses((status = 200, body = Sent), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[get("/register-captcha")]
pub async fn register_captcha(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<AddressQuery>,
) -> Result<web::Json<Sent>, ApiError> {
    let email = query.email()?;
    state
        .limits
        .check(Limit::Captcha, &client_address(&req))
        .await?;
    state.users.send_register_captcha(&email).await?;
    Ok(web::Json(Sent { sent: true }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisterRequest {
    #[schema(
        required = true,
        nullable = false,
        example = "alice",
        pattern = "^[A-Za-z0-9_.-]{3,32}$"
    )]
    username: Option<String>,
    #[schema(
        required = true,
        nullable = false,
        example = "Alice",
        min_length = 1,
        max_length = 50,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*\\S[^\\x00-\\x1F\\x7F-\\x9F]*$"
    )]
    nick_name: Option<String>,
    #[schema(
        required = true,
        nullable = false,
        example = "correct horse",
        pattern = "^[ -~]{6,72}$"
    )]
    password: Option<String>,
    #[schema(required = true, nullable = false, example = "alice@example.com", format = Email, max_length = 254)]
    email: Option<String>,
    #[schema(
        required = true,
        nullable = false,
        example = "123456",
        pattern = "^[0-9]{6}$"
    )]
    captcha: Option<String>,
}

impl TryFrom<RegisterRequest> for RegisterInput {
    type Error = ApiError;

    fn try_from(req: RegisterRequest) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let username = errors.required("username", req.username.as_deref(), Username::parse);
        let nick_name = errors.required("nickName", req.nick_name.as_deref(), NickName::parse);
        let password = errors.required("password", req.password.as_deref(), Password::parse);
        let email = errors.required("email", req.email.as_deref(), Email::parse);
        let captcha = errors.required("captcha", req.captcha.as_deref(), Captcha::parse);
        match (username, nick_name, password, email, captcha) {
            (Some(username), Some(nick_name), Some(password), Some(email), Some(captcha)) => {
                Ok(RegisterInput {
                    username,
                    nick_name,
                    password,
                    email,
                    captcha,
                })
            }
            _ => Err(errors.into_vec().into()),
        }
    }
}

#[utoipa::path(tag = "user", request_body = RegisterRequest,
    responses((status = 201, body = Profile), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
#[post("/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    // Counted once the body is well formed: fixing a form's mistakes costs nothing.
    let input = body.0.try_into()?;
    state
        .limits
        .check(Limit::Register, &client_address(&req))
        .await?;
    let profile = state.users.register(input).await?;
    Ok(HttpResponse::Created().json(profile))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(required = true, nullable = false, pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    username: Option<String>,
    #[schema(required = true, nullable = false, pattern = "^[ -~]{6,72}$")]
    password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    user: Profile,
    token: String,
}

#[utoipa::path(tag = "user", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = ErrorBody),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
#[post("/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let mut errors = FieldErrors::new();
    let not_empty = |raw: &str| match raw.is_empty() {
        true => Err("is required".to_owned()),
        false => Ok(raw.to_owned()),
    };
    // Checked like a registered name: nothing else can name an account, and an over-long or
    // odd spelling never reaches the lookup or the throttle.
    let username = errors.required("username", body.0.username.as_deref(), Username::parse);
    let password = errors.required("password", body.0.password.as_deref(), not_empty);
    let (username, password) = errors.done(username.zip(password))?;
    let input = LoginInput { username, password };
    let address = client_address(&req);
    state.limits.check(Limit::Login, &address).await?;
    let logged_in = state.users.login(input, &address).await?;
    let token = state.tokens.issue(
        user::UserId::new(logged_in.profile.id),
        logged_in.token_version,
    )?;
    Ok(web::Json(LoginResponse {
        user: logged_in.profile,
        token,
    }))
}

#[utoipa::path(tag = "user", security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 401, body = ErrorBody)))]
#[get("/info")]
pub async fn info(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> Result<web::Json<Profile>, ApiError> {
    Ok(web::Json(state.users.profile(auth.id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct NewAddressQuery {
    /// The new email the code is for (API.md §7); without it, the stored address gets a code,
    /// which changes nothing that needs one.
    #[param(nullable = false, format = Email, max_length = 254)]
    address: Option<String>,
}

/// Mails the code that lets `/user/update` change the email to `address`.
#[utoipa::path(tag = "user", params(NewAddressQuery), security(("bearer" = [])),
    responses((status = 200, body = Sent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[get("/update/captcha")]
pub async fn update_captcha(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: AuthUser,
    query: web::Query<NewAddressQuery>,
) -> Result<web::Json<Sent>, ApiError> {
    let mut errors = FieldErrors::new();
    let address = query.address.as_deref().map(Email::parse);
    let address = address.and_then(|parsed| errors.check("address", parsed));
    errors.done(Some(()))?;
    state
        .limits
        .check(Limit::Captcha, &client_address(&req))
        .await?;
    state
        .users
        .send_update_captcha(auth.id, address.as_ref())
        .await?;
    Ok(web::Json(Sent { sent: true }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequest {
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*\\S[^\\x00-\\x1F\\x7F-\\x9F]*$"
    )]
    nick_name: Option<String>,
    /// A `url` from `/storage/presign` (purpose avatar), or empty to clear.
    head_pic: Option<String>,
    /// A new address: it needs `captcha`, the code mailed to it by
    /// `/user/update/captcha?address=`.
    #[schema(format = Email, max_length = 254)]
    email: Option<String>,
    /// Only for a new email; ignored otherwise.
    captcha: Option<String>,
}

#[utoipa::path(tag = "user", request_body = UpdateRequest, security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/update")]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonBody<UpdateRequest>,
) -> Result<web::Json<Profile>, ApiError> {
    let req = body.0;
    let avatar_prefix = state.avatar_prefix(auth.id);
    let mut errors = FieldErrors::new();
    let nick_name = req.nick_name.as_deref().map(NickName::parse);
    let nick_name = nick_name.and_then(|parsed| errors.check("nickName", parsed));
    let head_pic = req
        .head_pic
        .as_deref()
        .map(|raw| HeadPic::parse(raw, &avatar_prefix));
    let head_pic = head_pic.and_then(|parsed| errors.check("headPic", parsed));
    let email = req.email.as_deref().map(Email::parse);
    let email = email.and_then(|parsed| errors.check("email", parsed));
    // An update that keeps the email ignores the captcha, whatever it holds (API.md §7); with a
    // new email, one that cannot be a code is as wrong as a wrong code.
    let captcha = req
        .captcha
        .as_deref()
        .and_then(|raw| Captcha::parse(raw).ok());
    errors.done(Some(()))?;
    let input = UpdateInput {
        nick_name,
        head_pic,
        email,
        captcha,
    };
    let profile = state.users.update(auth.id, input).await?;
    // Before the answer: the user's next message must carry the new name and picture.
    state.sends.profiles_changed();
    Ok(web::Json(profile))
}

#[utoipa::path(tag = "user", params(AddressQuery),
    responses((status = 200, body = Sent), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[get("/update_password/captcha")]
pub async fn password_captcha(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<AddressQuery>,
) -> Result<web::Json<Sent>, ApiError> {
    let email = query.email()?;
    state
        .limits
        .check(Limit::Captcha, &client_address(&req))
        .await?;
    state.users.send_reset_captcha(&email).await?;
    Ok(web::Json(Sent { sent: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdatePasswordRequest {
    #[schema(required = true, nullable = false, pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    username: Option<String>,
    #[schema(required = true, nullable = false, format = Email, max_length = 254)]
    email: Option<String>,
    #[schema(required = true, nullable = false, pattern = "^[ -~]{6,72}$")]
    password: Option<String>,
    #[schema(required = true, nullable = false, pattern = "^[0-9]{6}$")]
    captcha: Option<String>,
}

impl TryFrom<UpdatePasswordRequest> for ResetPasswordInput {
    type Error = ApiError;

    fn try_from(req: UpdatePasswordRequest) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let username = errors.required("username", req.username.as_deref(), Username::parse);
        let email = errors.required("email", req.email.as_deref(), Email::parse);
        let password = errors.required("password", req.password.as_deref(), Password::parse);
        let captcha = errors.required("captcha", req.captcha.as_deref(), Captcha::parse);
        match (username, email, password, captcha) {
            (Some(username), Some(email), Some(password), Some(captcha)) => Ok(Self {
                username,
                email,
                password,
                captcha,
            }),
            _ => Err(errors.into_vec().into()),
        }
    }
}

#[utoipa::path(tag = "user", request_body = UpdatePasswordRequest,
    responses((status = 200, body = Updated), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/update_password")]
pub async fn update_password(
    state: web::Data<AppState>,
    body: JsonBody<UpdatePasswordRequest>,
) -> Result<web::Json<Updated>, ApiError> {
    let input = body.0.try_into()?;
    // Every earlier token is revoked: open sockets close on every gateway, not at their expiry.
    use_cases::reset_password(state.into_inner(), input).await?;
    Ok(web::Json(Updated { updated: true }))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct SearchQuery {
    /// Part of a username or nickname (case-insensitive; `%` and `_` are literal).
    #[param(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 50,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*\\S[^\\x00-\\x1F\\x7F-\\x9F]*$"
    )]
    q: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000000)]
    page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
}

#[utoipa::path(tag = "user", params(SearchQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<UserSummary>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/search")]
pub async fn search_users(
    state: web::Data<AppState>,
    auth: AuthUser,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    let mut errors = FieldErrors::new();
    let text = errors.required("q", query.q.as_deref(), SearchText::parse);
    let page = errors.page(query.page.as_deref(), query.page_size.as_deref());
    let text = errors.done(text)?;
    Ok(web::Json(state.users.search(auth.id, &text, page).await?))
}
