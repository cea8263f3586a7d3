//! The HTTP server: the middleware stack and every route, for each worker.
use crate::auth::renew_token;
use crate::cors::cors;
use crate::extract::{path_error, query_error};
use crate::middleware::{json_error_body, request_span};
use crate::openapi::ApiDoc;
use crate::routes;
use crate::settings::Settings;
use crate::state::AppState;
use crate::ws::handler::chat_socket;
use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use actix_web_prom::PrometheusMetrics;
use std::net::TcpListener;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub fn http_server(
    state: web::Data<AppState>,
    settings: &Settings,
    http_metrics: PrometheusMetrics,
    listener: TcpListener,
) -> std::io::Result<Server> {
    let origins: Vec<String> = settings.cors_origins().map(str::to_owned).collect();
    let body_limit = settings.body_limit_bytes;
    let openapi = ApiDoc::openapi();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::PayloadConfig::new(body_limit))
            .wrap(from_fn(renew_token))
            .wrap(ErrorHandlers::new().default_handler(json_error_body))
            .wrap(cors(origins.clone()))
            .wrap(http_metrics.clone())
            .wrap(from_fn(request_span))
            // gzip/brotli for clients that ask (the web client's scripts and styles, API.md
            // §7); never for a WebSocket upgrade, which has no body to encode.
            .wrap(actix_web::middleware::Compress::default())
            .configure(routes::user::configure)
            .configure(routes::friendship::configure)
            .configure(routes::friend_request::configure)
            .configure(routes::chatroom::configure)
            .configure(routes::ops::configure)
            .configure(routes::storage::configure)
            .configure(routes::favorite::configure)
            .service(web::resource("/chat").get(chat_socket))
            .service(web::redirect("/swagger-ui", "/swagger-ui/"))
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/openapi.json", openapi.clone()))
            .default_service(web::to(crate::web_client::client_or_not_found))
    })
    // Small frames go out at once: with Nagle's algorithm an ack or a message written while
    // an earlier frame waits for the client's (delayed) TCP ACK sat up to 40 ms.
    .tcp_nodelay(true)
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(10)
    .run();
    Ok(server)
}
