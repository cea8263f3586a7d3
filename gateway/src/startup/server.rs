//! The HTTP server: the middleware stack and every route, for each worker.
use crate::auth::renew_token;
use crate::cors::cors;
use crate::extract::{path_error, query_error};
use crate::method_not_allowed::{AllowedMethods, fallback};
use crate::middleware::{json_error_body, request_span};
use crate::openapi;
use crate::routes;
use crate::settings::Settings;
use crate::state::AppState;
use crate::ws::handler::chat_socket;
use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use actix_web_prom::PrometheusMetrics;
use std::net::TcpListener;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub fn http_server(
    state: web::Data<AppState>,
    settings: &Settings,
    http_metrics: PrometheusMetrics,
    listener: TcpListener,
) -> std::io::Result<Server> {
    let origins: Vec<String> = settings.cors_origins().map(str::to_owned).collect();
    let body_limit = settings.body_limit_bytes;
    let document = openapi::document();
    let allowed = AllowedMethods::of(&document);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(web::Data::new(allowed.clone()))
            .wrap(from_fn(renew_token))
            .wrap(ErrorHandlers::new().default_handler(json_error_body))
            .wrap(cors(origins.clone()))
            .wrap(http_metrics.clone())
            .wrap(from_fn(request_span))
            // gzip/brotli for clients that ask (the web client's scripts and styles, API.md
            // §7); never for a WebSocket upgrade, which has no body to encode.
            .wrap(actix_web::middleware::Compress::default())
            .configure(|cfg| allowed.register_fixed(cfg))
            // The one route table: the same registration made `document`.
            .into_utoipa_app()
            .configure(routes::configure)
            .into_app()
            .service(web::resource("/chat").get(chat_socket))
            .service(web::redirect("/swagger-ui", "/swagger-ui/"))
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/openapi.json", document.clone()))
            .default_service(web::to(fallback))
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
