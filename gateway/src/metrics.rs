//! Prometheus metrics at `/metrics`: HTTP requests by route pattern and status with latency
//! histograms (actix-web-prom), and the real-time figures (sockets, joined rooms, messages,
//! deliveries, bus lag and reconnects), all in one registry per application.
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::{Histogram, HistogramOpts, IntCounter, IntGauge, Opts, Registry};
use std::sync::Arc;

pub struct Figures {
    pub sockets_open: IntGauge,
    pub rooms_joined: IntGauge,
    pub messages_posted: IntCounter,
    pub frames_delivered: IntCounter,
    pub slow_readers_dropped: IntCounter,
    pub bus_lag_seconds: Histogram,
    pub write_batch_messages: Histogram,
    pub bus_reconnects: IntCounter,
    pub bus_connected: IntGauge,
    pub mail_failures: IntCounter,
    pub upload_sweeps: IntCounter,
    pub uploads_removed: IntCounter,
}

/// Cheap to clone; every part of the gateway that counts something holds one.
#[derive(Clone)]
pub struct Metrics(Arc<Figures>);

impl std::ops::Deref for Metrics {
    type Target = Figures;
    fn deref(&self) -> &Figures {
        &self.0
    }
}

fn gauge(registry: &Registry, name: &str, help: &str) -> Result<IntGauge, prometheus::Error> {
    let gauge = IntGauge::with_opts(Opts::new(name, help).namespace("chat"))?;
    registry.register(Box::new(gauge.clone()))?;
    Ok(gauge)
}

fn counter(registry: &Registry, name: &str, help: &str) -> Result<IntCounter, prometheus::Error> {
    let counter = IntCounter::with_opts(Opts::new(name, help).namespace("chat"))?;
    registry.register(Box::new(counter.clone()))?;
    Ok(counter)
}

impl Metrics {
    /// The figures, and the middleware that times HTTP requests and serves `/metrics`.
    pub fn new() -> Result<(Self, PrometheusMetrics), String> {
        let registry = Registry::new();
        let lag = Histogram::with_opts(
            HistogramOpts::new(
                "bus_lag_seconds",
                "Time from publishing an event to another gateway receiving it over Redis",
            )
            .namespace("chat")
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
        )
        .map_err(|e| e.to_string())?;
        registry
            .register(Box::new(lag.clone()))
            .map_err(|e| e.to_string())?;
        let batch = Histogram::with_opts(
            HistogramOpts::new(
                "write_batch_messages",
                "Messages stored by one commit of the write pipeline",
            )
            .namespace("chat")
            .buckets(vec![
                1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
            ]),
        )
        .map_err(|e| e.to_string())?;
        registry
            .register(Box::new(batch.clone()))
            .map_err(|e| e.to_string())?;
        let figures = (|| {
            Ok::<_, prometheus::Error>(Figures {
                sockets_open: gauge(&registry, "sockets_open", "Open WebSocket connections")?,
                rooms_joined: gauge(
                    &registry,
                    "rooms_joined",
                    "Room subscriptions of open sockets (one per socket and room)",
                )?,
                messages_posted: counter(
                    &registry,
                    "messages_posted_total",
                    "Messages stored (repeats of a clientId not counted)",
                )?,
                frames_delivered: counter(
                    &registry,
                    "frames_delivered_total",
                    "Frames queued to sockets by this gateway",
                )?,
                slow_readers_dropped: counter(
                    &registry,
                    "slow_readers_dropped_total",
                    "Sockets closed because their outbound queue was full",
                )?,
                bus_lag_seconds: lag,
                write_batch_messages: batch,
                bus_reconnects: counter(
                    &registry,
                    "bus_reconnects_total",
                    "Times the Redis subscription was lost and made again",
                )?,
                bus_connected: gauge(
                    &registry,
                    "bus_connected",
                    "1 while the bus (Redis subscription, or the in-process bus) is up",
                )?,
                mail_failures: counter(
                    &registry,
                    "mail_failures_total",
                    "Mails the SMTP server did not accept (codes sent after answering show here)",
                )?,
                upload_sweeps: counter(
                    &registry,
                    "upload_sweeps_total",
                    "Sweeps of unused uploads this gateway ran",
                )?,
                uploads_removed: counter(
                    &registry,
                    "uploads_removed_total",
                    "Uploads removed as unused (avatars nobody shows, attachments no message named, unfinished uploads)",
                )?,
            })
        })()
        .map_err(|e| e.to_string())?;
        let http = PrometheusMetricsBuilder::new("chat")
            .registry(registry)
            .endpoint("/metrics")
            .mask_unmatched_patterns("UNMATCHED")
            .build()
            .map_err(|e| e.to_string())?;
        Ok((Self(Arc::new(figures)), http))
    }
}
